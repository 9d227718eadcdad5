"""Describing an action or a project (/project) and an author's own entries (/projects).

An entry is a row from its first answer: every answer is written in the transaction that checks it,
with the update that gave it, so a kill loses nothing and an update Telegram delivers again is not
applied twice. The next question is a function of the row (`next_step`), as the join flow's is of
its draft: a restart, Back, an edit or a stale button is answered by asking what is open now.

Authority is re-read in every transaction: only the author changes their entry; a task force is added
only by an active member of it, and one the entry already names may stay (`choosable_taskforces`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.i18n import SUPPORTED
from bot.models import Catalogue, RegistrationStatus
from bot.project_models import Money, Project, ProjectField, ProjectKind, ProjectStatus, Stage
from bot.services import project_fields as checks
from bot.services import project_review
from bot.services.errors import Refused
from bot.services.project_fields import Document
from bot.services.project_review import ReviewRules
from bot.services.redelivery import delivered_again
from bot.storage import audit, people, registrations
from bot.storage import projects as rows
from bot.storage.database import Database, Reader, Transaction

ORDER = tuple(ProjectField)
GLOBAL = "global"  # the region of an entry that spans them all
KEEP, SKIP, OWN_ORGANISATION = "keep", "skip", "mine"  # answers by button that are not a choice of a list


class Flow(BaseModel):
    """A draft's progress through the questions: stored with it, as JSON."""

    answered: list[ProjectField] = []
    editing: ProjectField | None = None  # one field asked again from the summary
    picking: bool = False  # the summary's Edit: which field
    applied_update: int | None = None  # the last update that changed the draft, and when
    applied_at: datetime | None = None


class StepKind(StrEnum):
    FIELD = "field"
    PICK = "pick"
    SUMMARY = "summary"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    field: ProjectField | None = None


@dataclass(frozen=True)
class Draft:
    project: Project
    flow: Flow

    @property
    def step(self) -> Step:
        return next_step(self.flow)


def next_step(flow: Flow) -> Step:
    if flow.picking:
        return Step(StepKind.PICK)
    if flow.editing is not None:
        return Step(StepKind.FIELD, flow.editing)
    missing = next((field for field in ORDER if field not in flow.answered), None)
    return Step(StepKind.FIELD, missing) if missing is not None else Step(StepKind.SUMMARY)


def progress(flow: Flow) -> tuple[int, int]:
    """(this question, all questions and the summary): "step 3 of 18"."""
    step = next_step(flow)
    total = len(ORDER) + 1
    return (ORDER.index(step.field) + 1 if step.field is not None else total), total


def can_go_back(flow: Flow) -> bool:
    step = next_step(flow)
    return step.kind is not StepKind.FIELD or flow.editing is not None or step.field is not ORDER[0]


def expects_text(step: Step) -> bool:
    return step.kind is StepKind.FIELD and step.field in checks.TYPED


# ---------------------------------------------------------------- reading


async def held_taskforces(db: Reader, person_id: int) -> list[str]:
    """The task forces the person may describe entries for: those they are an active member of."""
    return [
        r.taskforce for r in await registrations.places_held(db, person_id) if r.status is RegistrationStatus.ACTIVE
    ]


async def open_draft(db: Reader, person_id: int, project_id: int) -> Draft:
    """The person's draft, as stored; anyone else's, or one submitted or gone, is stale."""
    project = await rows.get_project(db, project_id)
    if project is None or project.author_id != person_id or project.status is not ProjectStatus.DRAFT:
        raise Refused("stale")
    return Draft(project, Flow.model_validate_json(await rows.flow_of(db, project_id) or "{}"))


async def new_draft(db: Reader, person_id: int) -> int | None:
    """An unfinished description of a new entry, offered to carry on with."""
    return await rows.new_draft_of(db, person_id)


async def own(db: Reader, person_id: int) -> list[Project]:
    return await rows.own_projects(db, person_id)


async def own_entry(db: Reader, person_id: int, project_id: int) -> Project:
    """One of the person's entries (or drafts); anyone else's is stale."""
    project = await rows.get_project(db, project_id)
    if project is None or project.author_id != person_id or project.revises is not None:
        raise Refused("stale")
    return project


async def revision(db: Reader, project_id: int) -> int | None:
    return await rows.revision_of(db, project_id)


# ---------------------------------------------------------------- starting


