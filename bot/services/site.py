"""What the public site may show, for people who are not in Telegram: the rules, not the pages.

Public: the Strategic Plan; per task force, its members counted by region and by stakeholder type (groups under
the Delphi study's minimum merged by the same rule, `delphi_results.shown_counts`, so that no figure is a handful
of people), whether it has a group chat (never its link), its Leader and Representatives by name and organisation
only if they agreed, the entries its facilitators put on the site and their progress, and the Delphi rounds the
Secretariat published (aggregates of scales, choices and numbers only; never a text answer nor a comment).
Nothing else about a person, and nothing that was not published, is read for it.

The counts that need a pass over every registration are read at once into a `Snapshot`, which the site keeps
until the data changes; a task force's entries and an entry's page are read when asked (by index).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from bot.delphi_models import DEFAULT_MIN_GROUP, QuestionType
from bot.models import Catalogue, Role
from bot.project_models import Project, Stage
from bot.services.delphi_results import QuestionResult, round_results, shown_counts, smallest_group
from bot.storage import delphi as delphi_rows
from bot.storage import site as rows
from bot.storage.database import Reader
from bot.storage.delphi import StoredRound
from bot.storage.site import EntryLine

SMALLEST_GROUP = DEFAULT_MIN_GROUP  # members of a region or a type shown apart from this many up
ENTRIES_PER_PAGE = 20
LATEST_UPDATES = 10
UPDATES_PER_ENTRY = 20


@dataclass(frozen=True)
class Place:
    """A Leader's or a Representative's place that is held; who holds it only if they agreed to be listed."""

    role: Role
    region: str | None
    name: str | None
    organisation: str | None


@dataclass(frozen=True)
class TaskforceFigures:
    code: str
    members: int
    by_region: dict[str, int]  # regions shown apart, then OTHER; nothing when none stands apart
    by_type: dict[str, int]
    regions: int  # regions with at least one member
    types: int  # stakeholder types with at least one member
    leader: Place | None
    representatives: dict[str, Place]  # by region
    group: bool  # it has a working group chat
    entries: int  # on the public site


@dataclass(frozen=True)
class PublicRound:
    """A published Delphi round: its figures, question by question (text questions left out, comments never read)."""

    round: StoredRound
    taskforces: list[str]
    questions: list[QuestionResult]
    least: int  # the study's smallest group: a question with fewer answers shows none of its figures
    answers: int = 0  # stored for the round when its figures were worked out: they hold while this holds

    def shown(self, result: QuestionResult) -> bool:
        return result.whole.count >= self.least


@dataclass(frozen=True)
class Update:
    entry: int
    title: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Snapshot:
    """Everything the overview and the task forces' figures show, read at once."""

    taskforces: dict[str, TaskforceFigures]  # every task force of the plan, in its order
    stages: dict[Stage, tuple[int, int]]  # public entries at each stage, and of them seeking funding
    latest: list[Update]
    rounds: list[PublicRound]
    sought: list[tuple[str, int, int]]  # per currency: public entries seeking funding in it, and the amount

    def rounds_of(self, code: str) -> list[PublicRound]:
        return [found for found in self.rounds if code in found.taskforces]


@dataclass(frozen=True)
class State:
    """Where the data the site shows stands: `version` moves with every write to it, `removals` with those that can
    take something off it (a name, a place, an entry, a round's figures)."""

    version: int
    removals: int


async def state(db: Reader) -> State:
    return State(*await rows.state(db))


