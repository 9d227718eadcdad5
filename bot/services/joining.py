"""Joining task forces: the draft a person fills in, its next question, and the commit.

The flow is a pure function of the draft (`next_step`), so a restart, an edit or a
stale button can always be answered by asking whatever is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from bot.models import Catalogue, Person, Profile, Registration, RegistrationStatus, Role
from bot.services import facilitation
from bot.services.errors import Refused
from bot.services.fields import (
    MOTIVATION_LIMIT,
    ProfileField,
    chosen_value,
    clean_text,
    may_lead,
    missing_field,
    typed_value,
)
from bot.storage import repositories as repo
from bot.storage.database import Database, Transaction

JOIN_REMINDER = "join"


class StepKind(StrEnum):
    SELECT = "select"
    PROFILE = "profile"
    ROLE = "role"
    MOTIVATION = "motivation"
    SUMMARY = "summary"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    code: str | None = None
    field: ProfileField | None = None


class JoinDraft(BaseModel):
    """Everything chosen so far; kept in the conversation's user data until confirmed."""

    held: list[str] = []
    selected: list[str] = []
    selection_done: bool = False
    ask_profile: bool = True
    profile: Profile = Profile()
    suggested_name: str | None = None
    roles: dict[str, Role] = {}
    motivations: dict[str, str] = {}
    # The message that asks the current question, or the lowest id it can have (message ids of
    # a private chat only grow): a button on an older message never acts on this draft.
    question_floor: int = 0
    # Whether the list of task forces is a step of this join (not when it began from a code).
    listed: bool = True


def is_current(draft: JoinDraft, message_id: int) -> bool:
    """A press on this message answers the question open now (not one from an earlier step or join)."""
    return message_id >= draft.question_floor


@dataclass(frozen=True)
class JoinRules:
    """The settings a submission is checked and announced with."""

    cap: int
    admins: frozenset[int] = frozenset()
    patience: timedelta = timedelta(hours=48)


@dataclass(frozen=True)
class RoleOffer:
    """The roles a person may choose in a task force, and the places someone already holds there."""

    may_lead: bool
    taken: dict[Role, str] = field(default_factory=dict)  # role → the holder's name

    @property
    def offered(self) -> list[Role]:
        """A place held is not offered; Leader and Representative only to members and partners."""
        return [role for role in Role if role not in self.taken] if self.may_lead else [Role.MEMBER]


@dataclass(frozen=True)
class Joined:
    code: str
    role: Role
    status: RegistrationStatus


def next_step(draft: JoinDraft) -> Step:
    if not draft.selection_done:
        return Step(StepKind.SELECT)
    if draft.ask_profile and (field := missing_field(draft.profile)) is not None:
        return Step(StepKind.PROFILE, field=field)
    for code in draft.selected:
        if code not in draft.roles:
            return Step(StepKind.ROLE, code=code)
    for code in draft.selected:
        if draft.roles[code].needs_decision and code not in draft.motivations:
            return Step(StepKind.MOTIVATION, code=code)
    return Step(StepKind.SUMMARY)


def progress(draft: JoinDraft) -> tuple[int, int]:
    """(this step, all steps) of the journey as it now looks: "step 2 of 9".

    The total can grow by one when a Leader or Representative role adds its motivation.
    """
    journey = [Step(StepKind.SELECT)] if draft.listed else []
    if draft.ask_profile:
        journey += [Step(StepKind.PROFILE, field=field) for field in ProfileField]
    journey += [Step(StepKind.ROLE, code=code) for code in draft.selected]
    journey += [
        Step(StepKind.MOTIVATION, code=code)
        for code in draft.selected
        if code in draft.roles and draft.roles[code].needs_decision
    ]
    journey.append(Step(StepKind.SUMMARY))
    current = next_step(draft)
    return (journey.index(current) + 1 if current in journey else len(journey)), len(journey)


