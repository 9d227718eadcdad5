"""When each once-a-day job last ran: a due time the scheduler does not have to remember."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Reader, Transaction, from_text, to_text


async def last_run(db: Reader, name: str) -> datetime | None:
    row = await db.fetchone("SELECT last_run_at FROM ticks WHERE name = ?", (name,))
    return None if row is None else from_text(row["last_run_at"])


async def set_last_run(tx: Transaction, name: str, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO ticks (name, last_run_at) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at",
        (name, to_text(at)),
    )
