"""The catalogue of actions and projects as readers meet it: a task force's accepted entries, filtered and
paged, a card each with its latest progress; offers to contribute; progress updates and their reminders.

An entry whose author deleted their data is kept out until a facilitator names another contact.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.models import Catalogue, Payload, Person, Role
from bot.project_models import Project, ProjectStatus, Stage
from bot.services import authority
from bot.services.errors import Refused
from bot.services.fields import clean_text
from bot.storage import audit, outbox, people, registrations
from bot.storage import projects as rows
from bot.storage.database import Database, Reader, Transaction

OFFER = "project_offer"  # the author told who would like to contribute
PROGRESS_REMINDER = "project_progress"
PROGRESS_LIMIT = 500


class Offer(Payload):
    """Who would like to contribute to which entry; `/forget` takes `user` out of a row not sent yet."""

    project: int
    user: int | None = None


class Progress(Payload):
    project: int


@dataclass(frozen=True)
class Filters:
    region: str | None = None  # a region's English name, or GLOBAL
    stage: Stage | None = None
    funding: bool = False  # only entries that seek funding


@dataclass(frozen=True)
class Contact:
    """Who to reach, by role: the author's place in one of the entry's task forces, and organisation."""

    role: Role
    taskforce: str
    organisation: str


@dataclass(frozen=True)
class Card:
    project: Project
    contact: Contact | None
    latest: tuple[str, datetime] | None  # the latest progress update and when


@dataclass(frozen=True)
class Page:
    code: str
    filters: Filters
    index: int
    total: int
    card: Card | None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day (31 January + 1 month: 28 or 29 February)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


async def overview(db: Reader) -> dict[str, int]:
    return await rows.catalogue_counts(db)


async def page(db: Reader, code: str, filters: Filters, index: int, catalogue: Catalogue) -> Page:
    """One card of a task force's catalogue, at `index` of the entries that pass the filters (kept in range)."""
    if catalogue.objective(code) is None:
        raise Refused("unknown_code", code=code)
    stage = filters.stage.value if filters.stage else None
    total = await rows.catalogue_total(db, code, filters.region, stage, filters.funding)
    index = max(0, min(index, total - 1))
    project = await rows.catalogue_entry(db, code, filters.region, stage, filters.funding, index) if total else None
    return Page(code, filters, index, total, await card(db, project) if project else None)


async def card(db: Reader, project: Project) -> Card:
    return Card(project, await contact(db, project), await rows.latest_update(db, project.id))


async def contact(db: Reader, project: Project) -> Contact | None:
    author = await people.get_person(db, project.author_id) if project.author_id is not None else None
    if author is None:
        return None
    held = {r.taskforce: r.role for r in await registrations.places_held(db, author.telegram_id)}
    code = next((c for c in project.taskforces if c in held), project.taskforces[0] if project.taskforces else "")
    return Contact(held.get(code, Role.MEMBER), code, author.organisation)


async def entry(db: Reader, project_id: int) -> Project | None:
    return await rows.get_project(db, project_id)


async def shown_entry(db: Reader, project_id: int) -> Project:
    """An entry of the catalogue, as it is now; anything else is stale."""
    project = await rows.get_project(db, project_id)
    if project is None or project.status is not ProjectStatus.ACCEPTED or project.author_id is None:
        raise Refused("stale")
    return project


async def document(db: Reader, project_id: int) -> tuple[str, str]:
    """The file_id and name of an entry's document, for a reader of the catalogue."""
    project = await shown_entry(db, project_id)
    if project.document_id is None:
        raise Refused("stale")
    return project.document_id, project.document_name or ""


def may_offer(person_id: int, project: Project) -> bool:
    """Anyone but its contact may offer to contribute to an entry: they would be telling themselves."""
    return project.author_id != person_id


async def offerable(db: Reader, person_id: int, project_id: int) -> Project:
    """An entry of the catalogue this person may offer to contribute to: not their own, and only with a profile,
    whose name and organisation are what its contact is told."""
    project = await shown_entry(db, project_id)
    if not may_offer(person_id, project):
        raise Refused("own_offer")
    if await people.get_person(db, person_id) is None:
        raise Refused("no_profile")
    return project


async def offer(db: Database, person_id: int, project_id: int, now: datetime) -> Project:
    """The reader agreed that their name and a link to write to them go to the entry's contact: told once."""
    async with db.transaction() as tx:
        project = await offerable(tx, person_id, project_id)
        if not await rows.add_offer(tx, project_id, person_id, now):
            raise Refused("already_offered")
        assert project.author_id is not None
        await outbox.enqueue(tx, project.author_id, OFFER, now, payload=Offer(project=project_id, user=person_id))
        await audit.record(tx, now, person_id, "project.offer", project.author_id, None, {"project": project_id})
    return project


