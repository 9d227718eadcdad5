"""Entries of the catalogue of actions and projects, and the task forces each contributes to.

A draft is a row from its first answer; what it still lacks is NULL. Column names are never
taken from a caller: each field's columns are named here (`FIELD_COLUMNS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.project_models import Money, Project, ProjectField, ProjectStatus
from bot.storage.database import Params, Reader, Transaction, from_text, to_text

FIELD_COLUMNS: dict[ProjectField, tuple[str, ...]] = {
    ProjectField.TITLE: ("title",),
    ProjectField.KIND: ("kind",),
    ProjectField.COUNTRIES: ("countries",),
    ProjectField.REGION: ("region",),
    ProjectField.LEAD: ("lead_organisation",),
    ProjectField.PARTNERS: ("partners",),
    ProjectField.SUMMARY: ("summary",),
    ProjectField.CONTRIBUTION: ("contribution",),
    ProjectField.STAGE: ("stage",),
    ProjectField.BUDGET: ("budget_amount", "budget_currency"),
    ProjectField.FUNDING: ("funding_amount", "funding_currency"),
    ProjectField.START: ("starts",),
    ProjectField.END: ("ends",),
    ProjectField.LINK: ("link",),
    ProjectField.DOCUMENT: ("document_id", "document_name"),
    ProjectField.LANGUAGE: ("language",),
}
CONTENT = tuple(column for columns in FIELD_COLUMNS.values() for column in columns)
Value = str | int | None
# Every read of entries starts so (the entry as `p`), and `_project` maps every one: its columns and its task forces.
_ENTRY = (
    "SELECT p.*, (SELECT json_group_array(taskforce) FROM (SELECT taskforce FROM project_taskforces"
    " WHERE project_id = p.id ORDER BY taskforce)) AS codes"
)


_NEXT_ID = "(SELECT last + 1 FROM project_ids)"  # never an id given before, even to a deleted draft (migration 21)


async def create(tx: Transaction, author_id: int, now: datetime, revises: int | None = None) -> int:
    """A new draft; with `revises`, holding a copy of that entry's content and task forces."""
    if revises is None:
        cursor = await tx.execute(
            f"INSERT INTO projects (id, author_id, status, created_at, updated_at)"
            f" VALUES ({_NEXT_ID}, ?, 'draft', ?, ?)",
            (author_id, to_text(now), to_text(now)),
        )
        return int(cursor.lastrowid or 0)
    columns = ", ".join(CONTENT)
    cursor = await tx.execute(
        f"INSERT INTO projects (id, author_id, revises, status, created_at, updated_at, {columns})"
        f" SELECT {_NEXT_ID}, ?, id, 'draft', ?, ?, {columns} FROM projects WHERE id = ?",
        (author_id, to_text(now), to_text(now), revises),
    )
    draft = int(cursor.lastrowid or 0)
    await _copy_taskforces(tx, revises, draft)
    return draft


async def get_project(db: Reader, project_id: int) -> Project | None:
    return next(iter(await _entries(db, "FROM projects p WHERE p.id = ?", (project_id,))), None)


async def flow_of(db: Reader, project_id: int) -> str | None:
    """A draft's progress through the questions, as JSON (services/projects.py reads it)."""
    row = await db.fetchone("SELECT flow FROM projects WHERE id = ?", (project_id,))
    return None if row is None else row["flow"]


async def set_flow(tx: Transaction, project_id: int, flow: str | None, now: datetime) -> None:
    await tx.execute("UPDATE projects SET flow = ?, updated_at = ? WHERE id = ?", (flow, to_text(now), project_id))


async def set_field(tx: Transaction, project_id: int, field: ProjectField, values: tuple[Value, ...]) -> None:
    """One answer: the field's columns (an amount and its currency, a file and its name) at once."""
    columns = FIELD_COLUMNS[field]
    if len(values) != len(columns):
        raise ValueError(f"{field}: {len(columns)} values expected")
    assignments = ", ".join(f"{column} = ?" for column in columns)
    await tx.execute(f"UPDATE projects SET {assignments} WHERE id = ?", (*values, project_id))


async def set_taskforces(tx: Transaction, project_id: int, codes: list[str]) -> None:
    await tx.execute("DELETE FROM project_taskforces WHERE project_id = ?", (project_id,))
    await tx.executemany(
        "INSERT INTO project_taskforces (project_id, taskforce) VALUES (?, ?)", [(project_id, c) for c in codes]
    )


