"""Cross-cutting handlers: group chats, unknown input, logging, durability, errors, ticks."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    TypeHandler,
    filters,
)

from bot.chat.common import already_applied, flush_persistence, reply, send
from bot.chat.context import DEPS_KEY, BotContext, Deps
from bot.chat.feature import PRIVATE, Feature, Handler, command, message, polite
from bot.chat.keys import DRAFT_KEY
from bot.chat.menus import audience_of
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate, translator
from bot.models import OutboxItem
from bot.services import contacts
from bot.services.errors import Refused
from bot.storage import outbox
from bot.views import commands, words
from bot.views import joining as joining_views
from bot.views import system as views
from bot.views.callbacks import is_old, unpack_any
from bot.views.joining import JOIN_STEPS, JoinFrom, JoinOver, JoinResume
from bot.views.shown import loggable

log = logging.getLogger("bot")
ALERT_INTERVAL = timedelta(minutes=1)
# Every button of a join: outside one, pressing it means the join it belonged to is over.
JOIN_PRESSES = (JoinFrom, JoinResume, JoinOver, *JOIN_STEPS)


async def outside_private_chat(update: Update, context: BotContext) -> None:
    """In a group, a command addressed to the bot by name gets a pointer to the private chat; the rest of
    the group's talk is none of the bot's business (its own commands are handled before: groups.py)."""
    message = update.effective_message
    command = message.text.split()[0] if message is not None and message.text else ""
    mine = f"@{context.bot.username}".casefold()
    if message is not None and command.startswith("/") and command.casefold().endswith(mine):
        await message.reply_text(words.private_only(context.tr))
    raise ApplicationHandlerStop


async def slow_down(application: Application, update: Update) -> None:  # type: ignore[type-arg]
    """Someone sends faster than anyone types: told once, in their language, that the excess is dropped."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return
    deps: Deps = application.bot_data[DEPS_KEY]
    _ = translator(deps.language_of(user.id, user.language_code))
    await application.bot.send_message(chat.id, views.slow_down(_))


async def help_command(update: Update, context: BotContext) -> None:
    """Every feature's commands this person may use: the help is made from what the features declare."""
    _ = context.tr
    declared = [line for feature in context.deps.features for line in feature.commands(_)]
    audience = await audience_of(context.deps, context.person_id)
    await reply(update, commands.help_text(_, declared, audience))


async def unknown_command(update: Update, context: BotContext) -> None:
    await send(update, views.unknown_command(context.tr))