async def start(
    db: Database, person_id: int, code: str | None, catalogue: Catalogue, now: datetime, replacing: int | None = None
) -> Draft:
    """A new draft. Its task forces are the one named, or the person's only one; with several, they are asked.

    An unfinished one goes only when it is the one named by `replacing` (the handler asked first): "Start a
    new one" under an earlier draft is stale, and the draft being written now stays."""
    async with db.transaction() as tx:
        unfinished = await rows.new_draft_of(tx, person_id)
        if unfinished != replacing:
            raise Refused("no_draft")
        held = await held_taskforces(tx, person_id)
        if not held:
            raise Refused("no_taskforce")
        if code is not None and catalogue.objective(code) is None:
            raise Refused("unknown_code", code=code)
        if code is not None and code not in held:
            raise Refused("not_member_of", code=code)
        project_id = await rows.create(tx, person_id, now)  # before the delete: its id is never the one replaced
        if unfinished is not None:
            await rows.delete(tx, unfinished)
        chosen = [code] if code is not None else held[:1] if len(held) == 1 else []
        await rows.set_taskforces(tx, project_id, chosen)
        flow = Flow(answered=[ProjectField.TASKFORCES] if chosen else [])  # not asked, like a join from a code
        await rows.set_flow(tx, project_id, flow.model_dump_json(), now)
        await audit.record(tx, now, person_id, "project.started", person_id, code, {"project": project_id})
    return await open_draft(db, person_id, project_id)


async def start_revision(db: Database, person_id: int, project_id: int, now: datetime) -> Draft:
    """Changes to a submitted entry are written in a draft of their own, opened at the summary; the entry
    stays as it is (in the catalogue, if accepted) until they are submitted."""
    async with db.transaction() as tx:
        project = await rows.get_project(tx, project_id)
        if project is None or project.author_id != person_id or not project.status.editable:
            raise Refused("stale")
        draft_id = await rows.revision_of(tx, project_id)
        if draft_id is None:
            draft_id = await rows.create(tx, person_id, now, revises=project_id)
            await rows.set_flow(tx, draft_id, Flow(answered=list(ORDER)).model_dump_json(), now)
    return await open_draft(db, person_id, draft_id)


async def discard(db: Database, person_id: int, project_id: int, now: datetime) -> Project:
    """A draft abandoned: deleted (the entry it revises, if any, stays as it is)."""
    async with db.transaction() as tx:
        draft = await open_draft(tx, person_id, project_id)
        await rows.delete(tx, project_id)
        await audit.record(tx, now, person_id, "project.discarded", person_id, None, {"project": project_id})
    return draft.project


# ---------------------------------------------------------------- answering

Change = Callable[[Transaction, Draft], Awaitable[None]]


async def _change(
    db: Database, person_id: int, project_id: int, update_id: int, now: datetime, change: Change
) -> Draft:
    """One answer, applied and recorded with its update in one transaction; an update applied before a
    kill and delivered again changes nothing."""
    async with db.transaction() as tx:
        draft = await open_draft(tx, person_id, project_id)
        flow = draft.flow
        if not delivered_again(update_id, flow.applied_update, flow.applied_at, now):
            await change(tx, draft)
            flow.applied_update, flow.applied_at = update_id, now
            await rows.set_flow(tx, project_id, flow.model_dump_json(), now)
    return await open_draft(db, person_id, project_id)


def _answered(flow: Flow, field: ProjectField) -> None:
    if field not in flow.answered:
        flow.answered.append(field)
    flow.editing = None


def _current_field(draft: Draft, field: ProjectField) -> None:
    """A button answers the question open now only: one of an earlier question is stale."""
    step = draft.step
    if step.kind is not StepKind.FIELD or step.field is not field:
        raise Refused("stale")


async def answer_text(db: Database, person_id: int, project_id: int, text: str, update_id: int, now: datetime) -> Draft:
    """Text is the answer to whichever typed question is open; elsewhere a button (or a file) is due."""

    async def change(tx: Transaction, draft: Draft) -> None:
        field = draft.step.field
        if field is None or field not in checks.TYPED:
            raise Refused("use_buttons" if field is not ProjectField.DOCUMENT else "document_expected")
        await _save(tx, draft, field, _typed_value(field, text, now))

    return await _change(db, person_id, project_id, update_id, now, change)


def _typed_value(field: ProjectField, text: str, now: datetime) -> tuple[rows.Value, ...]:
    if field in (ProjectField.BUDGET, ProjectField.FUNDING):
        amount = checks.money(text, now.date())
        return amount.amount, amount.currency
    if field in (ProjectField.START, ProjectField.END):
        return (checks.month_or_day(text),)
    return (checks.typed_text(field, text),)


async def _save(tx: Transaction, draft: Draft, field: ProjectField, values: tuple[rows.Value, ...]) -> None:
    """Every answer ends here: the checks between fields, the columns, the question marked answered."""
    project = draft.project.model_copy()
    if field is ProjectField.START:
        checks.check_period(str(values[0]), project.end)
    elif field is ProjectField.END and values[0] is not None:
        checks.check_period(project.start, str(values[0]))
    elif field in (ProjectField.BUDGET, ProjectField.FUNDING) and values[0] is not None:
        given = Money(amount=int(values[0] or 0), currency=str(values[1]))
        budget, funding = (given, project.funding) if field is ProjectField.BUDGET else (project.budget, given)
        checks.check_funding(budget, funding)
    await rows.set_field(tx, project.id, field, values)
    _answered(draft.flow, field)


