"""Every notification is a row before it is a message: sent at least once, marked after.

A row is due when it is neither sent nor failed nor held (its broadcast paused) and its
next attempt time (if any) has come; notices go before bulk rows, then first queued first.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.models import Lane, OutboxItem, Payload
from bot.storage.database import Database, Reader, Transaction, to_text

REPLY = "reply"


class Reply(Payload):
    """A reply as it was written when Telegram did not take it: its text and its keyboard as JSON."""

    text: str
    markup: dict[str, Any] | None = None


async def enqueue(
    tx: Transaction,
    chat_id: int,
    kind: str,
    now: datetime,
    registration_id: int | None = None,
    edit_message_id: int | None = None,
    payload: Payload | None = None,
    lane: Lane = Lane.NOTICE,
) -> None:
    """A row of `kind`, carrying that kind's payload (None for a kind that carries nothing)."""
    stored = None if payload is None else payload.model_dump_json()
    await tx.execute(
        "INSERT INTO outbox (chat_id, kind, registration_id, edit_message_id, params, created_at, lane)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (chat_id, kind, registration_id, edit_message_id, stored, to_text(now), lane),
    )


async def queue_reply(db: Database, chat_id: int, text: str, markup: dict[str, Any] | None, now: datetime) -> None:
    """A reply that carries an outcome (registered, deleted…) and could not go now: the sender delivers it first."""
    async with db.transaction() as tx:
        await enqueue(tx, chat_id, REPLY, now, payload=Reply(text=text, markup=markup), lane=Lane.REPLY)


async def due(
    db: Reader,
    now: datetime,
    limit: int,
    skip_chats: frozenset[int] = frozenset(),
    unless_kinds: frozenset[str] = frozenset(),
) -> list[OutboxItem]:
    """The next rows to send, notices first; rows of `skip_chats` (busy, or waiting out a flood wait) left
    for later, except those of `unless_kinds` (not messages, which the chat's limit does not count)."""
    skipped = ",".join(str(int(chat)) for chat in skip_chats)  # integers only: safe to inline
    skipping = f" AND (chat_id NOT IN ({skipped}) OR kind IN (SELECT value FROM json_each(?)))" if skipped else ""
    rows = await db.fetchall(
        "SELECT id, chat_id, kind, registration_id, edit_message_id, params, attempts, broadcast_id FROM outbox"
        " WHERE sent_at IS NULL AND failed_at IS NULL AND held = 0"
        f" AND (next_attempt_at IS NULL OR next_attempt_at <= ?){skipping}"
        " ORDER BY lane, id LIMIT ?",
        (to_text(now), *([json.dumps(sorted(unless_kinds))] if skipped else []), limit),
    )
    return [
        OutboxItem(
            id=row["id"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            registration_id=row["registration_id"],
            edit_message_id=row["edit_message_id"],
            raw_payload=row["params"],
            attempts=row["attempts"],
            broadcast_id=row["broadcast_id"],
        )
        for row in rows
    ]


async def still_due(db: Reader, item_id: int, now: datetime) -> bool:
    """The row read a moment ago is still to send (not paused, cancelled, or deleted since)."""
    row = await db.fetchone(
        "SELECT 1 FROM outbox WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL AND held = 0"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
        (item_id, to_text(now)),
    )
    return row is not None


async def waiting(db: Reader, chat_id: int, kind: str) -> bool:
    """A row of `kind` to this chat is queued and not settled yet."""
    row = await db.fetchone(
        "SELECT 1 FROM outbox WHERE chat_id = ? AND kind = ? AND sent_at IS NULL AND failed_at IS NULL",
        (chat_id, kind),
    )
    return row is not None


async def next_attempt(db: Reader) -> datetime | None:
    """When the earliest postponed row falls due (None: nothing postponed)."""
    row = await db.fetchone(
        "SELECT MIN(next_attempt_at) AS at FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        " AND held = 0 AND next_attempt_at IS NOT NULL"
    )
    return datetime.fromisoformat(row["at"]) if row and row["at"] else None


async def mark_sent(db: Database, item_id: int, now: datetime) -> None:
    await db.write("UPDATE outbox SET sent_at = ? WHERE id = ?", (to_text(now), item_id))


async def mark_failed(db: Database, item_id: int, reason: str, now: datetime) -> None:
    await db.write("UPDATE outbox SET failed_at = ?, failure = ? WHERE id = ?", (to_text(now), reason[:500], item_id))


async def scrub(db: Database, item_id: int) -> None:
    """A settled row keeps no one's id in its parameters (a removal from a group names the person)."""
    await db.write("UPDATE outbox SET params = NULL WHERE id = ?", (item_id,))


async def postpone(db: Database, item_id: int, until: datetime, *, attempt: bool) -> None:
    """Try again at `until`; a flood wait is not counted as a failed attempt."""
    await db.write(
        "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + ? WHERE id = ?",
        (to_text(until), int(attempt), item_id),
    )


# The lists of people an outbox row's JSON may carry (a digest's): /forget takes a person's id out of each.
PEOPLE_LISTS = ("$.ids", "$.leavers", "$.withdrawn")


async def forget_chat(tx: Transaction, chat_id: int, *, still_acting: str) -> None:
    """Rows to the person go, and their id leaves other rows: the lists of people (digests) and the
    person a row is about (a group welcome, sent or not). Rows of kind `still_acting` not settled yet
    keep it: they take the person out of a group, and are scrubbed once settled."""
    await tx.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))
    for path in PEOPLE_LISTS:
        await tx.execute(
            "UPDATE outbox SET params = json_set(params, :path,"
            " (SELECT json_group_array(value) FROM json_each(params, :path) WHERE value != :id))"
            " WHERE params IS NOT NULL AND json_type(params, :path) = 'array'"
            " AND EXISTS (SELECT 1 FROM json_each(params, :path) WHERE value = :id)",
            {"id": chat_id, "path": path},
        )
    await tx.execute(
        "UPDATE outbox SET params = json_remove(params, '$.user')"
        " WHERE params IS NOT NULL AND json_extract(params, '$.user') = :id"
        " AND NOT (kind = :acting AND sent_at IS NULL AND failed_at IS NULL)",
        {"id": chat_id, "acting": still_acting},
    )


async def waiting_by_lane(db: Reader) -> dict[Lane, int]:
    """Rows not yet settled (held ones too), per lane: the depth an operator watches."""
    rows = await db.fetchall(
        "SELECT lane, COUNT(*) AS waiting FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL GROUP BY lane"
    )
    return {Lane(row["lane"]): row["waiting"] for row in rows}
