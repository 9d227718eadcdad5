"""Repositories: parameterised SQL in, pydantic models out.

Reads take anything with `fetchone`/`fetchall` (the Database or an open Transaction);
writes take a Transaction so that a service decides what commits together.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

import aiosqlite

from bot.models import Person, Profile, Registration, RegistrationStatus, Role
from bot.storage.database import Params, Transaction, from_text, to_text


class Reader(Protocol):
    async def fetchone(self, sql: str, params: Params = ...) -> aiosqlite.Row | None: ...
    async def fetchall(self, sql: str, params: Params = ...) -> list[aiosqlite.Row]: ...


# ---------------------------------------------------------------- people


async def get_person(db: Reader, telegram_id: int) -> Person | None:
    row = await db.fetchone("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else _person(row)


async def save_person(tx: Transaction, telegram_id: int, profile: Profile, language: str, now: datetime) -> None:
    """Insert or update the person's profile; every field of `profile` must be filled."""
    await tx.execute(
        """
        INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type,
                            member_status, email, language, created_at, updated_at)
        VALUES (:id, :name, :organisation, :country, :region, :stakeholder_type,
                :member_status, :email, :language, :now, :now)
        ON CONFLICT (telegram_id) DO UPDATE SET
            name = excluded.name, organisation = excluded.organisation,
            country = excluded.country, region = excluded.region,
            stakeholder_type = excluded.stakeholder_type,
            member_status = excluded.member_status, email = excluded.email,
            updated_at = excluded.updated_at
        """,
        {
            "id": telegram_id,
            "name": profile.name,
            "organisation": profile.organisation,
            "country": profile.country,
            "region": profile.region,
            "stakeholder_type": profile.stakeholder_type,
            "member_status": profile.member_status,
            "email": profile.email,
            "language": language,
            "now": to_text(now),
        },
    )


async def delete_person(tx: Transaction, telegram_id: int) -> None:
    await tx.execute("DELETE FROM people WHERE telegram_id = ?", (telegram_id,))


def _person(row: aiosqlite.Row) -> Person:
    data = dict(row)
    data["created_at"] = from_text(data["created_at"])
    data["updated_at"] = from_text(data["updated_at"])
    return Person(**data)


# ---------------------------------------------------------------- registrations


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
) -> int:
    cursor = await tx.execute(
        """
        INSERT INTO registrations (person_id, taskforce, role, status, region, motivation,
                                   created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (person_id, taskforce, role.value, status.value, region, motivation, to_text(now), to_text(now)),
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


def _registration(row: aiosqlite.Row) -> Registration:
    data = dict(row)
    for key in ("decided_at", "created_at", "updated_at"):
        data[key] = from_text(data[key])
    return Registration(**data)


# ---------------------------------------------------------------- audit log


async def audit(
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


async def anonymise_audit(tx: Transaction, telegram_id: int) -> None:
    """Keep the history of what happened, without who it was or what they wrote."""
    await tx.execute("UPDATE audit_log SET actor_id = NULL, detail = NULL WHERE actor_id = ?", (telegram_id,))
    await tx.execute("UPDATE audit_log SET subject_id = NULL, detail = NULL WHERE subject_id = ?", (telegram_id,))


async def audit_actions(db: Reader, subject_id: int | None = None) -> list[aiosqlite.Row]:
    if subject_id is None:
        return await db.fetchall("SELECT * FROM audit_log ORDER BY id")
    return await db.fetchall("SELECT * FROM audit_log WHERE subject_id = ? ORDER BY id", (subject_id,))


# ---------------------------------------------------------------- reminders


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
