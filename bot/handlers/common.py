"""What every handler needs: the wiring, the person's language, and one way to reply."""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, ContextTypes
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, Translate, language_for, translator
from bot.models import Catalogue
from bot.services.clock import Clock
from bot.services.errors import Refused
from bot.services.joining import JoinRules
from bot.storage.database import Database
from bot.views import texts

log = logging.getLogger("bot")
# Every text is written as HTML; the Application's Defaults say the same to PTB's typed methods.
PARSE_MODE = ParseMode.HTML

Context = ContextTypes.DEFAULT_TYPE
Handler = BaseHandler[Any, Any, Any]
DEPS_KEY = "deps"


@dataclass
class Deps:
    """Long-lived objects the handlers share; kept in (unpersisted) bot_data."""

    settings: Settings
    catalogue: Catalogue
    db: Database
    clock: Clock
    alerts_sent: dict[str, datetime] = field(default_factory=dict)
    outbox_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    seen_users: dict[int, tuple[str | None, str, str | None]] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)

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
    """The person's chosen language (cached from the database), else their Telegram's."""
    user = update.effective_user
    if user is None:
        return DEFAULT_LANGUAGE
    return deps(context).languages.get(user.id) or language_for(user.language_code)


def tr(update: Update, context: Context) -> Translate:
    return translator(language(update, context))


async def save_user_data(update: Update, context: Context) -> None:
    """Commit this person's user data (the join draft) before the reply that shows it goes out.

    So an answered step is never lost to a SIGKILL. Written straight to the
    persistence: PTB's own flush (`flush_persistence`, after the update, once the
    conversation's new state is known) deep-copies all it writes, and would find
    this row unchanged.
    """
    user, persistence = update.effective_user, context.application.persistence
    if user is not None and persistence is not None:
        await persistence.update_user_data(user.id, context.application.user_data.get(user.id, {}))


async def flush_persistence(update: Update, context: Context) -> None:
    """Commit this person's conversation state and user data now, not at PTB's next interval."""
    user, chat = update.effective_user, update.effective_chat
    context.application.mark_data_for_update_persistence(
        chat_ids=chat.id if chat else None, user_ids=user.id if user else None
    )
    await context.application.update_persistence()


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message whose button was pressed, or answer a typed message with a new one."""
    query = update.callback_query
    if query is not None and query.message is not None:
        message = query.message
        edit = edit_text(update.get_bot(), message.chat.id, message.message_id, text, markup)
        # Both at once: the spinner stops and the message changes in one round trip's time.
        await asyncio.gather(query.answer(), edit)
    else:
        await _new_message(update, text, markup)


async def send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Always a new message (answering the button first, if any)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _new_message(update, text, markup)


async def edit_text(bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message; one already showing exactly this (a double tap, a repeated notice) is fine."""
    try:
        await _unread_call(
            bot, "editMessageText", chat_id=chat_id, message_id=message_id, text=text, reply_markup=markup
        )
    except BadRequest as error:
        if not _is_unchanged(error):
            raise


def _is_unchanged(error: BadRequest) -> bool:
    """Telegram refuses an edit that would leave the message exactly as it is."""
    return "message is not modified" in error.message.lower()


async def _new_message(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if update.effective_chat is not None:
        chat_id = update.effective_chat.id
        await _unread_call(update.get_bot(), "sendMessage", chat_id=chat_id, text=text, reply_markup=markup)


def allow_unread_calls() -> None:
    """PTB warns when do_api_request makes a call it has a typed method for; replies do so on purpose."""
    warnings.filterwarnings("ignore", r"Please use 'Bot\.(editMessageText|sendMessage)'", PTBUserWarning)


async def _unread_call(bot: Bot, method: str, **params: object) -> None:
    """A Bot API call whose answer nobody reads, made without building a Message from it.

    Each button press edits its message and each typed answer gets a new one. PTB's
    typed methods construct the Message Telegram sends back, keyboard included: a
    third of such a call's CPU in bench/join_flow.py, for an object no handler reads.
    `do_api_request` is PTB's public way to call the Bot API and keep the raw answer;
    the rate limiter applies and errors are raised as for any other call.
    """
    await bot.do_api_request(method, api_kwargs={"parse_mode": PARSE_MODE, **params})


async def refuse(update: Update, context: Context, refused: Refused) -> None:
    """A rule said no: tell the person politely, as an alert on a button or as a message."""
    text = texts.refusal(tr(update, context), refused)
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
    else:
        await _new_message(update, text, None)
