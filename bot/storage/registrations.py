"""Registrations: a person's place in a task force, applied for, decided, reminded and ended.

Reads take anything with `fetchone`/`fetchall` (the Database or an open Transaction);
writes take a Transaction so that a service decides what commits together.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.models import EndedBy, Registration, RegistrationStatus, Role
from bot.storage.database import Reader, Transaction, from_text, to_text


async def get_registration(db: Reader, registration_id: int) -> Registration | None:
    row = await db.fetchone("SELECT * FROM registrations WHERE id = ?", (registration_id,))
    return None if row is None else _registration(row)


async def registrations_of(db: Reader, person_id: int) -> list[Registration]:
    rows = await db.fetchall("SELECT * FROM registrations WHERE person_id = ? ORDER BY taskforce, id", (person_id,))
    return [_registration(row) for row in rows]


async def places_held(db: Reader, person_id: int) -> list[Registration]:
    """The active and pending registrations: those that count against the cap."""
    rows = await db.fetchall(
        "SELECT * FROM registrations WHERE person_id = ? AND status IN ('active', 'pending') ORDER BY taskforce",
        (person_id,),
    )
    return [_registration(row) for row in rows]


async def add_registration(
    tx: Transaction,
    person_id: int,
    taskforce: str,
    role: Role,
    status: RegistrationStatus,
    region: str | None,
    motivation: str | None,
    now: datetime,
    moved_from: int | None = None,
) -> int:
    cursor = await tx.execute(
        """
        INSERT INTO registrations (person_id, taskforce, role, status, region, motivation,
                                   created_at, updated_at, moved_from)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (person_id, taskforce, role.value, status.value, region, motivation, to_text(now), to_text(now), moved_from),
    )
    return int(cursor.lastrowid or 0)


async def set_registration_status(
    tx: Transaction,
    registration_id: int,
    status: RegistrationStatus,
    now: datetime,
    role: Role | None = None,
) -> None:
    await tx.execute(
        "UPDATE registrations SET status = ?, role = COALESCE(?, role), updated_at = ? WHERE id = ?",
        (status.value, role.value if role else None, to_text(now), registration_id),
    )


async def end_registration(tx: Transaction, registration_id: int, ended_by: EndedBy, now: datetime) -> None:
    """The place is given up: withdrawn, and by whom (its person, or the Secretariat)."""
    await tx.execute(
        "UPDATE registrations SET status = 'withdrawn', ended_by = ?, next_reminder_at = NULL, updated_at = ?"
        " WHERE id = ?",
        (ended_by.value, to_text(now), registration_id),
    )


async def decide_registration(
    tx: Transaction,
    registration_id: int,
    status: RegistrationStatus,
    decided_by: int,
    reason: str | None,
    now: datetime,
    verdict: str | None = None,
) -> None:
    """Only a pending registration can be decided: the first decision wins, in the database. A verdict keeps
    what the applicant declared of their member status as the decider saw it (the profile may change after)."""
    await tx.execute(
        "UPDATE registrations SET status = ?, decided_by = ?, decided_at = ?, reason = ?, verdict = ?,"
        " declared_status = CASE WHEN ? IS NULL THEN declared_status"
        " ELSE (SELECT p.member_status FROM people p WHERE p.telegram_id = registrations.person_id) END,"
        " next_reminder_at = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        (status.value, decided_by, to_text(now), reason, verdict, verdict, to_text(now), registration_id),
    )


async def active_holder(db: Reader, code: str, role: Role, region: str | None) -> Registration | None:
    """Who already holds the single Leader place, or the Representative place of a region."""
    row = await db.fetchone(
        "SELECT * FROM registrations WHERE taskforce = ? AND role = ? AND status = 'active'"
        " AND (? IS NULL OR region = ?)",
        (code, role.value, region if role is Role.REPRESENTATIVE else None, region),
    )
    return None if row is None else _registration(row)


async def pending_registrations(db: Reader, codes: list[str] | None) -> list[Registration]:
    """Pending applications of these task forces (None: of all), oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM registrations WHERE status = 'pending'"
        " AND (:all OR taskforce IN (SELECT value FROM json_each(:codes))) ORDER BY created_at, id",
        {"all": codes is None, "codes": json.dumps(codes or [])},
    )
    return [_registration(row) for row in rows]


async def set_reminder_due(tx: Transaction, registration_id: int, due: datetime | None, sent: int) -> None:
    await tx.execute(
        "UPDATE registrations SET next_reminder_at = ?, reminders_sent = ? WHERE id = ?",
        (to_text(due), sent, registration_id),
    )


async def decisions_due(db: Reader, now: datetime) -> list[tuple[Registration, int]]:
    """Pending registrations whose decision reminder is due, with how many were sent."""
    rows = await db.fetchall(
        "SELECT * FROM registrations WHERE status = 'pending' AND next_reminder_at IS NOT NULL"
        " AND next_reminder_at <= ? ORDER BY next_reminder_at",
        (to_text(now),),
    )
    return [(_registration(row), int(row["reminders_sent"])) for row in rows]


def _registration(row: aiosqlite.Row | dict[str, Any]) -> Registration:
    data = dict(row)
    for key in ("decided_at", "created_at", "updated_at"):
        data[key] = from_text(data[key])
    return Registration(**data)
