"""Announcements: /broadcast (write, aim, preview, send), /broadcasts (steer), /settings (opt out)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.chat.common import Context, ConversationPart, Deps, Handler, deps, refuse, reply, send, tr, user_id
from bot.chat.keys import BROADCASTING, WRITING_KEY
from bot.chat.sender import OutboxKind, Rendered, Skip, WithFile, deliver
from bot.i18n import Translate
from bot.models import Broadcast, BroadcastState, Content, ContentType, OutboxItem
from bot.services import broadcasting
from bot.services.broadcasting import Progress, Steer
from bot.services.errors import Refused
from bot.views import announcements as views
from bot.views.callbacks import Press, pressed

log = logging.getLogger("bot")
PRIVATE = filters.ChatType.PRIVATE
COMMAND = re.compile(r"^/broadcast(@\w+)?\s*")
CONTENT = PRIVATE & (filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND


async def broadcast_command(update: Update, context: Context) -> str | int:
    """/broadcast asks for the message; /broadcast <text> is the message."""
    d = deps(context)
    try:
        await broadcasting.scope(d.db, user_id(update), d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return _written(context)
    _written(context)  # a new announcement, not the one written before
    message = update.message
    if message is not None and message.text and COMMAND.sub("", message.text, count=1).strip():
        plain = COMMAND.sub("", message.text, count=1)
        content = Content(type=ContentType.TEXT, html=COMMAND.sub("", message.text_html, count=1), length=len(plain))
        return await _drafted(update, context, content, None)
    await send(update, views.ask_content(tr(update, context)))
    return BROADCASTING


async def content_given(update: Update, context: Context) -> str | int:
    message = update.message
    assert message is not None
    content, size = _content(message)
    return await _drafted(update, context, content, size)


def _content(message: Message) -> tuple[Content, int | None]:
    """Telegram's formatting kept as HTML; a photo (its largest size) or a document by file_id."""
    caption = message.caption_html or ""
    if message.photo:
        photo = message.photo[-1]
        content = Content(
            type=ContentType.PHOTO, html=caption, length=len(message.caption or ""), file_id=photo.file_id
        )
        return content, photo.file_size
    if message.document is not None:
        document = message.document
        content = Content(
            type=ContentType.DOCUMENT, html=caption, length=len(message.caption or ""), file_id=document.file_id
        )
        return content, document.file_size
    return Content(type=ContentType.TEXT, html=message.text_html or "", length=len(message.text or "")), None


async def other_given(update: Update, context: Context) -> str:
    await send(update, views.content_expected(tr(update, context)))
    return BROADCASTING


async def _drafted(update: Update, context: Context, content: Content, size: int | None) -> str | int:
    """A new draft, or the one being written gets this text instead (its audience kept). The conversation
    stays here until Send, Cancel or /cancel: a text sent meanwhile replaces the announcement's."""
    d = deps(context)
    uid, admins = user_id(update), d.settings.admins
    writing = _writing(context)
    try:
        broadcast = None
        if writing is not None:
            try:
                broadcast = await broadcasting.rewrite(d.db, uid, writing, admins, content, size, views.footer_room)
            except Refused as refused:
                if refused.reason != "stale":
                    raise
        if broadcast is None:  # none yet, or it went meanwhile (sent, cancelled): a new one
            name = update.effective_user.full_name if update.effective_user else ""
            broadcast = await broadcasting.create(d.db, uid, name, admins, content, size, d.now(), views.footer_room)
    except Refused as refused:
        await refuse(update, context, refused)  # too long, empty, too large: write it again
        return BROADCASTING if refused.reason != "broadcast_not_allowed" else _written(context)
    _write(context, broadcast.id)
    await _show_audience(update, context, broadcast.id, "main", new_message=True)
    return BROADCASTING


def _writing(context: Context) -> int | None:
    found = (context.user_data or {}).get(WRITING_KEY)
    return found if isinstance(found, int) else None


def _write(context: Context, broadcast_id: int) -> None:
    assert context.user_data is not None
    context.user_data[WRITING_KEY] = broadcast_id


def _written(context: Context) -> int:
    """Writing is over: the conversation ends."""
    if context.user_data is not None:
        context.user_data.pop(WRITING_KEY, None)
    return ConversationHandler.END


def _over_if_writing(context: Context, broadcast_id: int) -> int | None:
    """Sent or cancelled: if it was the announcement being written, writing is over; else nothing changes."""
    return _written(context) if _writing(context) == broadcast_id else None


