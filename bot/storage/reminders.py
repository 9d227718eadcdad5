"""Reminders of an unfinished join: one open row per person and kind, a due time each."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Reader, Transaction, to_text


async def schedule_reminder(tx: Transaction, telegram_id: int, kind: str, due_at: datetime) -> None:
    """Keep an already open reminder of this kind: a person gets one, not one per attempt."""
    await tx.execute(
        "INSERT INTO reminders (telegram_id, kind, due_at) VALUES (?, ?, ?)"
        " ON CONFLICT (telegram_id, kind) WHERE sent_at IS NULL AND cancelled_at IS NULL"
        " DO NOTHING",
        (telegram_id, kind, to_text(due_at)),
    )


async def cancel_reminders(tx: Transaction, telegram_id: int, kind: str, now: datetime) -> None:
    await tx.execute(
        "UPDATE reminders SET cancelled_at = ? WHERE telegram_id = ? AND kind = ?"
        " AND sent_at IS NULL AND cancelled_at IS NULL",
        (to_text(now), telegram_id, kind),
    )


async def delete_reminders(tx: Transaction, telegram_id: int) -> None:
    await tx.execute("DELETE FROM reminders WHERE telegram_id = ?", (telegram_id,))


async def due_reminders(db: Reader, kind: str, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(reminder id, telegram id) of open reminders whose time has come, oldest first."""
    rows = await db.fetchall(
        "SELECT id, telegram_id FROM reminders WHERE kind = ? AND sent_at IS NULL"
        " AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
        (kind, to_text(now), limit),
    )
    return [(int(row["id"]), int(row["telegram_id"])) for row in rows]


async def mark_reminder_sent(tx: Transaction, reminder_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE reminders SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
        (to_text(now), reminder_id),
    )
