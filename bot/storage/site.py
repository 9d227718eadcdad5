"""What the public site reads: counts grouped in SQL, the places of Leaders and Representatives, and the entries
the facilitators put on it. A name or an organisation leaves the database only for someone who agreed to be listed
(`people.listed`): for everyone else the query itself returns nothing but the place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.project_models import Project
from bot.storage.database import Reader
from bot.storage.projects import IN_CATALOGUE, get_project

# Where a place counts (membership.py says why): a Representative place for its own region.
_PLACE_REGION = "CASE WHEN r.role = 'representative' THEN COALESCE(r.region, p.region) ELSE p.region END"
# On the public site: in the catalogue (accepted, with a contact) and put there by a facilitator.
PUBLIC = f"{IN_CATALOGUE} AND p.public_at IS NOT NULL"


@dataclass(frozen=True, slots=True)
class Held:
    """An active Leader's or Representative's place; the name and organisation only if its holder agreed."""

    taskforce: str
    role: str
    region: str | None  # a Representative place's region
    name: str | None
    organisation: str | None


@dataclass(frozen=True, slots=True)
class EntryLine:
    """An entry as a list of the site shows it, with its latest progress."""

    id: int
    title: str
    kind: str | None
    stage: str | None
    countries: str | None
    region: str | None
    funding_amount: int | None
    funding_currency: str | None
    latest: str | None
    latest_at: datetime | None


async def state(db: Reader) -> tuple[int, int]:
    """(version, removals): the first moves with every write to what the site shows, the second with those that can
    take something off it (migration 23's triggers)."""
    row = await db.fetchone("SELECT version, removals FROM site_state")
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def member_counts(db: Reader) -> list[tuple[str, str, str, int]]:
    """(task force, region, stakeholder type, active members) of every task force."""
    rows = await db.fetchall(
        f"SELECT r.taskforce, {_PLACE_REGION}, p.stakeholder_type, COUNT(*) FROM registrations r"
        " JOIN people p ON p.telegram_id = r.person_id WHERE r.status = 'active' GROUP BY 1, 2, 3"
    )
    return [(str(code), str(region), str(kind), int(count)) for code, region, kind, count in rows]


async def held_places(db: Reader) -> list[Held]:
    rows = await db.fetchall(
        "SELECT r.taskforce, r.role, CASE WHEN r.role = 'representative' THEN r.region END,"
        " CASE WHEN p.listed THEN p.name END, CASE WHEN p.listed THEN p.organisation END"
        " FROM registrations r JOIN people p ON p.telegram_id = r.person_id"
        " WHERE r.status = 'active' AND r.role IN ('leader', 'representative') ORDER BY r.taskforce, r.region"
    )
    return [Held(*row) for row in rows]


async def with_group(db: Reader) -> set[str]:
    """The task forces whose group chat works (its link is never read here)."""
    rows = await db.fetchall("SELECT taskforce FROM group_links WHERE broken_at IS NULL")
    return {str(row[0]) for row in rows}


async def entry_counts(db: Reader) -> dict[str, int]:
    """Public entries per task force."""
    rows = await db.fetchall(
        f"SELECT t.taskforce, COUNT(*) FROM project_taskforces t JOIN projects p ON p.id = t.project_id WHERE {PUBLIC}"
        " GROUP BY 1"
    )
    return {str(code): int(count) for code, count in rows}


async def stage_counts(db: Reader) -> list[tuple[str, int, int]]:
    """(stage, public entries, of which seeking funding), each entry once whatever its task forces."""
    rows = await db.fetchall(
        f"SELECT p.stage, COUNT(*), SUM(p.funding_amount > 0) FROM projects p WHERE {PUBLIC} GROUP BY 1"
    )
    return [(str(stage), int(count), int(funded or 0)) for stage, count, funded in rows]


async def funding_sought(db: Reader) -> list[tuple[str, int, int]]:
    """(currency, public entries seeking funding in it, the amount they seek together), the largest first: amounts in
    different currencies are never added up."""
    rows = await db.fetchall(
        f"SELECT p.funding_currency, COUNT(*), SUM(p.funding_amount) FROM projects p WHERE {PUBLIC}"
        " AND p.funding_amount > 0 AND p.funding_currency IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1"
    )
    return [(str(currency), int(count), int(total)) for currency, count, total in rows]


# A page of entries: the task force's public entries first (from its index: CROSS JOIN keeps SQLite from reading
# every entry of the catalogue), then the latest progress of only those.
_PAGE = (
    "WITH page AS (SELECT p.id, p.title, p.kind, p.stage, p.countries, p.region, p.funding_amount, p.funding_currency,"
    " p.public_at FROM project_taskforces t CROSS JOIN projects p ON p.id = t.project_id"
    f" WHERE t.taskforce = ? AND {PUBLIC} ORDER BY p.public_at DESC, p.id DESC LIMIT ? OFFSET ?)"
    " SELECT p.*, u.text AS latest, u.at AS latest_at FROM page p"
    " LEFT JOIN project_updates u ON u.id = (SELECT id FROM project_updates WHERE project_id = p.id"
    "   ORDER BY at DESC, id DESC LIMIT 1) ORDER BY p.public_at DESC, p.id DESC"
)


def _line(row: aiosqlite.Row) -> EntryLine:
    return EntryLine(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        stage=row["stage"],
        countries=row["countries"],
        region=row["region"],
        funding_amount=row["funding_amount"],
        funding_currency=row["funding_currency"],
        latest=row["latest"],
        latest_at=datetime.fromisoformat(row["latest_at"]) if row["latest_at"] else None,
    )


async def entries_of(db: Reader, code: str, offset: int, limit: int) -> list[EntryLine]:
    """A task force's public entries, the most recently published first."""
    rows = await db.fetchall(_PAGE, (code, limit, offset))
    return [_line(row) for row in rows]


async def latest_updates(db: Reader, limit: int) -> list[tuple[int, str, str, datetime]]:
    """(entry, its title, the update, when) of the newest progress updates of public entries."""
    rows = await db.fetchall(
        f"SELECT p.id, p.title, u.text, u.at FROM project_updates u JOIN projects p ON p.id = u.project_id"
        f" WHERE {PUBLIC} ORDER BY u.at DESC, u.id DESC LIMIT ?",
        (limit,),
    )
    return [(int(entry), str(title), str(text), datetime.fromisoformat(at)) for entry, title, text, at in rows]


async def public_entry(db: Reader, project_id: int) -> Project | None:
    """The entry if it is on the public site; None for any other (unknown, private, out of the catalogue)."""
    row = await db.fetchone(f"SELECT p.id FROM projects p WHERE p.id = ? AND {PUBLIC}", (project_id,))
    return await get_project(db, project_id) if row is not None else None


async def updates_of(db: Reader, project_id: int, limit: int) -> list[tuple[str, datetime]]:
    rows = await db.fetchall(
        "SELECT text, at FROM project_updates WHERE project_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        (project_id, limit),
    )
    return [(str(text), datetime.fromisoformat(at)) for text, at in rows]