async def cancel_writing(update: Update, context: Context) -> int:
    """/cancel while writing: the draft goes, nothing was sent."""
    d = deps(context)
    writing = _writing(context)
    if writing is not None:
        try:
            await broadcasting.discard(d.db, user_id(update), writing, d.settings.admins)
        except Refused as refused:
            await refuse(update, context, refused)
            return _written(context)
    await send(update, views.draft_cancelled(tr(update, context)))
    return _written(context)


async def _show_audience(update: Update, context: Context, broadcast_id: int, page: str, *, new_message: bool) -> None:
    d = deps(context)
    _ = tr(update, context)
    broadcast, reach = await broadcasting.draft(d.db, user_id(update), broadcast_id, d.settings.admins)
    text = views.audience_page(_, broadcast, reach, d.catalogue)
    markup = views.audience_keyboard(_, broadcast, page, d.catalogue)
    await (send if new_message else reply)(update, text, markup)


async def draft_press(update: Update, context: Context) -> str | int | None:
    """Every button of a draft: a criterion's page, a value toggled, preview, send, change, cancel.

    An entry point of the conversation, so that a preview Telegram refused can wait for a new text
    or file, and Send or Cancel end the writing; any other press leaves the conversation as it is.
    """
    try:
        press = pressed(update.callback_query.data if update.callback_query else None)
        return await _on_draft(update, context, press, int(press.arg))
    except Refused as refused:
        await refuse(update, context, refused)
        return None


async def _on_draft(update: Update, context: Context, press: Press, broadcast_id: int) -> str | int | None:
    d = deps(context)
    uid, admins = user_id(update), d.settings.admins
    if press.action == "p":
        await _show_audience(update, context, broadcast_id, press.args[1], new_message=False)
    elif press.action == "a":
        part, value = press.args[1], press.args[2]
        await broadcasting.change_audience(
            d.db, uid, broadcast_id, admins, _part(part), _value(d, part, value), d.catalogue
        )
        await _show_audience(update, context, broadcast_id, "main" if part == "all" else part, new_message=False)
    elif press.action == "v":
        return await _preview(update, context, broadcast_id)
    elif press.action == "c":
        await _show_audience(update, context, broadcast_id, "main", new_message=True)
    elif press.action == "s":
        await _send_now(update, context, broadcast_id)
        return _over_if_writing(context, broadcast_id)
    elif press.action == "x":
        await broadcasting.discard(d.db, uid, broadcast_id, admins)
        await reply(update, views.draft_cancelled(tr(update, context)))
        return _over_if_writing(context, broadcast_id)
    return None


def _part(short: str) -> str:
    return "all" if short == "all" else views.PARTS[short]


def _value(d: Deps, part: str, value: str) -> str:
    """Regions and stakeholder types travel as an index into the catalogue's list."""
    if part in ("rg", "ty"):
        names = d.catalogue.region_names if part == "rg" else d.catalogue.stakeholder_type_names
        if not value.isdigit() or int(value) >= len(names):
            raise Refused("stale")
        return names[int(value)]
    return value


async def _preview(update: Update, context: Context, broadcast_id: int) -> str | None:
    """The announcement exactly as people will get it, then the count and Send / Change audience / Cancel.

    If Telegram will not show it (its file is gone, its text cannot be read), the author is told what
    is wrong and the draft waits for a new text or file: nothing was sent to anyone.
    """
    d = deps(context)
    _ = tr(update, context)
    broadcast, reach = await broadcasting.draft(d.db, user_id(update), broadcast_id, d.settings.admins)
    if update.effective_chat is not None:
        try:
            await deliver(update.get_bot(), update.effective_chat.id, rendered(_, broadcast))
        except BadRequest as error:
            refused = broadcasting.preview_refused(broadcast.content, views.announcement(_, broadcast), error.message)
            log.info("a preview was refused by Telegram: %s", refused.reason)
            _write(context, broadcast_id)
            await send(update, views.preview_failed(_, refused))
            return BROADCASTING
    await send(update, views.confirm(_, broadcast, reach, d.catalogue), views.confirm_keyboard(_, broadcast_id))
    return None


async def _send_now(update: Update, context: Context, broadcast_id: int) -> None:
    d = deps(context)
    query = update.callback_query
    if query is None or query.message is None:
        raise Refused("stale")
    where = (query.message.chat.id, query.message.message_id)  # this message becomes the progress report
    await broadcasting.send(d.db, user_id(update), broadcast_id, d.settings.admins, d.catalogue, where, d.now())
    d.sender.wake()
    await _show_progress(update, context, broadcast_id)