async def answer_choice(
    db: Database, person_id: int, project_id: int, field: ProjectField, value: str, update_id: int, now: datetime,
    catalogue: Catalogue,
) -> Draft:  # fmt: skip
    """A button of the open question: a choice of its list, Keep (the answer given before) or Skip."""

    async def change(tx: Transaction, draft: Draft) -> None:
        _current_field(draft, field)
        if value == KEEP:
            if not _has_value(draft.project, field):
                raise Refused("stale")
            _answered(draft.flow, field)
        elif value == SKIP:
            if field not in checks.OPTIONAL:
                raise Refused("stale")
            await rows.set_field(tx, project_id, field, (None,) * len(rows.FIELD_COLUMNS[field]))
            _answered(draft.flow, field)
        else:
            await _save(tx, draft, field, (await _chosen(tx, person_id, field, value, catalogue),))

    return await _change(db, person_id, project_id, update_id, now, change)


async def _chosen(tx: Transaction, person_id: int, field: ProjectField, value: str, catalogue: Catalogue) -> str:
    """A choice's stored value; a value no button of that question carries is stale."""
    options: dict[ProjectField, tuple[str, ...]] = {
        ProjectField.KIND: tuple(ProjectKind),
        ProjectField.STAGE: tuple(Stage),
        ProjectField.LANGUAGE: SUPPORTED,
    }
    if field is ProjectField.REGION:
        names = catalogue.region_names
        if value == GLOBAL:
            return GLOBAL
        if value.isdigit() and int(value) < len(names):
            return names[int(value)]
    elif field is ProjectField.LEAD and value == OWN_ORGANISATION:
        person = await people.get_person(tx, person_id)
        if person is not None:
            return person.organisation
    elif value in options.get(field, ()):
        return value
    raise Refused("stale")


def value_of(project: Project, field: ProjectField) -> object:
    """A field's answer as the entry holds it (the document by its file)."""
    if field is ProjectField.TASKFORCES:
        return project.taskforces or None
    return getattr(project, "document_id" if field is ProjectField.DOCUMENT else field.name.lower())


def _has_value(project: Project, field: ProjectField) -> bool:
    return value_of(project, field) is not None


async def choosable_taskforces(db: Reader, person_id: int, project: Project) -> list[str]:
    """The task forces a draft may name: the author's own, read now, and those the entry it revises already
    names (a contact named with /project_contact, or an author who left one, keeps describing the entry as it
    is); with those the draft names, that can always be removed, they are its buttons."""
    held = set(await held_taskforces(db, person_id))
    revised = await rows.get_project(db, project.revises) if project.revises is not None else None
    return sorted(held | set(revised.taskforces if revised is not None else ()))


async def _check_taskforces(db: Reader, person_id: int, project: Project) -> None:
    """Only a task force the author is a member of may be added to an entry; one it already names may stay."""
    outside = set(project.taskforces) - set(await choosable_taskforces(db, person_id, project))
    if outside:
        raise Refused("not_member_of", code=", ".join(sorted(outside)))


async def toggle_taskforce(
    db: Database, person_id: int, project_id: int, code: str, update_id: int, now: datetime
) -> Draft:
    """Remove a task force, or add one the author may name (`choosable_taskforces`, read now)."""

    async def change(tx: Transaction, draft: Draft) -> None:
        _current_field(draft, ProjectField.TASKFORCES)
        adding = code not in draft.project.taskforces
        if adding and code not in await choosable_taskforces(tx, person_id, draft.project):
            raise Refused("not_member_of", code=code)
        chosen = set(draft.project.taskforces) ^ {code}
        await rows.set_taskforces(tx, project_id, sorted(chosen))

    return await _change(db, person_id, project_id, update_id, now, change)


async def taskforces_done(db: Database, person_id: int, project_id: int, update_id: int, now: datetime) -> Draft:
    async def change(tx: Transaction, draft: Draft) -> None:
        _current_field(draft, ProjectField.TASKFORCES)
        if not draft.project.taskforces:
            raise Refused("no_taskforce_chosen")
        await _check_taskforces(tx, person_id, draft.project)
        _answered(draft.flow, ProjectField.TASKFORCES)

    return await _change(db, person_id, project_id, update_id, now, change)


