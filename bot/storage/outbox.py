"""Every notification is a row before it is a message: sent at least once, marked after."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.models import OutboxItem
from bot.storage.database import Transaction, to_text
from bot.storage.repositories import Reader


async def enqueue(
    tx: Transaction,
    chat_id: int,
    kind: str,
    now: datetime,
    registration_id: int | None = None,
    edit_message_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO outbox (chat_id, kind, registration_id, edit_message_id, params, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, kind, registration_id, edit_message_id, json.dumps(params) if params else None, to_text(now)),
    )


async def pending(db: Reader, limit: int) -> list[OutboxItem]:
    rows = await db.fetchall(
        "SELECT id, chat_id, kind, registration_id, edit_message_id, params FROM outbox"
        " WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?",
        (limit,),
    )
    return [
        OutboxItem(
            id=row["id"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            registration_id=row["registration_id"],
            edit_message_id=row["edit_message_id"],
            params=json.loads(row["params"]) if row["params"] else {},
        )
        for row in rows
    ]


async def mark_sent(tx: Transaction, item_id: int, now: datetime) -> None:
    await tx.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", (to_text(now), item_id))


async def mark_failed(tx: Transaction, item_id: int, now: datetime) -> None:
    await tx.execute("UPDATE outbox SET failed_at = ? WHERE id = ?", (to_text(now), item_id))


async def forget_chat(tx: Transaction, chat_id: int) -> None:
    await tx.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))
