"""The bot's sending budget: BOT_MESSAGES_PER_SECOND shared by the replies and the sender.

Replies are never made to wait for the sender: they are only counted (PTB's
AIORateLimiter still caps them). The sender takes what is left of each second, so a
broadcast slows down while people are being answered, and the sum stays under the rate.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# The calls that count against Telegram's message limits.
MESSAGE_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto", "copyMessage"}
)
WINDOW = 1.0


class Pace:
    """Messages sent in the last second, by anyone; `slot()` waits until one more fits."""

    def __init__(self, per_second: float) -> None:
        self._limit = max(1, int(per_second))
        self._sent: deque[float] = deque()

    def record(self) -> None:
        self._sent.append(time.monotonic())

    async def slot(self) -> None:
        while True:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= WINDOW:
                self._sent.popleft()
            if len(self._sent) < self._limit:
                self.record()
                return
            await asyncio.sleep(self._sent[0] + WINDOW - now)


class CountingRateLimiter(AIORateLimiter):
    """PTB's limiter for the replies, which also tells the shared Pace of each message sent."""

    def __init__(self, pace: Pace, **limits: Any) -> None:
        super().__init__(**limits)
        self._pace = pace

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in MESSAGE_METHODS:
            self._pace.record()
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
