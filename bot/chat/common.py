"""One way to reply, to keep a flow's answers across a kill, and to say a polite no."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import NetworkError, RetryAfter

from bot.chat.calls import edit_text, unread_call
from bot.chat.context import BotContext
from bot.chat.keys import APPLIED_AT_KEY, APPLIED_KEY
from bot.i18n import Translate
from bot.services.errors import Refused
from bot.services.redelivery import delivered_again
from bot.storage import outbox
from bot.views import words

log = logging.getLogger("bot")


async def save_user_data(update: Update, context: BotContext) -> None:
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
        data[APPLIED_AT_KEY] = context.deps.now().isoformat()
    await persistence.update_user_data(user.id, data)


def already_applied(update: Update, context: BotContext) -> bool:
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
        context.deps.now(),
    )


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


async def flush_persistence(update: Update, context: BotContext) -> None:
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
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
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
        d = context.deps
        await outbox.queue_reply(d.db, update.effective_chat.id, text, markup.to_dict() if markup else None, d.now())
        d.sender.wake()


async def send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> int | None:
    """Always a new message (answering the button first, if any); its id."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await _new_message(update, text, markup)


async def acknowledge(update: Update, text: str) -> None:
    """What a decision did, said to whoever decided: an alert on the button pressed, else a message (a decision
    typed, such as a reason)."""
    if update.callback_query is not None:
        await update.callback_query.answer(words.alert(text))
    else:
        await send(update, text)


async def send_file(update: Update, data: bytes, filename: str, caption: str = "", *, picture: bool = False) -> None:
    """A document (or, with `picture`, a photo) made in memory, to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    if picture:
        await chat.send_photo(BytesIO(data), caption=caption or None)
    else:
        await chat.send_document(BytesIO(data), filename=filename, caption=caption or None)


async def send_stored_document(update: Update, file_id: str, name: str) -> None:
    """A document already on Telegram's servers, sent again by its file_id (the bot never downloads it), its
    name as the caption; the button pressed is answered first."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if update.effective_chat is not None:
        await update.effective_chat.send_document(file_id, caption=name[:1024] or None, parse_mode=None)


async def _new_message(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> int | None:
    if update.effective_chat is None:
        return None
    chat_id = update.effective_chat.id
    sent = await unread_call(update.get_bot(), "sendMessage", chat_id=chat_id, text=text, reply_markup=markup)
    return int(sent["message_id"]) if isinstance(sent, dict) and "message_id" in sent else None


async def refuse(update: Update, context: BotContext, refused: Refused) -> None:
    """A rule said no: tell the person politely, as an alert on a button or as a message."""
    if update.callback_query is not None:
        await update.callback_query.answer(context.refusal_alert(refused), show_alert=True)
    else:
        await _new_message(update, context.refusal(refused), None)


def words_expected(ask: Callable[[Translate], str]) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """The handler of a sticker, photo or file sent where a flow waits for typed words: `ask`, the flow's own words
    (from its views), says what it waits for; returning nothing, the conversation stays in its state."""

    async def expected(update: Update, context: BotContext) -> None:
        await send(update, ask(context.tr))

    return expected
