"""Who is in a task force: its places joined to their people, as /members, /balance, a member's card
and the digest show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import EndedBy, Person, RegistrationStatus, Role
from bot.storage.database import Reader, to_text
from bot.storage.people import person_from


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
        grouped.setdefault(row["taskforce"], []).append(person_from(row))
    return grouped


async def ended_since(db: Reader, since: datetime, until: datetime) -> dict[str, dict[EndedBy, list[int]]]:
    """Who left a task force in [since, until), or was withdrawn from it by the Secretariat, by task force and
    by who ended the place; not those who gave a place up for another in the same task force (a Representative
    moving region), nor those who deleted their data (no one is named for them)."""
    rows = await db.fetchall(
        "SELECT DISTINCT r.taskforce, r.ended_by, r.person_id FROM registrations r"
        " JOIN people p ON p.telegram_id = r.person_id"
        " WHERE r.status = 'withdrawn' AND r.updated_at >= ? AND r.updated_at < ? AND NOT EXISTS ("
        "  SELECT 1 FROM registrations h WHERE h.person_id = r.person_id AND h.taskforce = r.taskforce"
        "  AND h.status IN ('active', 'pending'))"
        " ORDER BY r.taskforce, lower(p.name)",
        (to_text(since), to_text(until)),
    )
    grouped: dict[str, dict[EndedBy, list[int]]] = {}
    for code, ended_by, person_id in rows:
        by_whom = grouped.setdefault(code, {EndedBy.PERSON: [], EndedBy.SECRETARIAT: []})
        by_whom[EndedBy(ended_by or EndedBy.PERSON)].append(person_id)
    return grouped
