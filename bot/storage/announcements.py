"""Announcements: the broadcast rows, who they reach, and their outbox rows counted.

Recipients are chosen in SQL and their outbox rows written by one INSERT … SELECT, so a
broadcast to 100 000 people is one statement in one transaction, not 100 000 round trips.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.models import Audience, Broadcast, BroadcastState, Content, ContentType, Lane
from bot.storage.database import Reader, Transaction, from_text, to_text

KIND = "announcement"

# People an audience selects: every registered person, or those holding (or applying for) a
# place that matches; the parameters come from `_audience_params`. The places are chosen once
# (not per person: a tap on the audience page counts 100 000 people in a tenth of a second).
_SELECTED = """
    FROM people p LEFT JOIN known_users k ON k.telegram_id = p.telegram_id
    WHERE (:everyone OR p.telegram_id IN (
            SELECT r.person_id FROM registrations r
            WHERE r.status IN ('active', 'pending')
              AND (:any_taskforce OR r.taskforce IN (SELECT value FROM json_each(:taskforces)))
              AND (:any_role OR r.role IN (SELECT value FROM json_each(:roles)))))
      AND (:any_region OR p.region IN (SELECT value FROM json_each(:regions)))
      AND (:any_type OR p.stakeholder_type IN (SELECT value FROM json_each(:types)))