async def _show_progress(update: Update, context: Context, broadcast_id: int) -> None:
    """The pressed message becomes (or stays) the broadcast's progress report."""
    d = deps(context)
    _ = tr(update, context)
    item = await broadcasting.progress(d.db, broadcast_id)
    if item is not None:
        await reply(update, views.progress(_, item, _rate(d, item, d.now())), views.steering(_, item.broadcast))


def rendered(_: Translate, broadcast: Broadcast) -> Rendered:
    text = views.announcement(_, broadcast)
    if broadcast.content.type is ContentType.TEXT or broadcast.content.file_id is None:
        return text, None
    return WithFile(broadcast.content.type, broadcast.content.file_id, text)


def _rate(d: Deps, item: Progress, now: datetime) -> float:
    """Messages a second: as measured once some went, else the configured rate."""
    started = item.broadcast.started_at
    elapsed = (now - started).total_seconds() if started else 0.0
    if item.counts.sent >= 20 and elapsed > 0:
        return item.counts.sent / elapsed
    return d.settings.messages_per_second


async def broadcasts_command(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    try:
        items = await broadcasting.recent(d.db, user_id(update), d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return
    now = d.now()
    text = views.recent(_, items, [_rate(d, item, now) for item in items])
    await reply(update, text, views.recent_keyboard(_, items))


async def steer_press(update: Update, context: Context) -> None:
    """Pause, Resume, Cancel sending: on the progress message or /broadcasts."""
    d = deps(context)
    try:
        press = pressed(update.callback_query.data if update.callback_query else None)
        broadcast_id = int(press.arg)
        await broadcasting.steer(d.db, user_id(update), broadcast_id, d.settings.admins, Steer(press.action), d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return
    d.sender.wake()
    await _show_progress(update, context, broadcast_id)


async def settings_command(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    on = await broadcasting.announcements_on(d.db, user_id(update))
    if on is None:
        await refuse(update, context, Refused("no_profile"))
        return
    await reply(update, views.settings_page(_, on), views.settings_keyboard(_, on))


async def settings_press(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    try:
        press = pressed(update.callback_query.data if update.callback_query else None)
        await broadcasting.set_announcements(d.db, user_id(update), press.arg == "on", d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return
    on = press.arg == "on"
    await reply(update, views.settings_page(_, on), views.settings_keyboard(_, on))


CONVERSATION = ConversationPart(
    entry_points=[
        CommandHandler("broadcast", broadcast_command, filters=PRIVATE),
        CallbackQueryHandler(draft_press, pattern=r"^bc:"),
    ],
    states={
        BROADCASTING: [
            MessageHandler(CONTENT, content_given),
            CommandHandler("cancel", cancel_writing, filters=PRIVATE),
            MessageHandler(PRIVATE & ~filters.COMMAND, other_given),
        ]
    },
)


def handlers() -> list[Handler]:
    return [
        CallbackQueryHandler(steer_press, pattern=r"^bs:"),
        CommandHandler("broadcasts", broadcasts_command, filters=PRIVATE),
        CommandHandler("settings", settings_command, filters=PRIVATE),
        CallbackQueryHandler(settings_press, pattern=r"^st:an:"),
    ]


async def _announcement(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    """Read when it goes: a broadcast cancelled or a person who turned announcements off since gets nothing."""
    broadcast = await broadcasting.get(d.db, item.broadcast_id or 0)
    if broadcast is None or broadcast.state is BroadcastState.CANCELLED:
        return None
    if not await broadcasting.announcements_on(d.db, item.chat_id):
        return Skip("announcements off")
    return rendered(_, broadcast)


async def _settled(d: Deps, item: OutboxItem) -> None:
    if item.broadcast_id is not None:
        await broadcasting.settle(d.db, item.broadcast_id, d.now())


async def _progress(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    found = await broadcasting.progress(d.db, int(str(item.params.get("broadcast", 0))))
    if found is None:
        return None
    return views.progress(_, found, _rate(d, found, d.now())), views.steering(_, found.broadcast)


async def _settle_all(d: Deps) -> None:
    await broadcasting.settle_all(d.db, d.now())


OUTBOX_KINDS = (
    OutboxKind(broadcasting.KIND, _announcement, settled=_settled, announcement=True),
    OutboxKind(broadcasting.PROGRESS_KIND, _progress),
)
PERIODIC_JOBS = (_settle_all,)
