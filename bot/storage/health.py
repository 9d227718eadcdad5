"""The health check's write: one row, overwritten, so that the check proves the file takes writes."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, to_text


async def record(db: Database, now: datetime) -> None:
    await db.write(
        "INSERT INTO health_checks (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = ?",
        (to_text(now), to_text(now)),
    )
