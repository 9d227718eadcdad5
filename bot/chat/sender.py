"""The one background sender: drains the outbox at Telegram's pace, so handlers only queue rows.

Why a single task with its own pacing rather than PTB's rate limiter: the limiter pauses
every request of the bot on one 429, and a broadcast sent through it would starve the
answers to people in front of the bot. Here a row's failure delays that row only, a flood
wait that row, its chat and the budget it drew on, notices go before bulk rows, messages to people who did not
just write stay under `BOT_MESSAGES_PER_SECOND` (announcements under the paid budget
with BOT_PAID_BROADCAST), and each chat keeps its own limit, shared with the replies
and with a place left for an answer (bot/chat/pace.py).

Delivery is at least once: a row is marked sent after Telegram accepted it, so a kill
repeats at most the messages in flight. Rows of one chat go out one at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypedDict, TypeVar, Unpack, overload

from pydantic import ValidationError
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.chat.calls import edit_text
from bot.chat.pace import Budget, ChatPace, retry_seconds
from bot.config import Settings
from bot.i18n import Translate, translator
from bot.models import ContentType, OutboxItem, Payload
from bot.services import contacts
from bot.services.clock import utc_now
from bot.services.groups import GroupStep
from bot.storage import outbox
from bot.storage.database import Database

log = logging.getLogger("bot.sender")


@dataclass(frozen=True)
class WithFile:
    """A photo or document already on Telegram's servers, sent again by its file_id."""

    content_type: ContentType
    file_id: str
    caption: str


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


class Wiring(Protocol):
    """What the sender itself needs of the wiring it hands to the renderers."""

    settings: Settings
    db: Database
    seen_users: dict[int, tuple[str | None, str, str | None]]


Rendered = tuple[str, InlineKeyboardMarkup | None] | WithFile | GroupAction | Skip
W = TypeVar("W", bound=Wiring)
Counted = Callable[[str], None]  # told a row's outcome: sent, refused, unreachable, flood_wait, retry, failed
P = TypeVar("P")  # what a kind's rows carry: its `Payload` model, or None for a kind that carries nothing
M = TypeVar("M", bound=Payload)
# Given the row's payload, validated against the kind's model, instead of reading its JSON.
Renderer = Callable[[W, OutboxItem, P, Translate], Awaitable[Rendered | None]]
AfterSend = Callable[[W, OutboxItem, P, int], Awaitable[None]]  # with the new message's id
Settled = Callable[[W, OutboxItem], Awaitable[None]]

MAX_ATTEMPTS = 5  # by default; 2 + 4 + 8 + 16 s of retries
MAX_IN_FLIGHT = 32
BATCH = 20  # rows read at a time: small, so a notice queued now overtakes bulk rows within a second
FOR_ANSWERS = 1  # places of a chat's burst the sender leaves to the answers to that person
PAID_PER_SECOND = 1000  # Telegram's paid broadcasts (allow_paid_broadcast)
ORDER_MARGIN = 0.2  # seconds: a row held by a flood wait is due this much before its chat is free again
IDLE_WAIT = 5.0  # with nothing due, look again at least this often
MAX_DELAY = 300.0  # between two attempts
STOP_GRACE = 0.5  # SIGTERM must stop the bot within a second


if TYPE_CHECKING:

    class KindOptions(TypedDict, Generic[W], total=False):
        """The rest of `OutboxKind`'s fields, which do not depend on the payload, for its overloads."""

        max_attempts: int
        settled: Settled[W] | None
        answer: bool
        announcement: bool
        message: bool


