"""Reminders whose due time is a row: the scheduler only asks what is due."""

from __future__ import annotations

from datetime import datetime

from bot.services.joining import JOIN_REMINDER
from bot.storage import repositories as repo
from bot.storage.database import Database

BATCH = 50


async def due_join_reminders(db: Database, now: datetime) -> list[tuple[int, int]]:
    """(reminder id, telegram id) pairs to send now, at most one batch a tick."""
    return await repo.due_reminders(db, JOIN_REMINDER, now, BATCH)


async def mark_sent(db: Database, reminder_id: int, now: datetime) -> None:
    """Called only after Telegram accepted the message (or refused it for good)."""
    async with db.transaction() as tx:
        await repo.mark_reminder_sent(tx, reminder_id, now)