async def snapshot(
    db: Reader, catalogue: Catalogue, previous: Snapshot | None = None, *, recount: bool = True
) -> Snapshot:
    """`previous`: its Delphi figures are kept for the rounds whose answers have not changed since (a closed round's
    change only when someone deletes their data), instead of being worked out again from every answer; and, when not
    `recount`, its members' counts (the one read over every registration, most of the time a snapshot takes), the
    names, places, entries and rounds read again: what must leave the pages at once never waits for the counts."""
    if recount or previous is None:
        members: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
        for code, region, kind, count in await rows.member_counts(db):
            members[code][(region, kind)] = count
        counted = {o.code: _counted(o.code, members[o.code]) for o in catalogue.objectives}
    else:
        counted = previous.taskforces
    places: dict[str, list[rows.Held]] = defaultdict(list)
    for held in await rows.held_places(db):
        places[held.taskforce].append(held)
    groups, entries = await rows.with_group(db), await rows.entry_counts(db)
    taskforces = {
        code: _placed(figures, places[code], code in groups, entries.get(code, 0)) for code, figures in counted.items()
    }
    counted_stages = {Stage(stage): (count, funded) for stage, count, funded in await rows.stage_counts(db)}
    latest = [Update(*found) for found in await rows.latest_updates(db, LATEST_UPDATES)]
    rounds = [await _public_round(db, stored, previous) for stored in await delphi_rows.published(db)]
    stages = {stage: counted_stages.get(stage, (0, 0)) for stage in Stage}
    return Snapshot(taskforces, stages, latest, rounds, await rows.funding_sought(db))


def _counted(code: str, cells: dict[tuple[str, str], int]) -> TaskforceFigures:
    """A task force's members counted; its places, group chat and entries are `_placed`'s."""
    by_region: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    for (region, kind), count in cells.items():
        by_region[region] += count
        by_type[kind] += count
    return TaskforceFigures(
        code=code,
        members=sum(cells.values()),
        by_region=shown_counts(by_region, SMALLEST_GROUP),
        by_type=shown_counts(by_type, SMALLEST_GROUP),
        regions=len(by_region),
        types=len(by_type),
        leader=None,
        representatives={},
        group=False,
        entries=0,
    )


def _placed(counted: TaskforceFigures, held: list[rows.Held], group: bool, entries: int) -> TaskforceFigures:
    places = [Place(Role(h.role), h.region, h.name, h.organisation) for h in held]
    return dataclasses.replace(
        counted,
        leader=next((place for place in places if place.role is Role.LEADER), None),
        representatives={p.region: p for p in places if p.role is Role.REPRESENTATIVE and p.region is not None},
        group=group,
        entries=entries,
    )


async def _public_round(db: Reader, stored: StoredRound, previous: Snapshot | None) -> PublicRound:
    answers = await delphi_rows.answer_count(db, stored.id)
    taskforces = await delphi_rows.panel_taskforces(db, stored.id)
    least = await smallest_group(db, stored.study)  # a later round may raise it
    for known in previous.rounds if previous is not None else []:
        if (known.round.id, known.round.published_at, known.answers, known.least) == (
            stored.id, stored.published_at, answers, least,
        ):  # fmt: skip
            return dataclasses.replace(known, taskforces=taskforces)
    found = await round_results(db, stored)
    questions = [
        dataclasses.replace(result, comments=[])
        for result in found.questions
        if result.question.type is not QuestionType.TEXT
    ]
    return PublicRound(stored, taskforces, questions, found.least, answers)


@dataclass(frozen=True)
class EntryPage:
    """A page of a task force's public entries."""

    entries: list[EntryLine]
    number: int  # from 1
    pages: int


async def entries(db: Reader, code: str, number: int, total: int) -> EntryPage | None:
    """Page `number` of a task force's `total` public entries; None beyond the last (the first always exists)."""
    pages = max(1, math.ceil(total / ENTRIES_PER_PAGE))
    if not 1 <= number <= pages:
        return None
    found = await rows.entries_of(db, code, (number - 1) * ENTRIES_PER_PAGE, ENTRIES_PER_PAGE) if total else []
    return EntryPage(found, number, pages)


@dataclass(frozen=True)
class PublicEntry:
    project: Project
    updates: list[tuple[str, datetime]]  # its progress, newest first


async def entry(db: Reader, project_id: int) -> PublicEntry | None:
    """An entry on the public site; None for any other, so that a private one looks exactly like none."""
    project = await rows.public_entry(db, project_id)
    if project is None:
        return None
    # What the page has no business with goes before it reaches any page: who wrote it, who decided, the reviewer's
    # words, the document kept on Telegram's servers.
    public = project.model_copy(
        update={"author_id": None, "decided_by": None, "comment": None, "document_id": None, "document_name": None}
    )
    return PublicEntry(public, await rows.updates_of(db, project_id, UPDATES_PER_ENTRY))
