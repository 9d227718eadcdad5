"""Join reminders whose due time is a row: the scheduler only asks what is due.

A due reminder becomes an outbox row in the same transaction that marks it, so
it is sent (at least once, and only once queued) by the one outbox drain.
"""

from __future__ import annotations

from datetime import datetime

from bot.services.joining import JOIN_REMINDER
from bot.storage import outbox, reminders
from bot.storage.database import Database

BATCH = 50


async def queue_join_reminders(db: Database, now: datetime) -> int:
    """Hand the due join reminders (one batch a tick) to the outbox; returns how many."""
    async with db.transaction() as tx:
        due = await reminders.due_reminders(tx, JOIN_REMINDER, now, BATCH)
        for reminder_id, telegram_id in due:
            await outbox.enqueue(tx, telegram_id, "join_reminder", now)
            await reminders.mark_reminder_sent(tx, reminder_id, now)
    return len(due)
