"""The one background sender: drains the outbox at Telegram's pace, so handlers only queue rows.

Why a single task with its own pacing rather than PTB's rate limiter: the limiter pauses
every request of the bot on one 429, and a broadcast sent through it would starve the
answers to people in front of the bot. Here a row's failure or flood wait delays that
row (and its chat) only, notices go before bulk rows, and the overall pace stays under
`BOT_MESSAGES_PER_SECOND` with no chat getting more than about a message a second.

Delivery is at least once: a row is marked sent after Telegram accepted it, so a kill
repeats at most the messages in flight. Rows of one chat go out one at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.chat.calls import edit_text
from bot.chat.pace import Pace, retry_seconds
from bot.i18n import Translate, translator
from bot.models import ContentType, OutboxItem
from bot.services import notices
from bot.services.clock import utc_now
from bot.storage import outbox

if TYPE_CHECKING:
    from bot.chat.common import Deps

log = logging.getLogger("bot.sender")


@dataclass(frozen=True)
class WithFile:
    """A photo or document already on Telegram's servers, sent again by its file_id."""

    content_type: ContentType
    file_id: str
    caption: str


class GroupStep(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    REMOVE = "remove"  # ban then unban: out of the group, free to come back through the bot


@dataclass(frozen=True)
class GroupAction:
    """Not a message: a decision on someone's place in a task force's group chat."""

    step: GroupStep
    chat_id: int
    user_id: int


@dataclass(frozen=True)
class Skip:
    """Not to be sent after all, for a reason the counts keep (an announcement turned off since)."""

    reason: str


Rendered = tuple[str, InlineKeyboardMarkup | None] | WithFile | GroupAction | Skip
Renderer = Callable[["Deps", OutboxItem, Translate], Awaitable[Rendered | None]]
AfterSend = Callable[["Deps", OutboxItem, int], Awaitable[None]]
Settled = Callable[["Deps", OutboxItem], Awaitable[None]]

MAX_ATTEMPTS = 5  # by default; 2 + 4 + 8 + 16 s of retries
MAX_IN_FLIGHT = 32
BATCH = 20  # rows read at a time: small, so a notice queued now overtakes bulk rows within a second
CHAT_INTERVAL = 1.0  # Telegram: about one message a second to one chat...
CHAT_BURST = 3  # ...short bursts pass
CHAT_SLACK = (CHAT_BURST - 1) * CHAT_INTERVAL
IDLE_WAIT = 5.0  # with nothing due, look again at least this often
MAX_DELAY = 300.0  # between two attempts
STOP_GRACE = 0.5  # SIGTERM must stop the bot within a second


@dataclass(frozen=True)
class OutboxKind:
    """A kind of outbox row: how to write it, and what to do once Telegram took it."""

    name: str
    render: Renderer
    after_send: AfterSend | None = None
    max_attempts: int = MAX_ATTEMPTS  # network errors and 5xx: then the row fails with the reason
    settled: Settled | None = None  # once the row is sent or has failed for good


async def deliver(bot: Bot, chat_id: int, rendered: Rendered, edit_message_id: int | None = None) -> int | None:
    """Send (or edit, given the message) what a renderer made; the new message's id (None for an edit)."""
    if isinstance(rendered, Skip):
        return None
    if isinstance(rendered, GroupAction):
        await _act_in_group(bot, rendered)
        return None
    if isinstance(rendered, WithFile):
        send = bot.send_photo if rendered.content_type is ContentType.PHOTO else bot.send_document
        return (await send(chat_id, rendered.file_id, caption=rendered.caption)).message_id
    text, markup = rendered
    if edit_message_id is not None:
        await edit_text(bot, chat_id, edit_message_id, text, markup)
        return None
    message = await bot.send_message(chat_id, text, reply_markup=markup)
    return message.message_id


async def _act_in_group(bot: Bot, action: GroupAction) -> None:
    if action.step is GroupStep.APPROVE:
        await bot.approve_chat_join_request(action.chat_id, action.user_id)
    elif action.step is GroupStep.DECLINE:
        await bot.decline_chat_join_request(action.chat_id, action.user_id)
    else:
        await bot.ban_chat_member(action.chat_id, action.user_id)
        await bot.unban_chat_member(action.chat_id, action.user_id, only_if_banned=True)


class Sender:
    """Start with `start()`, wake with `wake()` after queueing rows, stop with `stop()`."""

    def __init__(self, deps: Deps, bot: Bot, pace: Pace, kinds: Iterable[OutboxKind]) -> None:
        self._deps = deps
        self._bot = bot
        self._pace = pace
        self._kinds = {kind.name: kind for kind in kinds}
        self._interval = 1.0 / deps.settings.messages_per_second
        self._next_slot = 0.0
        # Per chat, the generic cell rate algorithm's clock (monotonic): a chat may get a message
        # while its clock is at most CHAT_SLACK ahead of now, and each message moves it on a second.
        self._chat_clock: dict[int, float] = {}
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # chat id → its delivery
        self._wake = asyncio.Event()  # look at the outbox again: rows queued, or a chat became free
        self._queued = asyncio.Event()  # rows were queued (or changed) since the rows in hand were read
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """Deliveries are in flight."""
        return bool(self._in_flight)

    def wake(self) -> None:
        """Rows were queued (or paused, or cancelled): look at the outbox now."""
        self._queued.set()
        self._wake.set()

    async def start(self) -> None:
        await self._bot.initialize()
        self._task = asyncio.create_task(self._run(), name="outbox sender")

    async def stop(self) -> None:
        """Stop soon: deliveries in flight get a moment to be marked, then are cut (and go out after a restart)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=STOP_GRACE)
        for task in list(self._in_flight.values()):
            task.cancel()
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        await self._bot.shutdown()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            self._queued.clear()
            try:
                sent_any = await self._send_due()
            except Exception:  # the database or a bug: log, and try again shortly
                log.exception("outbox sender failed; trying again")
                sent_any = False
            if not sent_any:
                idle = await self._idle_time()
                # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a cancellation (bpo-42130).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(idle):
                        await self._wake.wait()

    async def _send_due(self) -> bool:
        """Start the deliveries that may go now; False when none could."""
        now = time.monotonic()
        # Only chats written to in the last few seconds have a clock ahead of now: the dict stays small.
        self._chat_clock = {chat: at for chat, at in self._chat_clock.items() if at > now}
        waiting = frozenset(self._in_flight) | {chat for chat, at in self._chat_clock.items() if at - now > CHAT_SLACK}
        rows = await outbox.due(self._deps.db, utc_now(), BATCH, waiting)
        started = False
        for item in rows:
            if item.chat_id in self._in_flight:
                continue  # one message at a time per chat, in order
            if self._queued.is_set():
                break  # something new was queued: read again, it may go first
            await self._take_slot(item.chat_id)
            self._in_flight[item.chat_id] = asyncio.create_task(self._deliver(item))
            started = True
        return started

    async def _take_slot(self, chat_id: int) -> None:
        """Wait for the overall pace and for a place in flight; book the chat's next slot."""
        while len(self._in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(list(self._in_flight.values()), return_when=asyncio.FIRST_COMPLETED)
        now = time.monotonic()
        self._next_slot = max(self._next_slot + self._interval, now)
        if self._next_slot > now:
            await asyncio.sleep(self._next_slot - now)
        await self._pace.sender_slot()  # its share of this second, replies counted
        self._chat_clock[chat_id] = max(self._chat_clock.get(chat_id, 0.0), time.monotonic()) + CHAT_INTERVAL

    async def _idle_time(self) -> float:
        """How long to wait when nothing could go: until a chat frees up or a postponed row falls due."""
        now = time.monotonic()
        waits = [at - CHAT_SLACK - now for at in self._chat_clock.values() if at - CHAT_SLACK > now]  # blocked chats
        postponed = await outbox.next_attempt(self._deps.db)
        if postponed is not None:
            waits.append((postponed - utc_now()).total_seconds())
        return max(0.01, min([IDLE_WAIT, *waits]))

    async def _deliver(self, item: OutboxItem) -> None:
        kind = self._kinds.get(item.kind)
        try:
            settled = await self._attempt(item, kind)
            if settled and kind is not None and kind.settled is not None:
                await kind.settled(self._deps, item)
        except Exception:
            log.exception("outbox %s (%s): delivery failed unexpectedly", item.id, item.kind)
            await outbox.mark_failed(self._deps.db, item.id, "internal error", utc_now())
        finally:
            self._in_flight.pop(item.chat_id, None)
            self._wake.set()

    async def _attempt(self, item: OutboxItem, kind: OutboxKind | None) -> bool:
        """Send the row once; True when it is settled (sent or failed), False when it waits for another try."""
        d = self._deps
        if kind is None:
            log.error("outbox %s: no renderer for kind %r", item.id, item.kind)
            await outbox.mark_failed(d.db, item.id, f"unknown kind {item.kind}", utc_now())
            return True
        if not await outbox.still_due(d.db, item.id, utc_now()):
            return False  # paused, cancelled or forgotten since it was read: left as it now is
        _ = translator(await notices.language_of(d.db, item.chat_id))
        rendered = await kind.render(d, item, _)
        if rendered is None:  # nothing left to say (e.g. the person deleted their data)
            await outbox.mark_sent(d.db, item.id, utc_now())
            return True
        if isinstance(rendered, Skip):
            await outbox.mark_failed(d.db, item.id, f"skipped: {rendered.reason}", utc_now())
            return True
        try:
            message_id = await self._send(item, rendered)
        except RetryAfter as error:
            await self._flood_wait(item, retry_seconds(error.retry_after))
            return False
        except Forbidden as error:
            log.info("outbox %s: the recipient cannot be reached: %s", item.id, error.message)
            await notices.mark_unreachable(d.db, item.chat_id, utc_now())
            d.seen_users.pop(item.chat_id, None)  # their next message clears the mark
            await outbox.mark_failed(d.db, item.id, f"unreachable: {error.message}", utc_now())
        except BadRequest as error:
            log.warning("outbox %s (%s) refused: %s", item.id, item.kind, error.message)
            await outbox.mark_failed(d.db, item.id, f"refused: {error.message}", utc_now())
        except TelegramError as error:
            return await self._retry_later(item, error, kind.max_attempts)
        else:
            if kind.after_send is not None and message_id is not None:
                await kind.after_send(d, item, message_id)
            await outbox.mark_sent(d.db, item.id, utc_now())
        return True

    async def _send(self, item: OutboxItem, rendered: Rendered) -> int | None:
        return await deliver(self._bot, item.chat_id, rendered, item.edit_message_id)

    async def _flood_wait(self, item: OutboxItem, seconds: float) -> None:
        """Telegram asked this chat to wait: this row and chat only, for exactly that long."""
        log.warning("outbox %s: flood wait of %.0f s for its chat", item.id, seconds)
        self._chat_clock[item.chat_id] = time.monotonic() + seconds + CHAT_SLACK
        await outbox.postpone(self._deps.db, item.id, utc_now() + timedelta(seconds=seconds), attempt=False)

    async def _retry_later(self, item: OutboxItem, error: TelegramError, max_attempts: int) -> bool:
        """Postpone the row (False), or fail it once it has had its attempts (True: settled)."""
        attempts = item.attempts + 1
        if attempts >= max_attempts:
            log.warning("outbox %s (%s) failed after %s attempts: %s", item.id, item.kind, attempts, error.message)
            await outbox.mark_failed(self._deps.db, item.id, f"{type(error).__name__}: {error.message}", utc_now())
            return True
        delay = min(2.0**attempts, MAX_DELAY)  # 2, 4, 8, 16 s…
        log.warning("outbox %s not sent yet (%s); attempt %s in %.0f s", item.id, error.message, attempts + 1, delay)
        await outbox.postpone(self._deps.db, item.id, utc_now() + timedelta(seconds=delay), attempt=True)
        return False
