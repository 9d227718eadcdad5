"""Repositories: parameterised SQL in, pydantic models out.

Reads take anything with `fetchone`/`fetchall` (the Database or an open Transaction);
writes take a Transaction so that a service decides what commits together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
    """The profile goes; the person's registrations stay as anonymous counts, without what they wrote."""
    await tx.execute(
        "UPDATE registrations SET person_id = NULL, motivation = NULL, reason = NULL WHERE person_id = ?",
        (telegram_id,),
    )
    # What they decided stays decided, without who decided or the reason they wrote.
    await tx.execute("UPDATE registrations SET decided_by = 0, reason = NULL WHERE decided_by = ?", (telegram_id,))
    await tx.execute("DELETE FROM people WHERE telegram_id = ?", (telegram_id,))


def _person(row: aiosqlite.Row) -> Person:
    data = {key: row[key] for key in _PERSON_COLUMNS}
    data["created_at"] = from_text(data["created_at"])
    data["updated_at"] = from_text(data["updated_at"])
    return Person(**data)


_PERSON_COLUMNS = (
    "telegram_id", "name", "organisation", "country", "region", "stakeholder_type",
    "member_status", "email", "language", "created_at", "updated_at", "member_status_confirmed",
)  # fmt: skip


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


def _registration(row: aiosqlite.Row | dict[str, Any]) -> Registration:
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


# ---------------------------------------------------------------- decisions


async def get_registration(db: Reader, registration_id: int) -> Registration | None:
    row = await db.fetchone("SELECT * FROM registrations WHERE id = ?", (registration_id,))
    return None if row is None else _registration(row)


async def decide_registration(
    tx: Transaction,
    registration_id: int,
    status: RegistrationStatus,
    decided_by: int,
    reason: str | None,
    now: datetime,
    role: Role | None = None,
) -> None:
    """Only a pending registration can be decided: the first decision wins, in the database."""
    await tx.execute(
        "UPDATE registrations SET status = ?, role = COALESCE(?, role), decided_by = ?, decided_at = ?,"
        " reason = ?, next_reminder_at = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        (status.value, role.value if role else None, decided_by, to_text(now), reason, to_text(now), registration_id),
    )


async def active_holder(db: Reader, code: str, role: Role, region: str | None) -> Registration | None:
    """Who already holds the single Leader place, or the Representative place of a region."""
    row = await db.fetchone(
        "SELECT * FROM registrations WHERE taskforce = ? AND role = ? AND status = 'active'"
        " AND (? IS NULL OR region = ?)",
        (code, role.value, region if role is Role.REPRESENTATIVE else None, region),
    )
    return None if row is None else _registration(row)


async def set_member_claim(tx: Transaction, telegram_id: int, confirmed: bool, now: datetime) -> None:
    """A confirmed claim stays; a rejected one makes the person a non-member."""
    await tx.execute(
        "UPDATE people SET member_status_confirmed = ?,"
        " member_status = CASE WHEN ? THEN member_status ELSE 'neither' END, updated_at = ?"
        " WHERE telegram_id = ?",
        (int(confirmed), int(confirmed), to_text(now), telegram_id),
    )


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


@dataclass(frozen=True, slots=True)
class Member:
    """One place held (active or pending) in a task force, with what /members shows of its person."""

    telegram_id: int
    name: str
    role: Role
    status: RegistrationStatus
    organisation: str
    country: str
    region: str
    stakeholder_type: str
    email: str | None


# Where a place counts: a Representative place for its own region (which stays when its holder's profile
# moves), any other place for its holder's region.
_PLACE_REGION = "CASE WHEN r.role = 'representative' THEN COALESCE(r.region, p.region) ELSE p.region END"


async def members_of(db: Reader, code: str) -> list[Member]:
    """Active and pending places of a task force, by name; plain rows, since a task force may have tens of
    thousands of members."""
    rows = await db.fetchall(
        f"SELECT p.telegram_id, p.name, r.role, r.status, p.organisation, p.country, {_PLACE_REGION},"
        " p.stakeholder_type, p.email FROM registrations r JOIN people p ON p.telegram_id = r.person_id"
        " WHERE r.taskforce = ? AND r.status IN ('active', 'pending') ORDER BY lower(p.name), r.id",
        (code,),
    )
    return [
        Member(row[0], row[1], Role(row[2]), RegistrationStatus(row[3]), row[4], row[5], row[6], row[7], row[8])
        for row in rows
    ]


async def place_counts(db: Reader, code: str) -> list[tuple[str, str, str, str, int]]:
    """(region, stakeholder type, role, status, places) of a task force's active and pending places."""
    rows = await db.fetchall(
        f"SELECT {_PLACE_REGION}, p.stakeholder_type, r.role, r.status, COUNT(*) FROM registrations r"
        " JOIN people p ON p.telegram_id = r.person_id WHERE r.taskforce = ? AND r.status IN ('active', 'pending')"
        " GROUP BY 1, 2, 3, 4",
        (code,),
    )
    return [(str(a), str(b), str(c), str(d), int(n)) for a, b, c, d, n in rows]


async def active_members_by_region(db: Reader, code: str) -> list[tuple[str, int]]:
    """(region, active members) of a task force, the largest first: what a member's card shows."""
    rows = await db.fetchall(
        f"SELECT {_PLACE_REGION} AS region, COUNT(*) AS members FROM registrations r"
        " JOIN people p ON p.telegram_id = r.person_id"
        " WHERE r.taskforce = ? AND r.status = 'active' GROUP BY 1 ORDER BY members DESC, region",
        (code,),
    )
    return [(row["region"], row["members"]) for row in rows]


async def new_members_since(db: Reader, since: datetime, until: datetime) -> dict[str, list[Person]]:
    """Team Members who joined in [since, until), by task force, for the facilitators' digest."""
    rows = await db.fetchall(
        "SELECT r.taskforce, p.* FROM registrations r JOIN people p ON p.telegram_id = r.person_id"
        " WHERE r.role = 'member' AND r.status = 'active' AND r.created_at >= ? AND r.created_at < ?"
        " ORDER BY r.taskforce, p.name",
        (to_text(since), to_text(until)),
    )
    grouped: dict[str, list[Person]] = {}
    for row in rows:
        grouped.setdefault(row["taskforce"], []).append(_person(row))
    return grouped


async def left_groups_since(db: Reader, since: datetime, until: datetime) -> dict[str, int]:
    """Places ended in [since, until) in task forces that have a group: so many were taken out of it."""
    rows = await db.fetchall(
        "SELECT r.taskforce, COUNT(*) FROM registrations r JOIN group_links g ON g.taskforce = r.taskforce"
        " WHERE r.status = 'withdrawn' AND r.updated_at >= ? AND r.updated_at < ? GROUP BY r.taskforce",
        (to_text(since), to_text(until)),
    )
    return {str(code): int(count) for code, count in rows}


# ---------------------------------------------------------------- ticks


async def last_run(db: Reader, name: str) -> datetime | None:
    row = await db.fetchone("SELECT last_run_at FROM ticks WHERE name = ?", (name,))
    return None if row is None else from_text(row["last_run_at"])


async def set_last_run(tx: Transaction, name: str, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO ticks (name, last_run_at) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at",
        (name, to_text(at)),
    )
