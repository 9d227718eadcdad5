"""How fast the bot may write, counted as Telegram counts.

Telegram's own word (TDLib's maintainers in tdlib/td issue 3034 and
tdlib/telegram-bot-api issue 648, and the Bot API FAQ): there is no global limit on
the messages a bot sends; about 30 a second is the limit for *broadcasting*, that is
messages to people who did not just write; to one chat about one message a second,
short bursts allowed, sends and edits sharing it; 20 a minute to one group;
answerCallbackQuery is not limited; paid broadcasts (`allow_paid_broadcast`) go up
to 1 000 a second.

So there are two kinds of budget:

- `ChatPace`, per chat, shared by the replies and the sender: a burst, then about
  one a second (20 a minute in a group). An answer to someone who just wrote waits
  for nothing else: not for the broadcast, not for other people.
- `Budget`, the sender's messages to people who did not just write (broadcasts,
  Delphi invitations and reminders, notices, digests): `BOT_MESSAGES_PER_SECOND`,
  and a second one for paid broadcasts.

A 429 holds its chat for exactly `retry_after`, and, when it answered a message to
someone who did not just write, the budget that message drew on.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

# The calls that count against Telegram's message limits (answerCallbackQuery does not).
MESSAGE_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto", "copyMessage"}
)
WINDOW = 1.0
COSMETIC = "cosmetic"  # rate_limit_args of a call that may be left out (buttons taken off an answered question)


PRIVATE_INTERVAL = 1.0  # about one message a second to a person, after a short burst (BOT_CHAT_BURST)
GROUP_PER_MINUTE = 20
ROUNDING = 1e-9  # seconds: a wait shorter than this is the arithmetic's, not Telegram's


class Window:
    """At most `limit` messages in any `seconds`, as Telegram counts a group's minute and the broadcasts' second."""

    def __init__(self, limit: int, seconds: float) -> None:
        self._limit = limit
        self._seconds = seconds
        self._times: deque[float] = deque()

    def wait(self, now: float, spare: int = 0) -> float:
        """Seconds until one more may go and leave `spare` places of the window (0: now)."""
        while self._times and self._times[0] <= now - self._seconds:
            self._times.popleft()
        room = self._limit - min(spare, self._limit - 1)
        return 0.0 if len(self._times) < room else self._times[len(self._times) - room] + self._seconds - now

    def add(self, now: float) -> None:
        self._times.append(now)

    def idle(self, now: float) -> bool:
        """Nothing in the window any more: it may be forgotten."""
        return not self._times or self._times[-1] <= now - self._seconds


class ChatPace:
    """Per chat, when the next message may go.

    To a person: the generic cell rate algorithm (a burst of BOT_CHAT_BURST, then one every
    second), kept as each chat's theoretical arrival time. To a group (negative ids in the Bot
    API): at most 20 in any 60 s, kept as the times of its last messages. Only chats written
    to lately are kept, so the maps stay small whatever the number of people.
    """

    def __init__(self, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._burst = burst
        self._due: dict[int, float] = {}  # person → theoretical arrival time
        self._recent: dict[int, Window] = {}  # group → its messages of the last minute
        self._held: dict[int, float] = {}  # chat → end of the flood wait Telegram asked for

    def wait(self, chat_id: int, spare: int = 0) -> float:
        """Seconds until a message may go to the chat and leave `spare` places of its burst (0: now)."""
        now = self._clock()
        limit = self._group_wait(chat_id, spare, now) if chat_id < 0 else self._person_wait(chat_id, spare, now)
        wait = max(self._held.get(chat_id, now) - now, limit)
        return wait if wait > ROUNDING else 0.0

    def _person_wait(self, chat_id: int, spare: int, now: float) -> float:
        ahead = self._due.get(chat_id, now) - now  # how far the chat's clock runs ahead of now
        return ahead - (self._burst - 1 - min(spare, self._burst - 1)) * PRIVATE_INTERVAL

    def _group_wait(self, chat_id: int, spare: int, now: float) -> float:
        recent = self._recent.get(chat_id)
        return recent.wait(now, spare) if recent is not None else 0.0

    def take(self, chat_id: int) -> None:
        """One message goes to the chat now."""
        now = self._clock()
        if chat_id < 0:
            self._recent.setdefault(chat_id, Window(GROUP_PER_MINUTE, 60.0)).add(now)
        else:
            self._due[chat_id] = max(self._due.get(chat_id, now), now) + PRIVATE_INTERVAL

    async def slot(self, chat_id: int) -> None:
        """Wait for the chat's own limit, then take a place (several callers may wait for one chat)."""
        while (seconds := self.wait(chat_id)) > 0:
            await asyncio.sleep(seconds)
        self.take(chat_id)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked this chat to wait: nothing goes to it for exactly `seconds`."""
        until = self._clock() + seconds
        self._held[chat_id] = max(self._held.get(chat_id, until), until)

    def busy(self, spare: int = 0) -> frozenset[int]:
        """The chats that cannot take a message now (leaving `spare` places); forgets the idle ones."""
        now = self._clock()
        self._due = {chat: due for chat, due in self._due.items() if due > now}
        self._recent = {chat: window for chat, window in self._recent.items() if not window.idle(now)}
        self._held = {chat: until for chat, until in self._held.items() if until > now}
        return frozenset(chat for chat in self._known() if self.wait(chat, spare) > 0)

    def next_free(self, spare: int = 0) -> float | None:
        """Seconds until the first busy chat can take a message again (None: none is busy)."""
        waits = [wait for chat in self._known() if (wait := self.wait(chat, spare)) > 0]
        return min(waits, default=None)

    def _known(self) -> set[int]:
        return {*self._due, *self._recent, *self._held}


class Budget:
    """Messages a second across chats, for messages to people who did not just write.

    Two gates: deliveries start evenly spaced (`slot`, one every 1/rate s), and each request
    leaves only while the last second holds fewer than the rate (`admit`, just before it goes):
    a delivery slowed by its rendering, followed by others on time, cannot put one message
    too many in Telegram's window.
    """

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._held_until = 0.0
        self._sent = Window(max(1, math.floor(per_second)), WINDOW)

    async def slot(self) -> None:
        """The next start, evenly spaced."""
        now = time.monotonic()
        self._next = max(self._next + self._interval, now)
        if self._next > now:
            await asyncio.sleep(self._next - now)

    async def admit(self) -> None:
        """The request goes now: past any flood wait, within the last second's count."""
        while (seconds := max(self._held_until - time.monotonic(), self._sent.wait(time.monotonic()))) > 0:
            await asyncio.sleep(seconds)
        self._sent.add(time.monotonic())

    def hold(self, seconds: float) -> None:
        """A 429 on a message this budget paid for: nothing more for exactly `seconds`, started or not."""
        self._held_until = max(self._held_until, time.monotonic() + seconds)
        self._next = max(self._next, self._held_until - self._interval)