async def role_offer(db: Database, draft: JoinDraft, step: Step, catalogue: Catalogue) -> RoleOffer:
    """What the role question of `step` offers: the places already held are read now, not remembered."""
    leads = may_lead(draft.profile, catalogue)
    if step.kind is not StepKind.ROLE or step.code is None or not leads:
        return RoleOffer(leads)
    taken = {}
    for role in (Role.LEADER, Role.REPRESENTATIVE):
        holder = await repo.active_holder(db, step.code, role, draft.profile.region)
        if holder is not None:
            person = await repo.get_person(db, holder.person_id) if holder.person_id else None
            taken[role] = person.name if person else "—"
    return RoleOffer(leads, taken)


def expects_text(step: Step) -> bool:
    """The question is answered by typing (a typed profile field, a motivation), not with buttons."""
    if step.kind is StepKind.MOTIVATION:
        return True
    return step.kind is StepKind.PROFILE and step.field is not None and step.field.typed


def new_draft(person: Person | None, telegram_name: str, held: list[Registration]) -> JoinDraft:
    if person is None:
        return JoinDraft(held=[r.taskforce for r in held], suggested_name=telegram_name[:100])
    return JoinDraft(held=[r.taskforce for r in held], ask_profile=False, profile=person.as_profile())


def check_cap(held: int, selected: int, cap: int, *, adding: int = 0) -> None:
    """The one rule on how many task forces a person holds (active or pending) at a time.

    `held` are saved places, `selected` the ones chosen in the draft so far, `adding` one
    about to be chosen; the refusal gives both numbers, so that it adds up.
    """
    if held + selected + adding > cap:
        raise Refused("cap", cap=cap, held=held, selected=selected)


def toggle(draft: JoinDraft, code: str, catalogue: Catalogue, cap: int) -> None:
    """Add or remove a task force from the selection, within the cap."""
    if catalogue.objective(code) is None:
        raise Refused("unknown_code", code=code)
    if code in draft.held:
        raise Refused("already_joined", code=code)
    if code in draft.selected:
        draft.selected.remove(code)
        return
    check_cap(len(draft.held), len(draft.selected), cap, adding=1)
    draft.selected.append(code)
    draft.selected.sort()


def preselect(draft: JoinDraft, code: str, catalogue: Catalogue, cap: int) -> None:
    """A deep link or /join CODE goes straight past the selection."""
    toggle(draft, code, catalogue, cap)
    draft.selection_done = True
    draft.listed = False


def reselect(draft: JoinDraft, held: list[str]) -> None:
    """The saved registrations changed under the draft (another chat, a decision): choose again."""
    draft.held = held
    draft.selected = [code for code in draft.selected if code not in held]
    draft.selection_done = False


def finish_selection(draft: JoinDraft) -> None:
    if not draft.selected:
        raise Refused("nothing_selected")
    draft.selection_done = True
    draft.roles = {code: role for code, role in draft.roles.items() if code in draft.selected}
    draft.motivations = {c: m for c, m in draft.motivations.items() if c in draft.selected}


def answer_text(draft: JoinDraft, text: str) -> None:
    """Text is the answer to whichever typed question is open; elsewhere a button is due."""
    step = next_step(draft)
    if step.kind is StepKind.PROFILE and step.field is not None and step.field.typed:
        setattr(draft.profile, step.field.value, typed_value(step.field, text))
        draft.profile.email_answered = draft.profile.email_answered or step.field is ProfileField.EMAIL
    elif step.kind is StepKind.MOTIVATION and step.code is not None:
        draft.motivations[step.code] = clean_text(text, MOTIVATION_LIMIT)
    else:
        raise Refused("use_buttons")


def answer_choice(draft: JoinDraft, field: ProfileField, choice: str, catalogue: Catalogue) -> None:
    step = next_step(draft)
    if step.kind is not StepKind.PROFILE or step.field is not field:
        raise Refused("stale")
    if field is ProfileField.NAME:
        if choice != "keep" or not draft.suggested_name:
            raise Refused("stale")
        draft.profile.name = draft.suggested_name
    elif field is ProfileField.EMAIL:
        if choice != "skip":
            raise Refused("stale")
        draft.profile.email, draft.profile.email_answered = None, True
    else:
        setattr(draft.profile, field.value, chosen_value(field, choice, catalogue))


