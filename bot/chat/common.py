"""What every handler needs: the wiring, the person's language, and one way to reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardMarkup, Update, User
from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseHandler, ContextTypes

from bot.chat.calls import edit_text, unread_call
from bot.chat.keys import APPLIED_AT_KEY, APPLIED_KEY
from bot.chat.sender import Sender
from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, Translate, language_for, translator
from bot.models import Catalogue
from bot.services import accounts
from bot.services.clock import Clock
from bot.services.errors import Refused
from bot.services.joining import JoinRules
from bot.services.redelivery import delivered_again
from bot.storage import outbox
from bot.storage.database import Database
from bot.views import keyboards, texts

log = logging.getLogger("bot")

Context = ContextTypes.DEFAULT_TYPE
Handler = BaseHandler[Any, Any, Any]
DEPS_KEY = "deps"
# A periodic job: asks the database what is due and does it (queues rows, mostly).
Job = Callable[["Deps"], Awaitable[object]]


@dataclass(frozen=True)
class ConversationPart:
    """A feature's share of the one persistent conversation: how it is entered, and its states."""

    entry_points: list[Handler]
    states: dict[str, list[Handler]]


@dataclass
class Deps:
    """Long-lived objects the handlers share; kept in (unpersisted) bot_data."""

    settings: Settings
    catalogue: Catalogue
    db: Database
    clock: Clock
    jobs: tuple[Job, ...] = ()
    sender: Sender = field(init=False)
    alerts_sent: dict[str, datetime] = field(default_factory=dict)
    seen_users: dict[int, tuple[str | None, str, str | None]] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)
    # Forgotten during the update being handled: the update must not remember them again.
    just_forgotten: set[int] = field(default_factory=set)
    ticks: int = 0  # ticks completed: tests wait for one instead of sleeping
    bot_username: str = ""  # known once getMe has answered: deep links name the bot
    # People whose next typed message a Delphi question waits for: its rows, read at start, then kept up to date.
    typing_awaited: set[int] = field(default_factory=set)

    def now(self) -> datetime:
        return self.clock()

    def join_rules(self) -> JoinRules:
        return JoinRules(
            cap=self.settings.max_taskforces,
            admins=self.settings.admins,
            patience=timedelta(hours=self.settings.decision_reminder_hours),
        )


def deps(context: Context) -> Deps:
    return context.bot_data[DEPS_KEY]  # type: ignore[no-any-return]


def user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def language(update: Update, context: Context) -> str:
    return language_of(deps(context), update.effective_user)


def language_of(d: Deps, user: User | None) -> str:
    """The person's chosen language (cached from the database), else their Telegram's."""
    if user is None:
        return DEFAULT_LANGUAGE
    return d.languages.get(user.id) or language_for(user.language_code)


def tr(update: Update, context: Context) -> Translate:
    return translator(language(update, context))


async def save_user_data(update: Update, context: Context) -> None:
    """Commit this person's user data (the join draft) before the reply that shows it goes out.

    So an answered step is never lost to a SIGKILL. Written straight to the
    persistence: PTB's own flush (`flush_persistence`, after the update, once the
    conversation's new state is known) deep-copies all it writes, and would find
    this row unchanged.

    The update's id goes into the same row, with when it was applied: Telegram delivers
    again whatever the bot had not confirmed when it was killed, and an answer applied
    twice would land in the next field (a name saved as the organisation).
    `skip_applied` skips it.
    """
    user, persistence, data = update.effective_user, context.application.persistence, context.user_data
    if user is None or persistence is None or data is None:
        return
    data.pop(APPLIED_KEY, None)
    data.pop(APPLIED_AT_KEY, None)
    if data:  # nothing kept, no row: a finished or forgotten flow leaves nothing behind
        data[APPLIED_KEY] = update.update_id
        data[APPLIED_AT_KEY] = deps(context).now().isoformat()
    await persistence.update_user_data(user.id, data)


def already_applied(update: Update, context: Context) -> bool:
    """This update changed the user data before a kill and comes again: it must not be applied twice.

    Not an update whose id only looks old because Telegram started ids again after a week
    without updates: the stored id counts for a bounded time (services/redelivery.py).
    """
    data = context.user_data or {}
    applied, at = data.get(APPLIED_KEY), data.get(APPLIED_AT_KEY)
    return delivered_again(
        update.update_id,
        applied if isinstance(applied, int) else None,
        _moment(at),
        deps(context).now(),
    )


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


async def flush_persistence(update: Update, context: Context) -> None:
    """Commit this person's conversation state and user data now, not at PTB's next interval."""
    user, chat = update.effective_user, update.effective_chat
    context.application.mark_data_for_update_persistence(
        chat_ids=chat.id if chat else None, user_ids=user.id if user else None
    )
    await context.application.update_persistence()


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> int | None:
    """Edit the message whose button was pressed, or answer a typed message with a new one; its id."""
    query = update.callback_query
    if query is not None and query.message is not None:
        message = query.message
        edit = edit_text(update.get_bot(), message.chat.id, message.message_id, text, markup)
        # Both at once: the spinner stops and the message changes in one round trip's time.
        await asyncio.gather(query.answer(), edit)
        return message.message_id
    return await _new_message(update, text, markup)


async def reply_for_sure(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A reply that carries an outcome (registered, application sent, left, data deleted).

    If Telegram does not take it now (a 5xx, a dropped connection, a flood wait left
    over), it is not lost: it becomes an outbox row on the sender's first lane, retried
    until Telegram takes it or refuses it for good.
    """
    try:
        await reply(update, text, markup)
    except (NetworkError, RetryAfter) as error:
        if update.effective_chat is None:
            raise
        log.warning("a reply was not taken (%s); it goes through the sender", error.message)
        d = deps(context)
        await outbox.queue_reply(d.db, update.effective_chat.id, text, markup.to_dict() if markup else None, d.now())
        d.sender.wake()


async def send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> int | None:
    """Always a new message (answering the button first, if any); its id."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await _new_message(update, text, markup)


async def send_file(update: Update, data: bytes, filename: str, caption: str = "", *, picture: bool = False) -> None:
    """A document (or, with `picture`, a photo) made in memory, to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    if picture:
        await chat.send_photo(BytesIO(data), caption=caption or None)
    else:
        await chat.send_document(BytesIO(data), filename=filename, caption=caption or None)


async def _new_message(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> int | None:
    if update.effective_chat is None:
        return None
    chat_id = update.effective_chat.id
    sent = await unread_call(update.get_bot(), "sendMessage", chat_id=chat_id, text=text, reply_markup=markup)
    return int(sent["message_id"]) if isinstance(sent, dict) and "message_id" in sent else None


async def show_profile_after(update: Update, context: Context, notice: str, *, new_message: bool) -> None:
    """After a /profile edit: what changed, then the profile card again, ready for the next change."""
    d = deps(context)
    _ = tr(update, context)
    person = await accounts.person(d.db, user_id(update))
    card = texts.profile_page(_, person, d.catalogue) if person is not None else ""
    text = "\n\n".join(part for part in (notice, card) if part)
    markup = keyboards.profile_fields(_) if person is not None else None
    await (send if new_message else reply)(update, text, markup)


async def refuse(update: Update, context: Context, refused: Refused) -> None:
    """A rule said no: tell the person politely, as an alert on a button or as a message."""
    _ = tr(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.refusal_alert(_, refused), show_alert=True)
    else:
        await _new_message(update, texts.refusal(_, refused), None)
