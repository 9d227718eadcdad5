"""Announcements: /broadcast (write, aim, preview, send), /broadcasts (steer), /settings (opt out)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ConversationHandler, filters

from bot.chat.common import refuse, reply, send
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.sender import OutboxKind, Rendered, Skip, WithFile, deliver
from bot.i18n import Translate
from bot.models import Broadcast, BroadcastState, Content, ContentType, OutboxItem
from bot.services import announcements
from bot.services.announcements import OfBroadcast, Progress, Steer
from bot.services.errors import Refused
from bot.views import announcements as views
from bot.views.announcements import (
    AnnouncementsSetting,
    AudiencePage,
    AudiencePart,
    AudienceScreen,
    AudienceToggle,
    DraftAction,
    SendingAction,
    Steering,
)

log = logging.getLogger("bot")
# Writing an announcement: the conversation's state, and the draft's broadcast id in the user data.
BROADCASTING, WRITING_KEY = "broadcasting", "broadcast"
# The sending buttons, as the service's steering: the one place a button's choice becomes a Steer.
STEERS: dict[Steering, Steer] = {"pause": Steer.PAUSE, "resume": Steer.RESUME, "cancel": Steer.CANCEL}
COMMAND = re.compile(r"^/broadcast(@\w+)?\s*")
CONTENT = PRIVATE & (filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND


async def broadcast_command(update: Update, context: BotContext) -> str | int:
    """/broadcast asks for the message; /broadcast <text> is the message."""
    d = context.deps
    try:
        await announcements.scope(d.db, context.person_id, d.settings.admins)
    except Refused as refused:  # unlike the polite wrapper, this ends the writing
        await refuse(update, context, refused)
        return _written(context)
    _written(context)  # a new announcement, not the one written before
    message = update.message
    if message is not None and message.text and COMMAND.sub("", message.text, count=1).strip():
        plain = COMMAND.sub("", message.text, count=1)
        content = Content(type=ContentType.TEXT, html=COMMAND.sub("", message.text_html, count=1), length=len(plain))
        return await _drafted(update, context, content, None)
    await send(update, views.ask_content(context.tr))
    return BROADCASTING


async def content_given(update: Update, context: BotContext) -> str | int:
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


async def other_given(update: Update, context: BotContext) -> str:
    await send(update, views.content_expected(context.tr))
    return BROADCASTING


async def _drafted(update: Update, context: BotContext, content: Content, size: int | None) -> str | int:
    """A new draft, or the one being written gets this text instead (its audience kept). The conversation
    stays here until Send, Cancel or /cancel: a text sent meanwhile replaces the announcement's."""
    d = context.deps
    uid, admins = context.person_id, d.settings.admins
    writing = _writing(context)
    try:
        broadcast = None
        if writing is not None:
            try:
                broadcast = await announcements.rewrite(d.db, uid, writing, admins, content, size, views.footer_room)
            except Refused as refused:
                if refused.reason != "stale":
                    raise
        if broadcast is None:  # none yet, or it went meanwhile (sent, cancelled): a new one
            name = update.effective_user.full_name if update.effective_user else ""
            broadcast = await announcements.create(d.db, uid, name, admins, content, size, d.now(), views.footer_room)
    except Refused as refused:
        await refuse(update, context, refused)  # too long, empty, too large: write it again
        return BROADCASTING if refused.reason != "broadcast_not_allowed" else _written(context)
    _write(context, broadcast.id)
    await _show_audience(update, context, broadcast.id, "main", new_message=True)
    return BROADCASTING


def _writing(context: BotContext) -> int | None:
    found = (context.user_data or {}).get(WRITING_KEY)
    return found if isinstance(found, int) else None


def _write(context: BotContext, broadcast_id: int) -> None:
    assert context.user_data is not None
    context.user_data[WRITING_KEY] = broadcast_id


def _written(context: BotContext) -> int:
    """Writing is over: the conversation ends."""
    if context.user_data is not None:
        context.user_data.pop(WRITING_KEY, None)
    return ConversationHandler.END