def choose_role(draft: JoinDraft, code: str, role: Role, catalogue: Catalogue) -> None:
    step = next_step(draft)
    if step.kind is not StepKind.ROLE or step.code != code:
        raise Refused("stale")
    if role.needs_decision and not may_lead(draft.profile, catalogue):
        raise Refused("role_reserved")
    draft.roles[code] = role


class EditPart(StrEnum):
    TASKFORCES = "tf"
    PROFILE = "pr"
    ROLES = "ro"


def edit(draft: JoinDraft, part: EditPart) -> None:
    """Go back to one part; the steps after it are asked again only where needed."""
    if part is EditPart.TASKFORCES:
        draft.selection_done, draft.listed = False, True
    elif part is EditPart.PROFILE:
        draft.suggested_name = draft.profile.name or draft.suggested_name
        draft.ask_profile, draft.profile, draft.roles = True, Profile(), {}
    else:
        draft.roles, draft.motivations = {}, {}


async def begin(db: Database, telegram_id: int, now: datetime, remind_after: timedelta) -> None:
    """Record that joining began, so an unfinished attempt is reminded once."""
    async with db.transaction() as tx:
        await repo.schedule_reminder(tx, telegram_id, JOIN_REMINDER, now + remind_after)


async def abandon(db: Database, telegram_id: int, now: datetime) -> None:
    async with db.transaction() as tx:
        await repo.cancel_reminders(tx, telegram_id, JOIN_REMINDER, now)


async def submit(
    db: Database,
    telegram_id: int,
    draft: JoinDraft,
    language: str,
    catalogue: Catalogue,
    rules: JoinRules,
    now: datetime,
) -> list[Joined]:
    """Save the profile and the registrations in one transaction, re-checking every rule.

    Leader and Representative applications are announced to their deciders in the
    same transaction, so no application can be saved without its prompts.
    """
    cap = rules.cap
    if next_step(draft).kind is not StepKind.SUMMARY:
        raise Refused("stale")
    async with db.transaction() as tx:
        held = {r.taskforce for r in await repo.places_held(tx, telegram_id)}
        if already := sorted(held & set(draft.selected)):
            raise Refused("already_joined", code=already[0])
        check_cap(len(held), len(draft.selected), cap)
        existing = await repo.get_person(tx, telegram_id)
        profile = draft.profile if draft.ask_profile or existing is None else existing.as_profile()
        if missing_field(profile) is not None:
            raise Refused("stale")
        await repo.save_person(tx, telegram_id, profile, language, now)
        if draft.ask_profile:
            await repo.audit(tx, now, telegram_id, "profile.saved", telegram_id)
        joined = [
            await _register(tx, telegram_id, code, draft, profile, catalogue, rules, now) for code in draft.selected
        ]
        await repo.cancel_reminders(tx, telegram_id, JOIN_REMINDER, now)
    return joined


async def _register(
    tx: Transaction,
    telegram_id: int,
    code: str,
    draft: JoinDraft,
    profile: Profile,
    catalogue: Catalogue,
    rules: JoinRules,
    now: datetime,
) -> Joined:
    role = draft.roles[code]
    if role.needs_decision and not may_lead(profile, catalogue):
        raise Refused("role_reserved")
    status = RegistrationStatus.PENDING if role.needs_decision else RegistrationStatus.ACTIVE
    region = profile.region if role is Role.REPRESENTATIVE else None
    motivation = draft.motivations.get(code)
    registration_id = await repo.add_registration(tx, telegram_id, code, role, status, region, motivation, now)
    if role.needs_decision:
        await facilitation.announce(tx, registration_id, code, telegram_id, rules.admins, now, rules.patience)
    await repo.audit(tx, now, telegram_id, f"registration.{status.value}", telegram_id, code, {"role": role.value})
    return Joined(code, role, status)
