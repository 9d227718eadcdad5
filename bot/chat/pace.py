"""The bot's sending budget: BOT_MESSAGES_PER_SECOND shared by the replies and the sender.

In any second the sum stays under the rate. Replies go first: the sender stops taking
places once four fifths of the second's budget is used, so at least a fifth is always
left for answers, and all of it when the sender is idle; a broadcast slows down while
people are being answered, never the other way round.

A flood wait (429) on a reply holds that chat only: PTB's limiter, when it retries
itself, pauses every request of the bot for the wait, so one person's flood would
silence the bot for everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

# The calls that count against Telegram's message limits.
MESSAGE_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto", "copyMessage"}
)
WINDOW = 1.0


SENDER_SHARE = 0.8  # of the budget, at most, for the sender: the rest is kept for replies


class Pace:
    """Messages sent in the last second, by anyone; a slot is taken only while the second has room."""

    def __init__(self, per_second: float) -> None:
        self._limit = max(1, int(per_second))
        self._sender_limit = max(1, int(self._limit * SENDER_SHARE))
        self._sent: deque[float] = deque()

    async def reply_slot(self) -> None:
        """A reply waits only when the whole second's budget is used."""
        await self._slot(self._limit)

    async def sender_slot(self) -> None:
        """The sender waits as soon as its share of the second is used (replies included)."""
        await self._slot(self._sender_limit)

    async def _slot(self, limit: int) -> None:
        while True:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= WINDOW:
                self._sent.popleft()
            if len(self._sent) < limit:
                self._sent.append(now)
                return
            await asyncio.sleep(self._sent[0] + WINDOW - now)


class ReplyLimiter(AIORateLimiter):
    """PTB's limiter for the replies: within the shared Pace, a 429 retried for its chat only."""

    def __init__(self, pace: Pace, overall_max_rate: float, retries: int = 2) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=0)  # its retries pause everyone
        self._pace = pace
        self._retries = retries
        self._held_until: dict[object, float] = {}  # chat id → end of its flood wait (monotonic)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        for attempt in range(self._retries + 1):
            await self._wait_for(chat)
            if endpoint in MESSAGE_METHODS:
                await self._pace.reply_slot()
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except RetryAfter as error:
                if attempt == self._retries:
                    raise
                self._held_until[chat] = time.monotonic() + retry_seconds(error.retry_after)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _wait_for(self, chat: object) -> None:
        until = self._held_until.get(chat)
        if until is None:
            return
        if (wait := until - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        self._held_until.pop(chat, None)


def retry_seconds(retry_after: float | timedelta) -> float:
    """PTB 22 gives an int, or a timedelta once PTB_TIMEDELTA is set (the default in PTB 23)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class _RetriedHere(logging.Filter):
    """With max_retries=0 PTB's limiter logs every 429 with a traceback; ReplyLimiter handles them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum of")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_RetriedHere())
