"""Bot API calls whose answer nobody reads, and edits that may change nothing.

Shared by the replies (bot/chat/common.py) and the sender (bot/chat/sender.py).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.chat.pace import COSMETIC

log = logging.getLogger("bot")
# Every text is written as HTML; the Application's Defaults say the same to PTB's typed methods.
PARSE_MODE = ParseMode.HTML


async def edit_text(bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message; one already showing exactly this (a double tap, a repeated notice) is fine."""
    try:
        await unread_call(
            bot, "editMessageText", chat_id=chat_id, message_id=message_id, text=text, reply_markup=markup
        )
    except BadRequest as error:
        if not is_unchanged(error):
            raise


async def edit_markup(bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup) -> None:
    """New buttons under a message whose text stays; a double tap that changes nothing is fine."""
    try:
        await unread_call(bot, "editMessageReplyMarkup", chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as error:
        if not is_unchanged(error):
            raise


def is_unchanged(error: BadRequest) -> bool:
    """Telegram refuses an edit that would leave the message exactly as it is."""
    return "message is not modified" in error.message.lower()


def quiet_known_ptb_warnings() -> None:
    """Two warnings PTB gives on every call of a kind we make on purpose.

    do_api_request for a method PTB has a typed method for (replies do so: see
    unread_call); and RetryAfter.retry_after, read by PTB itself on every 429, which
    becomes a timedelta in PTB 23 (the sender accepts both).
    """
    warnings.filterwarnings(
        "ignore", r"Please use 'Bot\.(editMessageText|editMessageReplyMarkup|sendMessage)'", PTBUserWarning
    )
    warnings.filterwarnings("ignore", r".*attribute `retry_after` will be of type", PTBDeprecationWarning)


async def drop_buttons(bot: ExtBot[Any], chat_id: int, message_id: int) -> None:
    """Take the buttons off a question already answered: only the open question keeps live ones.

    Cosmetic, so made after the answer and only when the chat has room to spare (its buttons
    are inert anyway): a message already without buttons, gone, or a chat with no room just
    now is left as it is.
    """
    try:
        await bot.do_api_request(
            "editMessageReplyMarkup",
            api_kwargs={"chat_id": chat_id, "message_id": message_id},
            rate_limit_args=COSMETIC,
        )
    except TelegramError as error:
        log.debug("buttons of message %s left: %s", message_id, error.message)


async def unread_call(bot: Bot, method: str, **params: object) -> Any:
    """A Bot API call whose answer nobody reads, made without building a Message from it.

    Each button press edits its message and each typed answer gets a new one. PTB's
    typed methods construct the Message Telegram sends back, keyboard included: a
    third of such a call's CPU in bench/join_flow.py, for an object no handler reads.
    `do_api_request` is PTB's public way to call the Bot API and keep the raw answer
    (returned: a dict for a sent message); the rate limiter applies and errors are
    raised as for any other call.
    """
    return await bot.do_api_request(method, api_kwargs={"parse_mode": PARSE_MODE, **params})