async def answer_document(
    db: Database, person_id: int, project_id: int, sent: Document, update_id: int, now: datetime
) -> Draft:
    async def change(tx: Transaction, draft: Draft) -> None:
        if draft.step.field is not ProjectField.DOCUMENT:
            raise Refused("text_expected" if expects_text(draft.step) else "use_buttons")
        await _save(tx, draft, ProjectField.DOCUMENT, checks.document(sent))

    return await _change(db, person_id, project_id, update_id, now, change)


async def back(db: Database, person_id: int, project_id: int, update_id: int, now: datetime) -> Draft:
    """The question before this one, its answer kept to be offered again; from an edit, the summary."""

    async def change(tx: Transaction, draft: Draft) -> None:
        flow, step = draft.flow, draft.step
        if flow.picking or flow.editing is not None:
            flow.picking, flow.editing = False, None
            return
        if not can_go_back(flow):
            raise Refused("stale")
        before = ORDER[ORDER.index(step.field) - 1] if step.field is not None else ORDER[-1]
        flow.answered = [field for field in flow.answered if field is not before]

    return await _change(db, person_id, project_id, update_id, now, change)


async def pick(
    db: Database, person_id: int, project_id: int, field: ProjectField | None, update_id: int, now: datetime
) -> Draft:
    """From the summary, Edit (field None: which one?), then the field to ask again."""

    async def change(tx: Transaction, draft: Draft) -> None:
        flow, step = draft.flow, draft.step
        if field is None and step.kind is StepKind.SUMMARY:
            flow.picking = True
        elif field is not None and step.kind is StepKind.PICK:
            flow.picking, flow.editing = False, field
        else:
            raise Refused("stale")

    return await _change(db, person_id, project_id, update_id, now, change)


# ---------------------------------------------------------------- submitting


@dataclass(frozen=True)
class Submitted:
    project: Project  # the entry as it now is
    reviewed: bool  # it waits for a decision (False: an accepted entry submitted unchanged, still in the catalogue)


async def submit(db: Database, person_id: int, project_id: int, rules: ReviewRules, now: datetime) -> Submitted:
    """Every rule checked again in the transaction that submits; the entry goes to review, or, an accepted
    entry submitted without a change, stays in the catalogue as it was.

    The review's prompts are queued in the same transaction, so no entry waits unseen.
    """
    async with db.transaction() as tx:
        draft = await open_draft(tx, person_id, project_id)
        project = draft.project
        if draft.step.kind is not StepKind.SUMMARY or not _complete(project):
            raise Refused("stale")
        await _check_taskforces(tx, person_id, project)
        checks.check_period(project.start, project.end)
        checks.check_funding(project.budget, project.funding)
        target = project.revises or project.id
        before = await rows.get_project(tx, target)
        if project.revises is not None:
            if before is None or before.author_id != person_id or not before.status.editable:
                raise Refused("stale")
            await rows.copy_content(tx, project.id, target, now)
            await rows.delete(tx, project.id)
        reviewed = before is None or project.revises is None or _needs_review(before, project)
        if reviewed:
            await rows.set_status(tx, target, ProjectStatus.REVIEW, now, submitted=True)
        submitted = await rows.get_project(tx, target)
        assert submitted is not None
        if reviewed:
            await project_review.announce(tx, submitted, rules, now)
        action = "project.submitted" if reviewed else "project.updated"
        await audit.record(tx, now, person_id, action, person_id, None, {"project": target})
    return Submitted(submitted, reviewed)


def _complete(project: Project) -> bool:
    return bool(project.taskforces) and all(
        _has_value(project, field) for field in ORDER if field not in checks.OPTIONAL
    )


def _needs_review(before: Project, after: Project) -> bool:
    """Anything but an accepted entry goes (back) to review; an accepted one when any field changed. Every field
    is read by someone the catalogue is for: the document too, which its readers get from the card's button, so
    a new file is reviewed like a new summary (and the entry is off the public site until a facilitator puts it
    back)."""
    if before.status is not ProjectStatus.ACCEPTED:
        return True
    return any(value_of(before, field) != value_of(after, field) for field in ORDER)


# ---------------------------------------------------------------- an author's entries


async def withdraw(db: Database, person_id: int, project_id: int, now: datetime) -> Project:
    """The author takes an entry back (out of review or of the catalogue); its prompts say so."""
    async with db.transaction() as tx:
        project = await rows.get_project(tx, project_id)
        if project is None or project.author_id != person_id or not project.status.editable:
            raise Refused("stale")
        if (pending := await rows.revision_of(tx, project_id)) is not None:
            await rows.delete(tx, pending)
        await rows.set_status(tx, project_id, ProjectStatus.WITHDRAWN, now)
        await rows.set_reminder_due(tx, project_id, None, 0)
        await project_review.close_prompts(tx, project_id, now)
        await audit.record(tx, now, person_id, "project.withdrawn", person_id, None, {"project": project_id})
    return project
