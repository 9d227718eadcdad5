"""The bot's sending budget: one second shared by the replies and the sender.

The sender sends up to BOT_MESSAGES_PER_SECOND itself, so a broadcast runs at the
configured rate. Replies come on top, up to what Telegram allows overall (about 30 a
second, a little kept as margin): at the default 25 that is a few answers a second at
once, and when people keep writing, the sender finds the second full and yields to them.
A broadcast slows down while people are being answered, never the other way round, and
the sum stays under Telegram's limit.

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


TELEGRAM_OVERALL = 28  # messages a second: Telegram allows about 30; two kept for timing jitter


class Pace:
    """Messages sent in the last second: by anyone, and by the sender; a slot is taken only while
    the second has room."""

    def __init__(self, per_second: float) -> None:
        self._sender_limit = max(1, int(per_second))
        self._limit = max(self._sender_limit, TELEGRAM_OVERALL)  # paid broadcasts go beyond 30
        self._everyone: deque[float] = deque()
        self._sender: deque[float] = deque()

    async def reply_slot(self) -> None:
        """A reply waits only when the second is full up to Telegram's limit."""
        while (wait := self._wait(self._everyone, self._limit)) > 0:
            await asyncio.sleep(wait)
        self._everyone.append(time.monotonic())

    async def sender_slot(self) -> None:
        """The sender waits once it has sent the configured rate in this second, or once replies
        and the sender together fill what Telegram allows: then the replies go first."""
        while (wait := max(self._wait(self._sender, self._sender_limit), self._wait(self._everyone, self._limit))) > 0:
            await asyncio.sleep(wait)
        now = time.monotonic()
        self._everyone.append(now)
        self._sender.append(now)

    @staticmethod
    def _wait(sent: deque[float], limit: int) -> float:
        """Seconds until `sent` has room for one more within the window (0: room now)."""
        now = time.monotonic()
        while sent and now - sent[0] >= WINDOW:
            sent.popleft()
        return 0.0 if len(sent) < limit else sent[0] + WINDOW - now


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
