"""Decisions left waiting: the deciders are reminded daily, three times, then the admins are told, once.

One mechanism for everything a decider is asked about: an application to a place (services/facilitation.py) and
an entry of the catalogue (services/project_review.py). Each feature passes in, as a `Waiting`, what differs:
what is waiting, who decides it, who asked, and the outbox kinds whose texts its views hold. The due time and the
count are columns of the waiting row, advanced in the transaction that queues the messages, so a restart neither
loses nor repeats a reminder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.storage.database import Database, Transaction

REMINDER_INTERVAL = timedelta(hours=24)
MAX_REMINDERS = 3


class Identified(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=Identified)


@dataclass(frozen=True)
class Waiting(Generic[Item]):
    """What one kind of waiting decision is made of, for `ask` and `remind`."""

    prompt: str  # the outbox kinds: asking, reminding, telling the admins it waited too long
    reminder: str
    escalation: str
    due: Callable[[Transaction, datetime], Awaitable[list[tuple[Item, int]]]]  # with the reminders sent so far
    deciders: Callable[[Transaction, Item, Collection[int]], Awaitable[list[int]]]  # never its asker
    asker: Callable[[Item], int | None]  # the applicant, the author: never asked about their own
    tell: Callable[[Transaction, int, str, Item, datetime], Awaitable[None]]  # queues a message of a kind about it
    set_due: Callable[[Transaction, int, datetime | None, int], Awaitable[None]]  # the next reminder, and the count


async def ask(
    tx: Transaction, waiting: Waiting[Item], item: Item, admins: Collection[int], patience: timedelta, now: datetime
) -> None:
    """A prompt to each decider, in the transaction that makes the item wait; the first reminder after `patience`."""
    for decider in await waiting.deciders(tx, item, admins):
        await waiting.tell(tx, decider, waiting.prompt, item, now)
    await waiting.set_due(tx, item.id, now + patience, 0)


async def remind(db: Database, waiting: Waiting[Item], admins: Collection[int], now: datetime) -> int:
    """Everything of this kind waiting too long: its deciders are reminded, or after `MAX_REMINDERS` the admins
    (but its asker) are told and nobody is reminded again. Returns how many messages were queued."""
    queued = 0
    async with db.transaction() as tx:
        for item, sent in await waiting.due(tx, now):
            if sent < MAX_REMINDERS:
                recipients, kind = await waiting.deciders(tx, item, admins), waiting.reminder
                next_due: datetime | None = now + REMINDER_INTERVAL
            else:
                asker = waiting.asker(item)
                recipients = [admin for admin in sorted(admins) if admin != asker]
                kind, next_due = waiting.escalation, None
            for chat_id in recipients:
                await waiting.tell(tx, chat_id, kind, item, now)
                queued += 1
            await waiting.set_due(tx, item.id, next_due, sent + 1)
    return queued
