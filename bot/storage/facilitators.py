"""Who facilitates which task force, and who assigned them."""

from __future__ import annotations

from datetime import datetime

from bot.models import KnownUser
from bot.storage.database import Reader, Transaction, to_text
from bot.storage.known_users import known_user_from


async def add_facilitator(tx: Transaction, telegram_id: int, code: str, by: int, now: datetime) -> bool:
    cursor = await tx.execute(
        "INSERT INTO facilitators (telegram_id, taskforce, assigned_by, assigned_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (telegram_id, code, by, to_text(now)),
    )
    return cursor.rowcount > 0


async def remove_facilitator(tx: Transaction, telegram_id: int, code: str) -> bool:
    cursor = await tx.execute("DELETE FROM facilitators WHERE telegram_id = ? AND taskforce = ?", (telegram_id, code))
    return cursor.rowcount > 0


async def assigned(db: Reader, code: str | None = None) -> list[tuple[str, KnownUser]]:
    """(task force, facilitator) pairs, of one task force or all, in code order."""
    rows = await db.fetchall(
        "SELECT f.taskforce, k.* FROM facilitators f JOIN known_users k USING (telegram_id)"
        " WHERE (:code IS NULL OR f.taskforce = :code) ORDER BY f.taskforce, k.full_name",
        {"code": code},
    )
    return [(row["taskforce"], known_user_from(row)) for row in rows]


async def taskforces_of(db: Reader, telegram_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT taskforce FROM facilitators WHERE telegram_id = ? ORDER BY taskforce", (telegram_id,)
    )
    return [row["taskforce"] for row in rows]


async def forget_facilitator(tx: Transaction, telegram_id: int) -> None:
    """They facilitate nothing any more; whom they assigned stays assigned, without their id."""
    await tx.execute("DELETE FROM facilitators WHERE telegram_id = ?", (telegram_id,))
    await tx.execute("UPDATE facilitators SET assigned_by = 0 WHERE assigned_by = ?", (telegram_id,))