"""
_REACHABLE = " AND p.announcements = 1 AND k.unreachable_at IS NULL"


@dataclass(frozen=True)
class Reach:
    """How many an audience selects, and why some of them will not get it."""

    selected: int
    turned_off: int
    unreachable: int

    @property
    def recipients(self) -> int:
        return self.selected - self.turned_off - self.unreachable


@dataclass(frozen=True)
class Counts:
    sent: int
    unreachable: int
    failed: int
    waiting: int
    turned_off: int = 0  # turned announcements off between Send and their turn


def _audience_params(audience: Audience) -> dict[str, Any]:
    return {
        "everyone": audience.everyone,
        "any_taskforce": not audience.taskforces,
        "taskforces": json.dumps(audience.taskforces),
        "any_role": not audience.roles,
        "roles": json.dumps([role.value for role in audience.roles]),
        "any_region": not audience.regions,
        "regions": json.dumps(audience.regions),
        "any_type": not audience.types,
        "types": json.dumps(audience.types),
    }


async def reach(db: Reader, audience: Audience) -> Reach:
    row = await db.fetchone(
        "SELECT COUNT(*) AS selected, COALESCE(SUM(p.announcements = 0), 0) AS turned_off,"
        " COALESCE(SUM(p.announcements = 1 AND k.unreachable_at IS NOT NULL), 0) AS unreachable" + _SELECTED,
        _audience_params(audience),
    )
    assert row is not None
    return Reach(row["selected"], row["turned_off"], row["unreachable"])


async def create(
    tx: Transaction, author_id: int, author_name: str, scope: list[str] | None, content: Content, now: datetime
) -> int:
    cursor = await tx.execute(
        "INSERT INTO broadcasts (author_id, author_name, author_scope, state, content, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            author_id,
            author_name,
            None if scope is None else json.dumps(scope),
            BroadcastState.DRAFT,
            content.model_dump_json(),
            to_text(now),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(db: Reader, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else _broadcast(row)


async def recent(db: Reader, author_id: int | None, limit: int) -> list[Broadcast]:
    """The latest broadcasts (of one author, or everyone's), drafts left out."""
    rows = await db.fetchall(
        "SELECT * FROM broadcasts WHERE state != 'draft' AND (:author IS NULL OR author_id = :author)"
        " ORDER BY id DESC LIMIT :limit",
        {"author": author_id, "limit": limit},
    )
    return [_broadcast(row) for row in rows]


async def set_content(tx: Transaction, broadcast_id: int, content: Content) -> None:
    await tx.execute("UPDATE broadcasts SET content = ? WHERE id = ?", (content.model_dump_json(), broadcast_id))


async def set_audience(tx: Transaction, broadcast_id: int, audience: Audience) -> None:
    await tx.execute("UPDATE broadcasts SET audience = ? WHERE id = ?", (audience.model_dump_json(), broadcast_id))


async def queue(tx: Transaction, broadcast: Broadcast, now: datetime, chat_id: int, message_id: int) -> int:
    """One outbox row per reachable recipient, each once; the broadcast is sending from now."""
    params = _audience_params(broadcast.audience) | {"now": to_text(now), "id": broadcast.id, "kind": KIND}
    cursor = await tx.execute(
        "INSERT INTO outbox (chat_id, kind, created_at, lane, broadcast_id)"
        f" SELECT p.telegram_id, :kind, :now, {int(Lane.BULK)}, :id" + _SELECTED + _REACHABLE,
        params,
    )
    total = cursor.rowcount
    await tx.execute(
        "UPDATE broadcasts SET state = ?, total = ?, started_at = ?, progress_chat_id = ?, progress_message_id = ?,"
        " progress_at = ? WHERE id = ?",
        (BroadcastState.SENDING, total, to_text(now), chat_id, message_id, to_text(now), broadcast.id),
    )
    return total


async def delete_draft(tx: Transaction, broadcast_id: int) -> None:
    await tx.execute("DELETE FROM broadcasts WHERE id = ? AND state = 'draft'", (broadcast_id,))


async def set_state(tx: Transaction, broadcast_id: int, state: BroadcastState, now: datetime) -> None:
    finished = to_text(now) if state in (BroadcastState.DONE, BroadcastState.CANCELLED) else None
    await tx.execute(
        "UPDATE broadcasts SET state = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?",
        (state, finished, broadcast_id),
    )


async def hold_rows(tx: Transaction, broadcast_id: int, held: bool) -> None:
    """Paused (held) or resumed: a row's own next attempt (a 429's wait) is kept either way."""
    await tx.execute(
        "UPDATE outbox SET held = ? WHERE broadcast_id = ? AND sent_at IS NULL AND failed_at IS NULL",
        (int(held), broadcast_id),
    )


async def drop_rows(tx: Transaction, broadcast_id: int, now: datetime) -> None:
    """Cancelled: the rows still waiting fail with that reason (the counts keep them apart)."""
    await tx.execute(
        "UPDATE outbox SET failed_at = ?, failure = 'cancelled' WHERE broadcast_id = ?"
        " AND sent_at IS NULL AND failed_at IS NULL",
        (to_text(now), broadcast_id),
    )


async def counts(db: Reader, broadcast_id: int) -> Counts:
    row = await db.fetchone(
        "SELECT COALESCE(SUM(sent_at IS NOT NULL), 0) AS sent,"
        " COALESCE(SUM(failure LIKE 'unreachable%'), 0) AS unreachable,"
        " COALESCE(SUM(failed_at IS NOT NULL AND failure NOT LIKE 'unreachable%' AND failure != 'cancelled'"
        " AND failure NOT LIKE 'skipped:%'), 0) AS failed,"
        " COALESCE(SUM(sent_at IS NULL AND failed_at IS NULL), 0) AS waiting,"
        " COALESCE(SUM(failure LIKE 'skipped:%'), 0) AS turned_off"
        " FROM outbox WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    assert row is not None
    return Counts(row["sent"], row["unreachable"], row["failed"], row["waiting"], row["turned_off"])


async def any_waiting(db: Reader, broadcast_id: int) -> bool:
    row = await db.fetchone(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ? AND sent_at IS NULL AND failed_at IS NULL) AS w",
        (broadcast_id,),
    )
    return bool(row and row["w"])


async def claim_progress(tx: Transaction, broadcast_id: int, now: datetime, every: float) -> bool:
    """True (and the time noted) when the progress message is due an edit; one caller wins."""
    cursor = await tx.execute(
        "UPDATE broadcasts SET progress_at = :now WHERE id = :id"
        " AND (progress_at IS NULL OR julianday(:now) - julianday(progress_at) >= :every / 86400.0)",
        {"now": to_text(now), "id": broadcast_id, "every": every},
    )
    return cursor.rowcount == 1


async def finish(tx: Transaction, broadcast_id: int, now: datetime) -> bool:
    """Sending → done once nothing waits; True for the one caller that did it."""
    cursor = await tx.execute(
        "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ? AND state = 'sending'"
        " AND NOT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = broadcasts.id"
        " AND sent_at IS NULL AND failed_at IS NULL)",
        (to_text(now), broadcast_id),
    )
    return cursor.rowcount == 1


async def progress_waiting(db: Reader, broadcast_id: int) -> bool:
    """An edit of the broadcast's progress message is queued and not yet sent."""
    row = await db.fetchone(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = 'broadcast_progress' AND sent_at IS NULL"
        " AND failed_at IS NULL AND json_extract(params, '$.broadcast') = ?) AS w",
        (broadcast_id,),
    )
    return bool(row and row["w"])


async def sending(db: Reader) -> list[int]:
    rows = await db.fetchall("SELECT id FROM broadcasts WHERE state = 'sending'")
    return [row["id"] for row in rows]


async def set_announcements(tx: Transaction, telegram_id: int, on: bool) -> bool:
    cursor = await tx.execute("UPDATE people SET announcements = ? WHERE telegram_id = ?", (int(on), telegram_id))
    return cursor.rowcount == 1


async def announcements_on(db: Reader, telegram_id: int) -> bool | None:
    """None: not a registered person."""
    row = await db.fetchone("SELECT announcements FROM people WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else bool(row["announcements"])


async def forget_author(tx: Transaction, telegram_id: int, now: datetime) -> None:
    """A deleted person's broadcasts keep their counts, not their name nor what they wrote."""
    erased = Content(type=ContentType.TEXT, html="—", length=1).model_dump_json()
    await tx.execute(
        "UPDATE outbox SET failed_at = ?, failure = 'cancelled' WHERE sent_at IS NULL AND failed_at IS NULL"
        " AND broadcast_id IN (SELECT id FROM broadcasts WHERE author_id = ?)",
        (to_text(now), telegram_id),
    )
    await tx.execute(
        "UPDATE broadcasts SET author_name = '—', content = ?, author_id = 0,"
        " state = CASE WHEN state IN ('sending', 'paused') THEN 'cancelled' ELSE state END WHERE author_id = ?",
        (erased, telegram_id),
    )
    # The progress message was in the author's chat: it is no longer edited, and the chat is not kept.
    await tx.execute(
        "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL WHERE progress_chat_id = ?",
        (telegram_id,),
    )


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    data = dict(row)
    data["content"] = Content.model_validate_json(data["content"])
    data["audience"] = Audience.model_validate_json(data["audience"])
    data["author_scope"] = json.loads(data["author_scope"]) if data["author_scope"] else None
    for key in ("created_at", "started_at", "finished_at", "progress_at"):
        data[key] = from_text(data[key])
    return Broadcast(**data)