async def copy_content(tx: Transaction, source_id: int, target_id: int, now: datetime) -> None:
    """A submitted revision's content and task forces become its entry's."""
    assignments = ", ".join(f"{column} = source.{column}" for column in CONTENT)
    await tx.execute(
        f"UPDATE projects SET {assignments}, updated_at = ? FROM (SELECT * FROM projects WHERE id = ?) AS source"
        " WHERE projects.id = ?",
        (to_text(now), source_id, target_id),
    )
    await _copy_taskforces(tx, source_id, target_id)


async def _copy_taskforces(tx: Transaction, source_id: int, target_id: int) -> None:
    await tx.execute("DELETE FROM project_taskforces WHERE project_id = ?", (target_id,))
    await tx.execute(
        "INSERT INTO project_taskforces (project_id, taskforce) SELECT ?, taskforce FROM project_taskforces"
        " WHERE project_id = ?",
        (target_id, source_id),
    )


async def set_status(
    tx: Transaction,
    project_id: int,
    status: ProjectStatus,
    now: datetime,
    *,
    submitted: bool = False,
    decided_by: int | None = None,
    comment: str | None = None,
) -> None:
    """A new status; a submission clears the flow and the last decision, a decision records who and why. An entry
    leaving the catalogue leaves the public site too: whoever accepts it again has not published it."""
    await tx.execute(
        "UPDATE projects SET status = :status, updated_at = :now,"
        " public_at = CASE WHEN :status = 'accepted' THEN public_at END,"
        " flow = CASE WHEN :submitted THEN NULL ELSE flow END,"
        " submitted_at = CASE WHEN :submitted THEN :now ELSE submitted_at END,"
        " decided_by = CASE WHEN :submitted THEN NULL WHEN :decider IS NOT NULL THEN :decider ELSE decided_by END,"
        " decided_at = CASE WHEN :submitted THEN NULL WHEN :decider IS NOT NULL THEN :now ELSE decided_at END,"
        " comment = CASE WHEN :submitted THEN NULL WHEN :decider IS NOT NULL THEN :comment ELSE comment END"
        " WHERE id = :id",
        {
            "status": status.value,
            "now": to_text(now),
            "submitted": submitted,
            "decider": decided_by,
            "comment": comment,
            "id": project_id,
        },
    )


async def set_public(tx: Transaction, project_id: int, at: datetime | None) -> None:
    """Marked public (`at`, when), or not (None)."""
    await tx.execute("UPDATE projects SET public_at = ? WHERE id = ?", (to_text(at), project_id))


async def delete(tx: Transaction, project_id: int) -> None:
    await tx.execute("DELETE FROM projects WHERE id = ?", (project_id,))


async def new_draft_of(db: Reader, author_id: int) -> int | None:
    """The author's unfinished description of a new entry, if any (one at a time)."""
    row = await db.fetchone(
        "SELECT id FROM projects WHERE author_id = ? AND status = 'draft' AND revises IS NULL ORDER BY id DESC",
        (author_id,),
    )
    return None if row is None else int(row["id"])


async def revision_of(db: Reader, project_id: int) -> int | None:
    row = await db.fetchone("SELECT id FROM projects WHERE revises = ?", (project_id,))
    return None if row is None else int(row["id"])


async def own_projects(db: Reader, author_id: int) -> list[Project]:
    """The author's entries and their new draft, newest first; drafts of changes are shown with their entry."""
    return await _entries(
        db, "FROM projects p WHERE p.author_id = ? AND p.revises IS NULL ORDER BY p.id DESC", (author_id,)
    )


async def forget_author(tx: Transaction, person_id: int, now: datetime) -> list[int]:
    """The person's drafts go; their submitted entries stay, describing an organisation's work, without
    them: contact withdrawn, and off the public site (a new contact brings them back to the catalogue, and a
    facilitator to the site). Offers made to them go with them (the notices are deleted with their chat): whoever
    offered may offer again to the next contact. Their decisions lose who made them and the comment they wrote.
    Returns the entries that lost their contact."""
    await tx.execute("DELETE FROM projects WHERE author_id = ? AND status = 'draft'", (person_id,))
    found = await tx.fetchall("SELECT id FROM projects WHERE author_id = ?", (person_id,))
    orphaned = [int(row["id"]) for row in found]
    await tx.executemany("DELETE FROM project_offers WHERE project_id = ?", [(entry,) for entry in orphaned])
    await tx.execute(
        "UPDATE projects SET author_id = NULL, public_at = NULL, updated_at = ? WHERE author_id = ?",
        (to_text(now), person_id),
    )
    await tx.execute("UPDATE projects SET decided_by = NULL, comment = NULL WHERE decided_by = ?", (person_id,))
    return orphaned