class NoRoom(TelegramError):
    """A cosmetic call left out: the chat had no room to spare for it without delaying an answer."""


Result = bool | dict[str, Any] | list[dict[str, Any]]


class ReplyLimiter(BaseRateLimiter[str]):
    """The replies' limiter: each chat's own limit only, and a 429 retried for its chat only.

    PTB's AIORateLimiter counts every call against one overall rate and pauses every request
    of the bot on one 429: an answer would wait behind other people, and one person's flood
    would silence the bot for everyone.
    """

    def __init__(self, chats: ChatPace, retries: int = 2) -> None:
        self._chats = chats
        self._retries = retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        if endpoint not in MESSAGE_METHODS or not isinstance(chat, int):
            return await callback(*args, **kwargs)
        if rate_limit_args == COSMETIC:  # now or never: it must not take the place of an answer
            if self._chats.wait(chat, spare=1) > 0:
                raise NoRoom("no room in the chat just now")
            self._chats.take(chat)
            return await self._held_on_429(chat, callback(*args, **kwargs))
        for attempt in range(self._retries + 1):
            await self._chats.slot(chat)
            try:
                return await self._held_on_429(chat, callback(*args, **kwargs))
            except RetryAfter:
                if attempt == self._retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _held_on_429(self, chat: int, call: Coroutine[Any, Any, Result]) -> Result:
        """The call's answer; a 429 holds its chat (for the sender too) before it is raised."""
        try:
            return await call
        except RetryAfter as error:
            self._chats.hold(chat, retry_seconds(error.retry_after))
            raise


def retry_seconds(retry_after: float | timedelta) -> float:
    """PTB 22 gives an int, or a timedelta once PTB_TIMEDELTA is set (the default in PTB 23)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
