"""Exports and statistics for the Secretariat (everything) and facilitators (their task forces)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import facilitation
from bot.storage import reports
from bot.storage import repositories as repo
from bot.storage.database import Database
from bot.storage.reports import ExportRecord, Figures

WEEKS = 12  # joins per week, over this many weeks


async def export(db: Database, actor: int, admins: Collection[int], now: datetime) -> list[ExportRecord]:
    """Every registration in the actor's scope with its person's profile; the export is audited."""
    codes = await facilitation.oversight(db, actor, admins)
    records = await reports.export_records(db, codes)
    async with db.transaction() as tx:
        await repo.audit(tx, now, actor, "export", detail={"taskforces": codes or "all", "rows": len(records)})
    return records


@dataclass
class TaskforceFigures:
    """One task force's places: active members by role, applications waiting, seats open."""

    code: str
    active: dict[Role, int] = field(default_factory=lambda: dict.fromkeys(Role, 0))
    pending: int = 0
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
    codes = await facilitation.oversight(db, actor, admins)
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