async def offered_by(db: Reader, about: Offer) -> tuple[Project, Person] | None:
    """What the author is told when the row goes: nothing if the reader or the entry is gone since."""
    project = await rows.get_project(db, about.project)
    person = await people.get_person(db, about.user) if about.user is not None else None
    return None if project is None or person is None else (project, person)


async def may_report(db: Reader, actor: int, project: Project) -> bool:
    """The author, or the Global Leader of one of its task forces, reports its progress."""
    if project.author_id == actor:
        return True
    for code in project.taskforces:
        leader = await registrations.active_holder(db, code, Role.LEADER, None)
        if leader is not None and leader.person_id == actor:
            return True
    return False


async def open_progress(db: Reader, actor: int, project_id: int) -> Project:
    """An entry whose progress this person may report now: still in the catalogue, and they its reporter."""
    try:
        project = await shown_entry(db, project_id)
    except Refused:
        raise Refused("not_in_catalogue") from None
    if not await may_report(db, actor, project):
        raise Refused("not_reporter")
    return project


async def add_progress(db: Database, actor: int, project_id: int, text: str, months: int, now: datetime) -> Project:
    """A short update on the card; a running entry's next one is due `months` later."""
    update = clean_text(text, PROGRESS_LIMIT)
    async with db.transaction() as tx:
        project = await open_progress(tx, actor, project_id)
        await rows.add_update(tx, project_id, actor, update, now)
        await schedule_progress(tx, project, months, now)
        await audit.record(tx, now, actor, "project.progress", project.author_id, None, {"project": project_id})
    return project


async def schedule_progress(tx: Transaction, project: Project, months: int, now: datetime) -> None:
    """A running entry is asked for its progress every `months`; others are not."""
    due = add_months(now, months) if project.stage is Stage.RUNNING else None
    await rows.set_progress_due(tx, project.id, due)


async def remind_progress(db: Database, months: int, now: datetime) -> int:
    """Running entries whose update is due: their author is asked, and the next is due `months` later."""
    async with db.transaction() as tx:
        due = await rows.progress_due(tx, now)
        for project in due:
            assert project.author_id is not None
            await outbox.enqueue(tx, project.author_id, PROGRESS_REMINDER, now, payload=Progress(project=project.id))
            await rows.set_progress_due(tx, project.id, add_months(now, months))
    return len(due)


async def export(db: Database, actor: int, admins: Collection[int], now: datetime) -> list[rows.ExportedEntry]:
    """Every submitted entry the actor oversees (the Secretariat: all; a facilitator: their task forces'); audited."""
    codes = await authority.oversight(db, actor, admins)
    entries = await rows.exported(db, codes)
    async with db.transaction() as tx:
        await audit.record(
            tx, now, actor, "catalogue.export", detail={"taskforces": codes or "all", "rows": len(entries)}
        )
    return entries


@dataclass(frozen=True)
class Opportunities:
    """What the "Investment opportunities" PDF holds: the task forces it is for, and their entries seeking funding."""

    codes: list[str]
    goal: str | None  # the goal letter, when it is for a whole goal
    cards: list[Card]


async def opportunities(
    db: Database, actor: int, target: str, admins: Collection[int], catalogue: Catalogue
) -> Opportunities:
    """For a task force (its facilitators and the Secretariat) or a goal (the Secretariat, or who facilitates all)."""
    goal = catalogue.goal(target) if len(target) == 1 else None
    codes = (
        [o.code for o in catalogue.objectives_of(target)] if goal else [target] if catalogue.objective(target) else []
    )
    if not codes:
        raise Refused("unknown_code", code=target)
    overseen = await authority.oversight(db, actor, admins)
    if overseen is not None and not set(codes) <= set(overseen):
        raise Refused("not_your_taskforce", code=target)
    cards = [await card(db, project) for project in await rows.seeking_funding(db, codes)]
    return Opportunities(codes, goal.code if goal else None, cards)


@dataclass(frozen=True)
class CatalogueFigures:
    """Per task force: entries in the catalogue by stage, and entries waiting for review."""

    accepted: dict[str, dict[Stage, int]]
    waiting: dict[str, int]


async def figures(db: Database, actor: int, admins: Collection[int]) -> CatalogueFigures:
    """For /stats: the Secretariat's of every task force, a facilitator's of theirs."""
    codes = await authority.oversight(db, actor, admins)
    accepted: dict[str, dict[Stage, int]] = {}
    waiting: dict[str, int] = {}
    for code, status, stage, count in await rows.stage_counts(db, codes):
        if status == ProjectStatus.REVIEW:
            waiting[code] = waiting.get(code, 0) + count
        elif stage:
            accepted.setdefault(code, dict.fromkeys(Stage, 0))[Stage(stage)] += count
    return CatalogueFigures(accepted, waiting)


async def forget_contributor(tx: Transaction, person_id: int) -> None:
    await rows.forget_contributor(tx, person_id)