async def unexpected_message(update: Update, context: BotContext) -> None:
    """Outside any flow; but if a join draft is waiting, offer to carry on with it."""
    if _join_waiting(context):
        await send(update, *_carry_on(context.tr))
    else:
        await send(update, views.unexpected_text(context.tr))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no handler took: from an earlier version of the bot, a finished flow, an old message, or
    forged data. Answered; nothing changes."""
    query = update.callback_query
    data = query.data if query is not None else None
    press, old = unpack_any(data), is_old(data)
    if press is None:
        log.warning("unknown button data pressed: %s", loggable(data))
    if old:
        text = views.old_button(context.tr)
    elif isinstance(press, JOIN_PRESSES):
        text = joining_views.no_flow(context.tr)
    else:
        raise Refused("stale")
    if query is not None:
        await query.answer(words.alert(text), show_alert=True)
    if old and _join_waiting(context) and update.effective_chat:
        # A join open since before the new version: its question comes again, with buttons that work.
        reminder, markup = _carry_on(context.tr)
        await update.effective_chat.send_message(reminder, reply_markup=markup)


def _join_waiting(context: BotContext) -> bool:
    return bool(context.user_data and context.user_data.get(DRAFT_KEY))


def _carry_on(_: Translate) -> tuple[str, InlineKeyboardMarkup]:
    """A join is waiting: say so, with the buttons to carry on with it or cancel it."""
    return joining_views.join_reminder(_), joining_views.resume_keyboard(_)


async def record_update(update: Update, context: BotContext) -> None:
    """After all handlers: log one line, and commit the conversation and user data now.

    PTB would otherwise write persistence every `update_interval` seconds; writing
    after each update is what lets a SIGKILL lose nothing that was answered.
    """
    user = update.effective_user
    log.info("update %s: %s", update.update_id, _what(update))
    log.debug("update %s from user %s", update.update_id, user.id if user else "-")
    await flush_persistence(update, context)
    d = context.deps
    if user is not None and user.id in d.just_forgotten:  # this very update deleted them
        d.just_forgotten.discard(user.id)
    elif user is not None and update.effective_chat is not None and update.effective_chat.type == "private":
        await _remember(d, user.id, user.username, user.full_name, user.language_code)


async def _remember(d: Deps, telegram_id: int, username: str | None, name: str, language: str | None) -> None:
    """Note who has started the bot (it may write to them); written only when it changed."""
    seen = (username, name, language)
    if d.seen_users.get(telegram_id) != seen:
        await contacts.remember(d.db, telegram_id, username, name, language, d.now())
        d.seen_users[telegram_id] = seen


def _what(update: Update) -> str:
    """What the person did, without what they wrote (no personal data in logs)."""
    if update.callback_query is not None:
        return f"button {loggable(update.callback_query.data)}"
    message = update.effective_message
    if message is not None and message.text:
        if message.text.startswith("/"):
            command, *rest = message.text.split(maxsplit=1)
            return f"command {loggable(command, 40)}" + (" +args" if rest else "")
        return f"text ({len(message.text)} chars)"
    return "other update"


async def on_error(update: object, context: BotContext) -> None:
    """Log the traceback, tell the admins briefly (once a minute per error), apologise."""
    error = context.error
    log.error("error while handling an update", exc_info=error)
    d = context.deps
    d.metrics.errors.inc()
    key = f"{type(error).__name__}: {error}"[:200]
    now = d.now()
    last = d.alerts_sent.get(key)
    if last is None or now - last >= ALERT_INTERVAL:
        d.alerts_sent[key] = now
        where = traceback.extract_tb(error.__traceback__)[-1] if error and error.__traceback__ else None
        place = f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else "?"
        for admin in d.settings.admins:
            try:
                _ = translator(await contacts.language_of(d.db, admin))
                await context.bot.send_message(admin, views.admin_alert(_, place, key))
            except TelegramError:
                log.warning("could not alert an admin")
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(views.apology(context.tr))
        except TelegramError:
            log.warning("could not apologise for the error")


async def skip_applied(update: Update, context: BotContext) -> None:
    """Group -3: an update applied before a kill, delivered again, stops here."""
    if already_applied(update, context):
        log.info("update %s was applied before a restart; skipped", update.update_id)
        raise ApplicationHandlerStop


def redelivery_handler() -> Handler:
    return TypeHandler(Update, skip_applied)


async def load_language(update: Update, context: BotContext) -> None:
    """Group -2: know each person's chosen language before any handler writes to them."""
    user = update.effective_user
    d = context.deps
    if user is not None and user.id not in d.languages:
        # "" = none chosen: the language of the person's Telegram applies, as it is now.
        d.languages[user.id] = await contacts.chosen_language(d.db, user.id) or ""


def language_handler() -> Handler:
    return TypeHandler(Update, load_language)


async def _stored_reply(d: Deps, item: OutboxItem, stored: outbox.Reply, _: Translate) -> Rendered | None:
    """A reply that could not go when it was due, as it was written then."""
    keyboard = InlineKeyboardMarkup.de_json(stored.markup, None) if stored.markup is not None else None
    return stored.text, keyboard


def recorder_handler() -> Handler:
    """A group after all others: log and persist every update."""
    return TypeHandler(Update, record_update)


def _outside_private() -> list[Handler]:
    """Group -1: messages outside a private chat stop here."""
    return [message(~PRIVATE, outside_private_chat)]


def _handlers() -> list[Handler]:
    """/help, then, last in group 0, whatever no other handler answered."""
    return [
        command("help", help_command),
        message(PRIVATE & filters.COMMAND, unknown_command),
        message(PRIVATE, unexpected_message),
        CallbackQueryHandler(polite(stale_button)),  # every press, with data or without
    ]


FEATURE = Feature(
    name="system",
    early=lambda deps: _outside_private(),
    handlers=_handlers,
    commands=views.system_commands,
    # Telegram refusing a reply for good (4xx) is the only end short of delivery: retried for about an hour.
    outbox_kinds=(OutboxKind(outbox.REPLY, _stored_reply, outbox.Reply, max_attempts=20, answer=True),),
)