def _money(amount: int | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(amount=amount, currency=currency)


async def _entries(db: Reader, tail: str, params: Params) -> list[Project]:
    """Entries read as `_ENTRY` then `tail` (FROM … WHERE … ORDER BY, the entry as `p`) says."""
    return [_project(row) for row in await db.fetchall(f"{_ENTRY} {tail}", params)]


def _project(row: aiosqlite.Row) -> Project:
    """An entry read with `_ENTRY`: its columns and its task forces."""
    return Project(
        id=row["id"],
        author_id=row["author_id"],
        revises=row["revises"],
        status=ProjectStatus(row["status"]),
        title=row["title"],
        kind=row["kind"],
        taskforces=json.loads(row["codes"]),
        countries=row["countries"],
        region=row["region"],
        lead=row["lead_organisation"],
        partners=row["partners"],
        summary=row["summary"],
        contribution=row["contribution"],
        stage=row["stage"],
        budget=_money(row["budget_amount"], row["budget_currency"]),
        funding=_money(row["funding_amount"], row["funding_currency"]),
        start=row["starts"],
        end=row["ends"],
        link=row["link"],
        document_id=row["document_id"],
        document_name=row["document_name"],
        language=row["language"],
        comment=row["comment"],
        decided_by=row["decided_by"],
        decided_at=from_text(row["decided_at"]),
        submitted_at=from_text(row["submitted_at"]),
        public_at=from_text(row["public_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
    )


# ---------------------------------------------------------------- review: reminders (prompts: storage/prompts.py)


async def set_reminder_due(tx: Transaction, project_id: int, due: datetime | None, sent: int) -> None:
    await tx.execute(
        "UPDATE projects SET next_reminder_at = ?, reminders_sent = ? WHERE id = ?", (to_text(due), sent, project_id)
    )


async def reviews_due(db: Reader, now: datetime) -> list[tuple[Project, int]]:
    """Entries waiting for a decision whose reminder is due, with the reminders sent so far."""
    rows = await db.fetchall(
        f"{_ENTRY} FROM projects p WHERE p.status = 'review' AND p.next_reminder_at IS NOT NULL"
        " AND p.next_reminder_at <= ? ORDER BY p.next_reminder_at",
        (to_text(now),),
    )
    return [(_project(row), int(row["reminders_sent"])) for row in rows]


# ---------------------------------------------------------------- the catalogue, progress and offers

# In the catalogue: accepted, with a contact (one whose author deleted their data waits for a new one).
IN_CATALOGUE = "p.status = 'accepted' AND p.author_id IS NOT NULL"
_FILTERED = (
    f"{IN_CATALOGUE} AND (:region IS NULL OR p.region = :region) AND (:stage IS NULL OR p.stage = :stage)"
    " AND (NOT :funding OR p.funding_amount > 0)"
)


async def catalogue_counts(db: Reader) -> dict[str, int]:
    """Entries in the catalogue per task force."""
    rows = await db.fetchall(
        f"SELECT t.taskforce, COUNT(*) AS n FROM project_taskforces t JOIN projects p ON p.id = t.project_id"
        f" WHERE {IN_CATALOGUE} GROUP BY t.taskforce"
    )
    return {str(row["taskforce"]): int(row["n"]) for row in rows}


def _filters(code: str, region: str | None, stage: str | None, funding: bool) -> dict[str, object]:
    return {"code": code, "region": region, "stage": stage, "funding": funding}


async def catalogue_total(db: Reader, code: str, region: str | None, stage: str | None, funding: bool) -> int:
    row = await db.fetchone(
        f"SELECT COUNT(*) AS n FROM project_taskforces t JOIN projects p ON p.id = t.project_id"
        f" WHERE t.taskforce = :code AND {_FILTERED}",
        _filters(code, region, stage, funding),
    )
    return int(row["n"]) if row else 0


async def catalogue_entry(
    db: Reader, code: str, region: str | None, stage: str | None, funding: bool, offset: int
) -> Project | None:
    """The entry at `offset` of a task force's catalogue, filtered, the most recently accepted first."""
    found = await _entries(
        db,
        f"FROM project_taskforces t JOIN projects p ON p.id = t.project_id"
        f" WHERE t.taskforce = :code AND {_FILTERED} ORDER BY p.decided_at DESC, p.id DESC LIMIT 1 OFFSET :offset",
        {**_filters(code, region, stage, funding), "offset": offset},
    )
    return next(iter(found), None)


async def add_update(tx: Transaction, project_id: int, author_id: int, text: str, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO project_updates (project_id, author_id, text, at) VALUES (?, ?, ?, ?)",
        (project_id, author_id, text, to_text(now)),
    )


async def latest_update(db: Reader, project_id: int) -> tuple[str, datetime] | None:
    row = await db.fetchone(
        "SELECT text, at FROM project_updates WHERE project_id = ? ORDER BY at DESC, id DESC LIMIT 1", (project_id,)
    )
    return None if row is None else (str(row["text"]), datetime.fromisoformat(row["at"]))


async def set_progress_due(tx: Transaction, project_id: int, due: datetime | None) -> None:
    await tx.execute("UPDATE projects SET progress_due_at = ? WHERE id = ?", (to_text(due), project_id))


async def progress_due(db: Reader, now: datetime) -> list[Project]:
    """Running entries of the catalogue whose progress update is due."""
    return await _entries(
        db,
        f"FROM projects p WHERE {IN_CATALOGUE} AND p.stage = 'running' AND p.progress_due_at <= ?"
        " ORDER BY p.progress_due_at",
        (to_text(now),),
    )


async def add_offer(tx: Transaction, project_id: int, person_id: int, now: datetime) -> bool:
    """False when this person already offered to contribute to this entry."""
    cursor = await tx.execute(
        "INSERT INTO project_offers (project_id, person_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (project_id, person_id, to_text(now)),
    )
    return cursor.rowcount > 0


async def forget_contributor(tx: Transaction, person_id: int) -> None:
    """Their offers go; their progress updates describe the entry's work and stay, without them."""
    await tx.execute("DELETE FROM project_offers WHERE person_id = ?", (person_id,))
    await tx.execute("UPDATE project_updates SET author_id = NULL WHERE author_id = ?", (person_id,))


@dataclass(frozen=True, slots=True)
class ExportedEntry:
    """One submitted entry for the export: its content, its contact and its latest progress."""

    project: Project
    contact_name: str | None
    contact_organisation: str | None
    latest: str | None
    latest_at: str | None


async def exported(db: Reader, codes: list[str] | None) -> list[ExportedEntry]:
    """Every submitted entry of these task forces (None: all), oldest first, in one read."""
    rows = await db.fetchall(
        f"{_ENTRY}, c.name AS contact_name, c.organisation AS contact_organisation,"
        " u.text AS latest, u.at AS latest_at"
        " FROM projects p LEFT JOIN people c ON c.telegram_id = p.author_id"
        " LEFT JOIN project_updates u ON u.id = (SELECT id FROM project_updates WHERE project_id = p.id"
        "   ORDER BY at DESC, id DESC LIMIT 1)"
        " WHERE p.status != 'draft' AND (:all OR EXISTS (SELECT 1 FROM project_taskforces t"
        "   WHERE t.project_id = p.id AND t.taskforce IN (SELECT value FROM json_each(:codes))))"
        " ORDER BY p.id",
        {"all": codes is None, "codes": json.dumps(codes or [])},
    )
    return [
        ExportedEntry(
            _project(row),
            row["contact_name"],
            row["contact_organisation"],
            row["latest"],
            row["latest_at"],
        )
        for row in rows
    ]


async def seeking_funding(db: Reader, codes: list[str]) -> list[Project]:
    """The catalogue's entries of these task forces that seek funding, each once, the most recently accepted first."""
    return await _entries(
        db,
        f"FROM projects p WHERE {IN_CATALOGUE} AND p.funding_amount > 0 AND EXISTS (SELECT 1 FROM"
        " project_taskforces t WHERE t.project_id = p.id AND t.taskforce IN (SELECT value FROM json_each(?)))"
        " ORDER BY p.decided_at DESC, p.id DESC",
        (json.dumps(codes),),
    )


async def set_author(tx: Transaction, project_id: int, author_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE projects SET author_id = ?, updated_at = ? WHERE id = ?", (author_id, to_text(now), project_id)
    )


async def stage_counts(db: Reader, codes: list[str] | None) -> list[tuple[str, str, str, int]]:
    """(task force, status, stage, entries) of the entries waiting for review and of those in the catalogue, counted
    in SQL: an accepted entry whose contact left is not in the catalogue until another is named."""
    rows = await db.fetchall(
        "SELECT t.taskforce, p.status, COALESCE(p.stage, '') AS stage, COUNT(*) AS n"
        " FROM project_taskforces t JOIN projects p ON p.id = t.project_id"
        f" WHERE (p.status = 'review' OR {IN_CATALOGUE})"
        " AND (:all OR t.taskforce IN (SELECT value FROM json_each(:codes)))"
        " GROUP BY t.taskforce, p.status, p.stage",
        {"all": codes is None, "codes": json.dumps(codes or [])},
    )
    return [(str(r["taskforce"]), str(r["status"]), str(r["stage"]), int(r["n"])) for r in rows]