@dataclass(frozen=True)
class OutboxKind(Generic[W]):
    """A kind of outbox row: what its rows carry, how to write it, and what to do once Telegram took it.

    Not generic in the payload, so that a feature's kinds of different payloads make one tuple; the
    constructor's overloads tie each renderer to its kind's payload instead (None for a kind that carries none).
    """

    name: str
    render: Renderer[W, Any]
    payload: type[Payload] | None = None  # the model a row's JSON must fit before it is rendered
    after_send: AfterSend[W, Any] | None = None
    max_attempts: int = MAX_ATTEMPTS  # network errors and 5xx: then the row fails with the reason
    settled: Settled[W] | None = None  # once sent, or failed for good
    answer: bool = False  # to someone who just wrote: counted against their chat only, not the budget
    announcement: bool = False  # a broadcast: a paid one with BOT_PAID_BROADCAST
    message: bool = True  # False: a decision on a group's member, which Telegram's message limits do not count

    if TYPE_CHECKING:
        # For mypy only (the dataclass makes the real one): the renderer and after_send of a kind without a
        # payload take None, those of a kind with one take its model, so that neither expects what the kind
        # does not declare. M is the constructor's own: a tuple's declared type cannot choose it.
        @overload
        def __init__(
            self,
            name: str,
            render: Renderer[W, None],
            payload: None = None,
            after_send: AfterSend[W, None] | None = None,
            **options: Unpack[KindOptions[W]],
        ) -> None: ...

        @overload
        def __init__(
            self,
            name: str,
            render: Renderer[W, M],
            payload: type[M],
            after_send: AfterSend[W, M] | None = None,
            **options: Unpack[KindOptions[W]],
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...


async def deliver(
    bot: Bot, chat_id: int, rendered: Rendered, edit_message_id: int | None = None, *, paid: bool = False
) -> int | None:
    """Send (or edit, given the message) what a renderer made; the new message's id (None for an edit).

    `paid`: as one of Telegram's paid broadcasts, which its broadcasting limit does not count.
    """
    if isinstance(rendered, Skip):
        return None
    if isinstance(rendered, GroupAction):
        await _act_in_group(bot, rendered)
        return None
    if isinstance(rendered, WithFile):
        send = bot.send_photo if rendered.content_type is ContentType.PHOTO else bot.send_document
        return (await send(chat_id, rendered.file_id, caption=rendered.caption, allow_paid_broadcast=paid)).message_id
    text, markup = rendered
    if edit_message_id is not None:
        await edit_text(bot, chat_id, edit_message_id, text, markup)
        return None
    message = await bot.send_message(chat_id, text, reply_markup=markup, allow_paid_broadcast=paid)
    return message.message_id


async def _act_in_group(bot: Bot, action: GroupAction) -> None:
    if action.step is GroupStep.APPROVE:
        await bot.approve_chat_join_request(action.chat_id, action.user_id)
    elif action.step is GroupStep.DECLINE:
        await bot.decline_chat_join_request(action.chat_id, action.user_id)
    else:
        await bot.ban_chat_member(action.chat_id, action.user_id)
        await bot.unban_chat_member(action.chat_id, action.user_id, only_if_banned=True)


class Sender(Generic[W]):
    """Start with `start()`, wake with `wake()` after queueing rows, stop with `stop()`.

    Generic in the wiring it hands to each kind's renderer, which it does not need to know.
    """

    def __init__(
        self, deps: W, bot: Bot, chats: ChatPace, kinds: Iterable[OutboxKind[W]], count: Counted = lambda _: None
    ) -> None:
        self._deps = deps
        self._count = count  # each row's outcome, for the operator's metrics
        self._bot = bot
        self._chats = chats
        self._kinds = {kind.name: kind for kind in kinds}
        self._not_messages = frozenset(kind.name for kind in self._kinds.values() if not kind.message)
        self._budget = Budget(deps.settings.messages_per_second)
        self._paid = Budget(PAID_PER_SECOND) if deps.settings.paid_broadcast else None
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # chat id → its delivery
        self._wake = asyncio.Event()  # look at the outbox again: rows queued, or a chat became free
        self._queued = asyncio.Event()  # rows were queued (or changed) since the rows in hand were read
        self._task: asyncio.Task[None] | None = None
        self._last_look = time.monotonic()  # when the loop last looked at the outbox

    def quiet_for(self) -> float:
        """Seconds since the sender last looked at the outbox (it looks every IDLE_WAIT at least, and between
        any two batches): long only when it is stuck or no longer runs."""
        if self._task is None or self._task.done():
            return math.inf
        return time.monotonic() - self._last_look

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
            self._last_look = time.monotonic()
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
        busy = self._chats.busy(FOR_ANSWERS)
        # A busy chat's rows wait, but for those that are not messages (a group's join decisions).
        rows = await outbox.due(self._deps.db, utc_now(), BATCH, busy | frozenset(self._in_flight), self._not_messages)
        started, blocked = False, set(self._in_flight)
        for item in rows:
            if item.chat_id in blocked:
                continue  # one row at a time per chat, in order
            blocked.add(item.chat_id)
            if self._queued.is_set():
                break  # something new was queued: read again, it may go first
            if await self._take_slot(item):
                self._in_flight[item.chat_id] = asyncio.create_task(self._deliver(item))
                started = True
        return started

    def _is_message(self, item: OutboxItem) -> bool:
        kind = self._kinds.get(item.kind)
        return kind is None or kind.message

    async def _take_slot(self, item: OutboxItem) -> bool:
        """Wait for a place in flight and for the budget the row draws on, then take a place in its chat;
        False (the row left for the next pass) when answers took the chat's places meanwhile."""
        while len(self._in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(list(self._in_flight.values()), return_when=asyncio.FIRST_COMPLETED)
        if not self._is_message(item):
            return True
        budget = self._budget_of(self._kinds.get(item.kind))
        if budget is not None:
            await budget.slot()
        if self._chats.wait(item.chat_id, FOR_ANSWERS) > 0:  # never wait for one chat here: all others would
            return False
        self._chats.take(item.chat_id)
        return True

    def _budget_of(self, kind: OutboxKind[W] | None) -> Budget | None:
        """What a row draws on: nothing for an answer or what is not a message, the paid budget for a paid
        announcement."""
        if kind is not None and (kind.answer or not kind.message):
            return None
        if kind is not None and kind.announcement and self._paid is not None:
            return self._paid
        return self._budget

    async def _idle_time(self) -> float:
        """How long to wait when nothing could go: until a chat frees up or a postponed row falls due."""
        waits = [free] if (free := self._chats.next_free(FOR_ANSWERS)) is not None else []
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

    async def _attempt(self, item: OutboxItem, kind: OutboxKind[W] | None) -> bool:
        """Send the row once; True when it is settled (sent or failed), False when it waits for another try."""
        d = self._deps
        if kind is None:
            log.error("outbox %s: no renderer for kind %r", item.id, item.kind)
            self._count("failed")
            await outbox.mark_failed(d.db, item.id, f"unknown kind {item.kind}", utc_now())
            return True
        if not await outbox.still_due(d.db, item.id, utc_now()):
            return False  # paused, cancelled or forgotten since it was read: left as it now is
        try:
            payload = None if kind.payload is None else kind.payload.model_validate_json(item.raw_payload or "{}")
        except ValidationError as error:
            problem = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in error.errors())
            log.error("outbox %s (%s): its payload does not fit: %s", item.id, item.kind, problem)
            self._count("failed")
            await outbox.mark_failed(d.db, item.id, f"bad payload: {problem}", utc_now())
            return True
        _ = translator(await contacts.language_of(d.db, item.chat_id))
        rendered = await kind.render(d, item, payload, _)
        if rendered is None:  # nothing left to say (e.g. the person deleted their data)
            await outbox.mark_sent(d.db, item.id, utc_now())
            return True
        if isinstance(rendered, Skip):
            await outbox.mark_failed(d.db, item.id, f"skipped: {rendered.reason}", utc_now())
            return True
        if (budget := self._budget_of(kind)) is not None:
            await budget.admit()
        try:
            message_id = await self._send(item, kind, rendered)
        except RetryAfter as error:
            self._count("flood_wait")
            await self._flood_wait(item, kind, retry_seconds(error.retry_after))
            return False
        except Forbidden as error:
            self._count("unreachable")
            log.info("outbox %s: the recipient cannot be reached: %s", item.id, error.message)
            await contacts.mark_unreachable(d.db, item.chat_id, utc_now())
            d.seen_users.pop(item.chat_id, None)  # their next message clears the mark
            await outbox.mark_failed(d.db, item.id, f"unreachable: {error.message}", utc_now())
        except BadRequest as error:
            self._count("refused")
            log.warning("outbox %s (%s) refused: %s", item.id, item.kind, error.message)
            await outbox.mark_failed(d.db, item.id, f"refused: {error.message}", utc_now())
        except TelegramError as error:
            return await self._retry_later(item, error, kind.max_attempts)
        else:
            if kind.after_send is not None and message_id is not None:
                await kind.after_send(d, item, payload, message_id)
            await outbox.mark_sent(d.db, item.id, utc_now())
            self._count("sent")
        return True

    async def _send(self, item: OutboxItem, kind: OutboxKind[W], rendered: Rendered) -> int | None:
        paid = self._paid is not None and self._budget_of(kind) is self._paid
        return await deliver(self._bot, item.chat_id, rendered, item.edit_message_id, paid=paid)

    async def _flood_wait(self, item: OutboxItem, kind: OutboxKind[W], seconds: float) -> None:
        """Telegram asked to wait: this row and its chat, and the budget the row drew on, for exactly that long."""
        log.warning("outbox %s: flood wait of %.0f s", item.id, seconds)
        self._chats.hold(item.chat_id, seconds)
        if (budget := self._budget_of(kind)) is not None:
            budget.hold(seconds)
        # Due a little before its chat is free again (so that it goes before the chat's later rows); the
        # chat's hold keeps it back for exactly `seconds`.
        until = utc_now() + timedelta(seconds=max(0.0, seconds - ORDER_MARGIN))
        await outbox.postpone(self._deps.db, item.id, until, attempt=False)

    async def _retry_later(self, item: OutboxItem, error: TelegramError, max_attempts: int) -> bool:
        """Postpone the row (False), or fail it once it has had its attempts (True: settled)."""
        attempts = item.attempts + 1
        self._count("failed" if attempts >= max_attempts else "retry")
        if attempts >= max_attempts:
            log.warning("outbox %s (%s) failed after %s attempts: %s", item.id, item.kind, attempts, error.message)
            await outbox.mark_failed(self._deps.db, item.id, f"{type(error).__name__}: {error.message}", utc_now())
            return True
        delay = min(2.0**attempts, MAX_DELAY)  # 2, 4, 8, 16 s…
        log.warning("outbox %s not sent yet (%s); attempt %s in %.0f s", item.id, error.message, attempts + 1, delay)
        await outbox.postpone(self._deps.db, item.id, utc_now() + timedelta(seconds=delay), attempt=True)
        return False