def _over_if_writing(context: BotContext, broadcast_id: int) -> int | None:
    """Sent or cancelled: if it was the announcement being written, writing is over; else nothing changes."""
    return _written(context) if _writing(context) == broadcast_id else None


async def cancel_writing(update: Update, context: BotContext) -> int:
    """/cancel while writing: the draft goes, nothing was sent."""
    d = context.deps
    writing = _writing(context)
    if writing is not None:
        try:
            await announcements.discard(d.db, context.person_id, writing, d.settings.admins)
        except Refused as refused:  # unlike the polite wrapper, this ends the writing
            await refuse(update, context, refused)
            return _written(context)
    await send(update, views.draft_cancelled(context.tr))
    return _written(context)


async def _show_audience(
    update: Update, context: BotContext, broadcast_id: int, page: AudienceScreen, *, new_message: bool
) -> None:
    d, _ = context.deps, context.tr
    broadcast, reach = await announcements.draft(d.db, context.person_id, broadcast_id, d.settings.admins)
    text = views.audience_page(_, broadcast, reach, d.catalogue)
    markup = views.audience_keyboard(_, broadcast, page, d.catalogue)
    await (send if new_message else reply)(update, text, markup)


async def audience_page_pressed(update: Update, context: BotContext) -> None:
    """A criterion's values, or back to the draft's main page."""
    press = context.press(AudiencePage)
    await _show_audience(update, context, press.broadcast, press.page, new_message=False)


async def audience_toggled(update: Update, context: BotContext) -> None:
    """A value of a criterion on or off (or everyone); the page shows the new count."""
    d = context.deps
    press = context.press(AudienceToggle)
    part, value = _part(press.part), _value(d, press.part, press.value)
    await announcements.change_audience(
        d.db, context.person_id, press.broadcast, d.settings.admins, part, value, d.catalogue
    )
    await _show_audience(
        update, context, press.broadcast, "main" if press.part == "all" else press.part, new_message=False
    )


async def draft_action_pressed(update: Update, context: BotContext) -> str | int | None:
    """Preview, send, change the audience, cancel.

    The draft's buttons are entry points of the conversation, so that a preview Telegram refused can
    wait for a new text or file, and Send or Cancel end the writing; the other presses leave it as it is.
    """
    d = context.deps
    press = context.press(DraftAction)
    broadcast_id = press.broadcast
    match press.action:
        case "preview":
            return await _preview(update, context, broadcast_id)
        case "change":
            await _show_audience(update, context, broadcast_id, "main", new_message=True)
            return None
        case "send":
            await _send_now(update, context, broadcast_id)
            return _over_if_writing(context, broadcast_id)
        case "cancel":
            await announcements.discard(d.db, context.person_id, broadcast_id, d.settings.admins)
            await reply(update, views.draft_cancelled(context.tr))
            return _over_if_writing(context, broadcast_id)


def _part(short: AudiencePart) -> str:
    return "all" if short == "all" else views.PARTS[short]


def _value(d: Deps, part: AudiencePart, value: str | None) -> str:
    """Everyone carries no value; regions and stakeholder types travel as an index into the catalogue's list."""
    if part == "all":
        return ""
    if value is None:
        raise Refused("stale")
    if part in ("rg", "ty"):
        names = d.catalogue.region_names if part == "rg" else d.catalogue.stakeholder_type_names
        if not value.isdigit() or int(value) >= len(names):
            raise Refused("stale")
        return names[int(value)]
    return value


async def _preview(update: Update, context: BotContext, broadcast_id: int) -> str | None:
    """The announcement exactly as people will get it, then the count and Send / Change audience / Cancel.

    If Telegram will not show it (its file is gone, its text cannot be read), the author is told what
    is wrong and the draft waits for a new text or file: nothing was sent to anyone.
    """
    d, _ = context.deps, context.tr
    broadcast, reach = await announcements.draft(d.db, context.person_id, broadcast_id, d.settings.admins)
    if update.effective_chat is not None:
        try:
            await deliver(update.get_bot(), update.effective_chat.id, rendered(_, broadcast))
        except BadRequest as error:
            refused = announcements.preview_refused(broadcast.content, views.announcement(_, broadcast), error.message)
            log.info("a preview was refused by Telegram: %s", refused.reason)
            _write(context, broadcast_id)
            await send(update, views.preview_failed(_, refused))
            return BROADCASTING
    await send(update, views.confirm(_, broadcast, reach, d.catalogue), views.confirm_keyboard(_, broadcast_id))
    return None


