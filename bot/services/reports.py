"""Exports and statistics for the Secretariat (everything) and facilitators (their task forces)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import authority
from bot.storage import audit, reports
from bot.storage.database import Database
from bot.storage.reports import ExportRecord, Figures, PersonRecord

WEEKS = 12  # joins per week, over this many weeks
EXPORT_BATCH = 5000


async def export(db: Database, actor: int, admins: Collection[int], now: datetime) -> tuple[list[str] | None, int]:
    """The task forces the actor may export (None: all) and how many registrations; audited."""
    codes = await authority.oversight(db, actor, admins)
    count = await reports.export_count(db, codes)
    async with db.transaction() as tx:
        await audit.record(tx, now, actor, "export", detail={"taskforces": codes or "all", "rows": count})
    return codes, count


async def export_batches(db: Database, codes: list[str] | None) -> AsyncIterator[list[ExportRecord]]:
    """Every registration of living people in scope, in task force order, a batch at a time."""
    after = ("", 0)
    while batch := await reports.export_batch(db, codes, after, EXPORT_BATCH):
        yield [record for record, _ in batch]
        after = (batch[-1][0].taskforce, batch[-1][1])


async def export_people(db: Database, codes: list[str] | None) -> AsyncIterator[list[PersonRecord]]:
    """Every person in scope, one row each (their language, how to reach them, their task forces), a batch at
    a time: the export's sheet of people."""
    after = 0
    while batch := await reports.people_batch(db, codes, after, EXPORT_BATCH):
        yield batch
        after = batch[-1].telegram_id


@dataclass
class TaskforceFigures:
    """One task force's places: active members by role, applications waiting, seats open."""

    code: str
    active: dict[Role, int] = field(default_factory=lambda: dict.fromkeys(Role, 0))
    pending: int = 0
    ended: int = 0  # withdrawn or rejected
    representatives: int = 0  # regions with an active Representative

    @property
    def leader_open(self) -> bool:
        return self.active[Role.LEADER] == 0

    @property
    def members(self) -> int:
        return sum(self.active.values())


@dataclass(frozen=True)
class Statistics:
    figures: Figures
    taskforces: list[TaskforceFigures]
    regions: int  # Representative seats per task force: one per region

    @property
    def registrations(self) -> int:
        return sum(t.members + t.pending for t in self.taskforces)


async def statistics(
    db: Database, actor: int, admins: Collection[int], catalogue: Catalogue, now: datetime
) -> Statistics:
    codes = await authority.oversight(db, actor, admins)
    figures = await reports.figures(db, codes, now - timedelta(weeks=WEEKS))
    by_code = {code: TaskforceFigures(code) for code in (codes or [o.code for o in catalogue.objectives])}
    for code, role, status, count in figures.places:
        item = by_code.get(code)
        if item is None:
            continue
        if status == RegistrationStatus.ACTIVE:
            item.active[Role(role)] += count
        elif status == RegistrationStatus.PENDING:
            item.pending += count
        else:
            item.ended += count
    for code, regions in figures.representatives:
        if code in by_code:
            by_code[code].representatives = regions
    return Statistics(figures, list(by_code.values()), len(catalogue.region_names))


def joins_by_week(statistics: Statistics, now: datetime) -> list[tuple[str, int]]:
    """Every one of the last weeks, those without joins too (a gap is news)."""
    counts: dict[str, int] = defaultdict(int, statistics.figures.joins_by_week)
    monday = (now - timedelta(days=now.weekday())).date()
    weeks = [(monday - timedelta(weeks=n)).isoformat() for n in reversed(range(WEEKS))]
    return [(week, counts[week]) for week in weeks]
