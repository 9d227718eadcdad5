"""Bot API calls whose answer nobody reads, and edits that may change nothing.

Shared by the replies (bot/chat/common.py) and the sender (bot/chat/sender.py).
"""

from __future__ import annotations

import warnings

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

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


def is_unchanged(error: BadRequest) -> bool:
    """Telegram refuses an edit that would leave the message exactly as it is."""
    return "message is not modified" in error.message.lower()


def allow_unread_calls() -> None:
    """PTB warns when do_api_request makes a call it has a typed method for; replies do so on purpose."""
    warnings.filterwarnings("ignore", r"Please use 'Bot\.(editMessageText|sendMessage)'", PTBUserWarning)


async def unread_call(bot: Bot, method: str, **params: object) -> None:
    """A Bot API call whose answer nobody reads, made without building a Message from it.

    Each button press edits its message and each typed answer gets a new one. PTB's
    typed methods construct the Message Telegram sends back, keyboard included: a
    third of such a call's CPU in bench/join_flow.py, for an object no handler reads.
    `do_api_request` is PTB's public way to call the Bot API and keep the raw answer;
    the rate limiter applies and errors are raised as for any other call.
    """
    await bot.do_api_request(method, api_kwargs={"parse_mode": PARSE_MODE, **params})