async def _send_now(update: Update, context: BotContext, broadcast_id: int) -> None:
    d = context.deps
    query = update.callback_query
    if query is None or query.message is None:
        raise Refused("stale")
    where = (query.message.chat.id, query.message.message_id)  # this message becomes the progress report
    await announcements.send(d.db, context.person_id, broadcast_id, d.settings.admins, d.catalogue, where, d.now())
    d.sender.wake()
    await _show_progress(update, context, broadcast_id)


async def _show_progress(update: Update, context: BotContext, broadcast_id: int) -> None:
    """The pressed message becomes (or stays) the broadcast's progress report."""
    d, _ = context.deps, context.tr
    item = await announcements.progress(d.db, broadcast_id)
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


async def broadcasts_command(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    items = await announcements.recent(d.db, context.person_id, d.settings.admins)
    now = d.now()
    text = views.recent(_, items, [_rate(d, item, now) for item in items])
    await reply(update, text, views.recent_keyboard(_, items))


async def sending_pressed(update: Update, context: BotContext) -> None:
    """Pause, Resume, Cancel sending: on the progress message or /broadcasts."""
    d = context.deps
    press = context.press(SendingAction)
    await announcements.steer(
        d.db, context.person_id, press.broadcast, d.settings.admins, STEERS[press.action], d.now()
    )
    d.sender.wake()
    await _show_progress(update, context, press.broadcast)


async def settings_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    on = await announcements.announcements_on(context.deps.db, context.person_id)
    if on is None:
        raise Refused("no_profile")
    await reply(update, views.settings_page(_, on), views.settings_keyboard(_, on))


async def setting_pressed(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    on = context.press(AnnouncementsSetting).on == "on"
    await announcements.set_announcements(d.db, context.person_id, on, d.now())
    await reply(update, views.settings_page(_, on), views.settings_keyboard(_, on))


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[
            command("broadcast", broadcast_command),
            button(AudiencePage.when(), audience_page_pressed),
            button(AudienceToggle.when(), audience_toggled),
            button(DraftAction.when(), draft_action_pressed),
        ],
        states={
            BROADCASTING: [
                message(CONTENT, content_given),
                command("cancel", cancel_writing),
                message(PRIVATE & ~filters.COMMAND, other_given),
            ]
        },
    )


def _handlers() -> list[Handler]:
    return [
        button(SendingAction.when(), sending_pressed),
        command("broadcasts", broadcasts_command),
        command("settings", settings_command),
        button(AnnouncementsSetting.when(), setting_pressed),
    ]


async def _announcement(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
    """Read when it goes: a broadcast cancelled or a person who turned announcements off since gets nothing."""
    broadcast = await announcements.get(d.db, item.broadcast_id or 0)
    if broadcast is None or broadcast.state is BroadcastState.CANCELLED:
        return None
    if not await announcements.announcements_on(d.db, item.chat_id):
        return Skip("announcements off")
    return rendered(_, broadcast)


async def _settled(d: Deps, item: OutboxItem) -> None:
    if item.broadcast_id is not None:
        await announcements.settle(d.db, item.broadcast_id, d.now())


async def _progress(d: Deps, item: OutboxItem, shown: OfBroadcast, _: Translate) -> Rendered | None:
    found = await announcements.progress(d.db, shown.broadcast)
    if found is None:
        return None
    return views.progress(_, found, _rate(d, found, d.now())), views.steering(_, found.broadcast)


async def _settle_all(d: Deps) -> None:
    await announcements.settle_all(d.db, d.now())


FEATURE = Feature(
    name="announcements",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.announcements_commands,
    refusals=views.announcements_refusals,
    outbox_kinds=(
        OutboxKind(announcements.KIND, _announcement, settled=_settled, announcement=True),
        OutboxKind(announcements.PROGRESS_KIND, _progress, OfBroadcast),
    ),
    jobs=(_settle_all,),
)
