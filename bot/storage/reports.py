"""What exports and statistics read: a few wide queries, grouped in SQL, not row by row in Python."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Reader


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """A person's profile and how to reach them, as each row of an export gives them."""

    telegram_id: int
    name: str
    organisation: str
    country: str
    region: str
    stakeholder_type: str
    member_status: str
    member_status_confirmed: int | None
    email: str | None
    username: str | None


# A ProfileRecord's columns in its order, from people p and known_users k.
_PROFILE = (
    "p.telegram_id, p.name, p.organisation, p.country, p.region, p.stakeholder_type, p.member_status,"
    " p.member_status_confirmed, p.email, k.username"
)


@dataclass(frozen=True, slots=True)
class ExportRecord(ProfileRecord):
    """One registration with its person's profile and its decision."""

    taskforce: str
    role: str
    status: str
    ended_by: str | None  # a withdrawn place: its person's doing, or the Secretariat's
    region_held: str | None  # a Representative's region
    created_at: str
    updated_at: str
    decided_at: str | None
    reason: str | None
    decided_by: str | None
    verdict: str | None
    declared_status: str | None  # the member status declared in the application, as the decider saw it


def _scope(codes: list[str] | None) -> dict[str, object]:
    return {"all": codes is None, "codes": json.dumps(codes or [])}


_IN_SCOPE = "(:all OR r.taskforce IN (SELECT value FROM json_each(:codes)))"


async def export_batch(
    db: Reader, codes: list[str] | None, after: tuple[str, int], size: int
) -> list[tuple[ExportRecord, int]]:
    """The next `size` registrations of living people after `after` (task force, id), with their ids:
    read in batches, so that an export of any size never holds all of them at once."""
    rows = await db.fetchall(
        f"SELECT {_PROFILE}, r.taskforce, r.role, r.status, r.ended_by,"
        " CASE WHEN r.role = 'representative' THEN r.region END AS region_held,"
        " r.created_at, r.updated_at, r.decided_at, r.reason, d.full_name AS decided_by, r.verdict, r.declared_status,"
        " r.id"
        " FROM registrations r JOIN people p ON p.telegram_id = r.person_id"
        " LEFT JOIN known_users k ON k.telegram_id = r.person_id"
        " LEFT JOIN known_users d ON d.telegram_id = r.decided_by"
        f" WHERE {_IN_SCOPE} AND (r.taskforce, r.id) > (:code, :id) ORDER BY r.taskforce, r.id LIMIT :size",
        _scope(codes) | {"code": after[0], "id": after[1], "size": size},
    )
    return [(ExportRecord(*row[:-1]), row[-1]) for row in rows]


@dataclass(frozen=True, slots=True)
class PersonRecord(ProfileRecord):
    """One person in scope: their profile, how to reach them, the task forces they hold a place in."""

    chosen_language: str | None
    telegram_language: str | None
    created_at: str
    taskforces: str | None  # codes joined by ","


async def people_batch(db: Reader, codes: list[str] | None, after: int, size: int) -> list[PersonRecord]:
    """The next `size` people in scope after the id `after`, each with the places they hold in scope."""
    rows = await db.fetchall(
        f"SELECT {_PROFILE}, k.chosen_language, k.language, p.created_at,"
        " (SELECT group_concat(r.taskforce) FROM registrations r WHERE r.person_id = p.telegram_id"
        f"  AND r.status IN ('active', 'pending') AND {_IN_SCOPE}) AS taskforces"
        " FROM people p LEFT JOIN known_users k ON k.telegram_id = p.telegram_id"
        f" WHERE {_PERSON_IN_SCOPE} AND p.telegram_id > :after ORDER BY p.telegram_id LIMIT :size",
        _scope(codes) | {"after": after, "size": size},
    )
    return [PersonRecord(*row) for row in rows]


async def export_count(db: Reader, codes: list[str] | None) -> int:
    row = await db.fetchone(
        f"SELECT COUNT(*) FROM registrations r JOIN people p ON p.telegram_id = r.person_id WHERE {_IN_SCOPE}",
        _scope(codes),
    )
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Figures:
    """The raw counts /stats shows; grouped in SQL."""

    people: int
    places: list[tuple[str, str, str, int]]  # (task force, role, status, registrations)
    representatives: list[tuple[str, int]]  # (task force, regions with an active Representative)
    by_region: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    joins_by_week: list[tuple[str, int]]  # (first day of the week, registrations made)
    unreachable: int


# The people holding a place (active or pending) in scope: everyone with a profile for the Secretariat.
# Composed from parameters only, so that it reads the same wherever it is put (a WHERE or an AND).
_PERSON_IN_SCOPE = (
    "(:all OR p.telegram_id IN (SELECT h.person_id FROM registrations h"
    " WHERE h.status IN ('active', 'pending') AND h.person_id IS NOT NULL"
    " AND h.taskforce IN (SELECT value FROM json_each(:codes))))"
)


async def figures(db: Reader, codes: list[str] | None, since: datetime) -> Figures:
    """Everything is counted among the people holding a place (active or pending) in scope,
    except for the Secretariat: everyone with a profile."""
    scope = _scope(codes)
    places = await db.fetchall(
        f"SELECT r.taskforce, r.role, r.status, COUNT(*) FROM registrations r WHERE {_IN_SCOPE}"
        " GROUP BY r.taskforce, r.role, r.status",
        scope,
    )
    representatives = await db.fetchall(
        "SELECT r.taskforce, COUNT(DISTINCT r.region) FROM registrations r"
        f" WHERE r.role = 'representative' AND r.status = 'active' AND {_IN_SCOPE} GROUP BY r.taskforce",
        scope,
    )
    by_region = await db.fetchall(
        f"SELECT p.region, COUNT(*) FROM people p WHERE {_PERSON_IN_SCOPE} GROUP BY p.region ORDER BY 2 DESC, 1",
        scope,
    )
    by_type = await db.fetchall(
        f"SELECT p.stakeholder_type, COUNT(*) FROM people p WHERE {_PERSON_IN_SCOPE}"
        " GROUP BY p.stakeholder_type ORDER BY 2 DESC, 1",
        scope,
    )
    weeks = await db.fetchall(
        "SELECT date(r.created_at, 'weekday 0', '-6 days') AS week, COUNT(*) FROM registrations r"
        f" WHERE r.created_at >= :since AND {_IN_SCOPE} GROUP BY week ORDER BY week",
        scope | {"since": since.isoformat()},
    )
    unreachable = await db.fetchone(
        "SELECT COUNT(*) FROM people p JOIN known_users k ON k.telegram_id = p.telegram_id"
        f" WHERE k.unreachable_at IS NOT NULL AND {_PERSON_IN_SCOPE}",
        scope,
    )
    people = await db.fetchone(f"SELECT COUNT(*) FROM people p WHERE {_PERSON_IN_SCOPE}", scope)
    return Figures(
        people=people[0] if people else 0,
        places=[(str(code), str(role), str(status), int(count)) for code, role, status, count in places],
        representatives=_pairs(representatives),
        by_region=_pairs(by_region),
        by_type=_pairs(by_type),
        joins_by_week=_pairs(weeks),
        unreachable=unreachable[0] if unreachable else 0,
    )


def _pairs(rows: list[aiosqlite.Row]) -> list[tuple[str, int]]:
    return [(str(key), int(count)) for key, count in rows]
