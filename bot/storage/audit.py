"""The audit log: who did what and when, kept after the people it names have gone."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.storage.database import Transaction, to_text


async def record(
    tx: Transaction,
    now: datetime,
    actor_id: int | None,
    action: str,
    subject_id: int | None = None,
    taskforce: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject_id, taskforce, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (to_text(now), actor_id, action, subject_id, taskforce, json.dumps(detail) if detail else None),
    )


async def anonymise(tx: Transaction, telegram_id: int) -> None:
    """Keep the history of what happened, without who it was or what they wrote."""
    await tx.execute("UPDATE audit_log SET actor_id = NULL, detail = NULL WHERE actor_id = ?", (telegram_id,))
    await tx.execute("UPDATE audit_log SET subject_id = NULL, detail = NULL WHERE subject_id = ?", (telegram_id,))
