"""Joining task forces: the draft a person fills in, its next question, and the commit.

The flow is a pure function of the draft (`next_step`), so a restart, an edit or a
stale button can always be answered by asking whatever is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from pydantic import BaseModel, model_validator

from bot.models import Catalogue, Person, Profile, Registration, RegistrationStatus, Role
from bot.services import authority, facilitation
from bot.services.authority import Decider
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
from bot.storage import audit, people, registrations, reminders
from bot.storage.database import Database, Transaction

JOIN_REMINDER = "join"


class StepKind(StrEnum):
    SELECT = "select"
    PROFILE = "profile"
    ROLE = "role"
    MOTIVATION = "motivation"
    SUMMARY = "summary"
    PICK_FIELD = "pick_field"  # the summary's "Edit profile": which field to change


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
    # Answers set aside by Back or an edit (and the name Telegram knows), offered again with one
    # tap when their question comes back: keyed by `answer_key` of the step.
    kept: dict[str, str] = {}
    # The summary's "Edit profile": picking a field, then re-asking that one field only.
    picking: bool = False
    editing: bool = False
    roles: dict[str, Role] = {}
    motivations: dict[str, str] = {}
    # Which messages answer the question open now (a button on any other never acts on this draft):
    # the ones that show it (its message, and copies sent again while it did not change: a text
    # where a button is due, a stale button, a sticker), and every id from `question_floor` on,
    # the lowest a message not yet recorded can have (message ids of a private chat only grow): one
    # being sent, whose id is known once Telegram answers, or one a kill kept from being recorded.
    question_messages: list[int] = []
    question_floor: int = 0
    question_step: str = ""  # the question they show (`step_key`)
    # Whether the list of task forces is a step of this join (not when it began from a code).
    listed: bool = True
    # The list of task forces shows one goal at a time: the goal open (None: the goals), and whether its
    # objectives' targets are shown under their titles.
    goal: str | None = None
    targets: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_older_drafts(cls, data: object) -> object:
        """A draft saved before `kept` existed had its suggested name apart."""
        if isinstance(data, dict) and data.get("suggested_name") and "kept" not in data:
            data = {**data, "kept": {ProfileField.NAME.value: data["suggested_name"]}}
        return data


def answer_key(step: Step) -> str:
    """Where a step's set-aside answer is kept: the field's name, or "motivation:B3"."""
    if step.kind is StepKind.PROFILE and step.field is not None:
        return step.field.value
    return f"{step.kind.value}:{step.code}"


COPIES_KEPT = 5  # copies of one question that keep answering it; older ones are stale


def is_current(draft: JoinDraft, message_id: int) -> bool:
    """A press on this message answers the question open now (not one from an earlier step or join)."""
    return message_id in draft.question_messages or message_id >= draft.question_floor


def step_key(step: Step) -> str:
    return f"{step.kind.value}:{step.code or ''}:{step.field.value if step.field else ''}"


def asking(draft: JoinDraft, edited: int | None, lowest_new: int) -> None:
    """Before the open question goes out, in the pressed message `edited` or in a new message (whose id is
    at least `lowest_new`): the messages that answer it from now on, recorded before anyone can press it.

    The same question again (nothing changed, or a selection toggled) leaves every message showing it
    current, and a new copy is current from the start; a new question leaves only the message showing it.
    """
    step = step_key(next_step(draft))
    if step == draft.question_step:
        return
    draft.question_step = step
    if edited is not None:
        draft.question_messages = [edited]
        draft.question_floor = max(draft.question_floor, edited + 1)
    else:
        draft.question_messages = []
        draft.question_floor = max(draft.question_floor, lowest_new)


def asked(draft: JoinDraft, message_id: int) -> None:
    """A new message shows the open question: its id as Telegram gave it."""
    draft.question_messages = [*draft.question_messages, message_id][-COPIES_KEPT:]
    draft.question_floor = max(draft.question_floor, message_id + 1)


def question_message(draft: JoinDraft) -> int:
    """The newest message known to show the open question (0: none known, its id was never recorded)."""
    return draft.question_messages[-1] if draft.question_messages else 0


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
    """A place taken or applied for: a Representative's with its region, an application with who decides it."""

    code: str
    role: Role
    status: RegistrationStatus
    region: str | None = None
    decider: Decider | None = None


def next_step(draft: JoinDraft) -> Step:
    if not draft.selection_done:
        return Step(StepKind.SELECT)
    if draft.picking:
        return Step(StepKind.PICK_FIELD)
    if draft.ask_profile and (field := missing_field(draft.profile)) is not None:
        return Step(StepKind.PROFILE, field=field)
    for code in draft.selected:
        if code not in draft.roles:
            return Step(StepKind.ROLE, code=code)
    for code in draft.selected:
        if draft.roles[code].needs_decision and code not in draft.motivations:
            return Step(StepKind.MOTIVATION, code=code)
    return Step(StepKind.SUMMARY)


class Stage(IntEnum):
    """The parts of every join, the same four whatever is chosen, so that "step 2 of 4" never changes its total.

    A count of questions could not: each task force chosen adds its role, and a Leader or Representative
    role its motivation, so its total grew as one went ("1 of 2", "1 of 3", "3 of 4"). A part already done
    (the task force of a link, a profile given before) is passed over, its number with it.
    """

    TASKFORCES = 1
    PROFILE = 2
    ROLES = 3
    CHECK = 4


_STAGES = {
    StepKind.SELECT: Stage.TASKFORCES,
    StepKind.PROFILE: Stage.PROFILE,
    StepKind.PICK_FIELD: Stage.PROFILE,
    StepKind.ROLE: Stage.ROLES,
    StepKind.MOTIVATION: Stage.ROLES,
    StepKind.SUMMARY: Stage.CHECK,
}


def stage(step: Step) -> Stage:
    return _STAGES[step.kind]


def profile_question_number(draft: JoinDraft, step: Step) -> int | None:
    """Which of the profile's questions this is (1 to 7, a total that never moves), when the whole profile is
    asked; None for one field changed from the summary."""
    if step.field is None or draft.editing:
        return None
    return list(ProfileField).index(step.field) + 1


SELECT_STEP = Step(StepKind.SELECT)
PROFILE_STEPS = tuple(Step(StepKind.PROFILE, field=field) for field in ProfileField)
SUMMARY_STEP = Step(StepKind.SUMMARY)


def _journey(draft: JoinDraft) -> list[Step]:
    """Every step of this join in the order `next_step` asks them (built for every keyboard: the
    fixed steps are made once)."""
    journey = [SELECT_STEP] if draft.listed else []
    if draft.ask_profile:
        journey += PROFILE_STEPS
    journey += [Step(StepKind.ROLE, code=code) for code in draft.selected]
    journey += [
        Step(StepKind.MOTIVATION, code=code)
        for code in draft.selected
        if code in draft.roles and draft.roles[code].needs_decision
    ]
    journey.append(SUMMARY_STEP)
    return journey


def can_go_back(draft: JoinDraft) -> bool:
    """Back is offered on every step but the first of the journey."""
    if draft.picking or draft.editing:
        return True
    journey, current = _journey(draft), next_step(draft)
    return current in journey and journey.index(current) > 0


def back(draft: JoinDraft, catalogue: Catalogue) -> None:
    """Undo the answer before the current question, keeping it to be offered again.

    From a field picked on the summary, Back returns to the summary with that field unchanged.
    """
    if draft.picking or draft.editing:
        step = next_step(draft)
        if draft.editing and step.kind is StepKind.PROFILE and step.field is not None:
            _set_field(draft, step.field, kept_answer(draft, step), catalogue)  # as it was
        draft.picking = draft.editing = False
        return
    if not can_go_back(draft):
        raise Refused("stale")
    journey = _journey(draft)
    _set_aside(draft, journey[journey.index(next_step(draft)) - 1])


def _set_aside(draft: JoinDraft, step: Step) -> None:
    """Make `step` unanswered again; what it held is kept for a one-tap answer."""
    if step.kind is StepKind.SELECT:
        draft.selection_done = False
    elif step.kind is StepKind.PROFILE and step.field is not None:
        value = getattr(draft.profile, step.field.value)
        if value is not None:
            draft.kept[step.field.value] = value
        setattr(draft.profile, step.field.value, None)
        if step.field is ProfileField.EMAIL:
            draft.profile.email_answered = False
    elif step.kind is StepKind.ROLE and step.code is not None:
        draft.roles.pop(step.code, None)
        _set_aside(draft, Step(StepKind.MOTIVATION, code=step.code))
    elif step.kind is StepKind.MOTIVATION and step.code is not None and step.code in draft.motivations:
        draft.kept[answer_key(step)] = draft.motivations.pop(step.code)


def kept_answer(draft: JoinDraft, step: Step) -> str | None:
    """The answer set aside for this question, if any: offered as a button."""
    return draft.kept.get(answer_key(step))


def keep_answer(draft: JoinDraft, catalogue: Catalogue) -> None:
    """Answer the current question with the answer set aside for it."""
    step = next_step(draft)
    value = kept_answer(draft, step)
    if value is None or step.kind not in (StepKind.PROFILE, StepKind.MOTIVATION):
        raise Refused("stale")
    if step.kind is StepKind.MOTIVATION and step.code is not None:
        draft.motivations[step.code] = value
    elif step.field is not None:
        _set_field(draft, step.field, value, catalogue)


def pick_field(draft: JoinDraft, field: ProfileField) -> None:
    """Re-ask one field from the summary; its answer is offered again, the others stay."""
    if not draft.picking:
        raise Refused("stale")
    draft.picking, draft.editing, draft.ask_profile = False, True, True
    _set_aside(draft, Step(StepKind.PROFILE, field=field))


def _set_field(draft: JoinDraft, field: ProfileField, value: str | None, catalogue: Catalogue) -> None:
    """Every profile answer ends here; a role the new answer no longer allows is asked again."""
    previous = draft.kept.get(field.value)
    setattr(draft.profile, field.value, value)
    draft.profile.email_answered = draft.profile.email_answered or field is ProfileField.EMAIL
    draft.editing = False
    if field is ProfileField.REGION and previous is not None and previous != value:
        _drop_roles(draft, {Role.REPRESENTATIVE})  # a place for another region: asked again
    elif field is ProfileField.MEMBER_STATUS and not may_lead(draft.profile, catalogue):
        _drop_roles(draft, {Role.LEADER, Role.REPRESENTATIVE})


def _drop_roles(draft: JoinDraft, roles: set[Role]) -> None:
    for code in [c for c, role in draft.roles.items() if role in roles]:
        _set_aside(draft, Step(StepKind.ROLE, code=code))


async def role_offer(db: Database, draft: JoinDraft, step: Step, catalogue: Catalogue) -> RoleOffer:
    """What the role question of `step` offers: the places already held are read now, not remembered."""
    leads = may_lead(draft.profile, catalogue)
    if step.kind is not StepKind.ROLE or step.code is None or not leads:
        return RoleOffer(leads)
    taken = {}
    for role in (Role.LEADER, Role.REPRESENTATIVE):
        holder = await registrations.active_holder(db, step.code, role, draft.profile.region)
        if holder is not None:
            person = await people.get_person(db, holder.person_id) if holder.person_id else None
            taken[role] = person.name if person else "—"
    return RoleOffer(leads, taken)


def expects_text(step: Step) -> bool:
    """The question is answered by typing (a typed profile field, a motivation), not with buttons."""
    if step.kind is StepKind.MOTIVATION:
        return True
    return step.kind is StepKind.PROFILE and step.field is not None and step.field.typed


def new_draft(person: Person | None, telegram_name: str, held: list[Registration]) -> JoinDraft:
    if person is None:
        kept = {ProfileField.NAME.value: telegram_name[:100]} if telegram_name else {}
        return JoinDraft(held=[r.taskforce for r in held], kept=kept)
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


def open_goal(draft: JoinDraft, goal: str | None, catalogue: Catalogue) -> None:
    """The list of task forces, a goal at a time: its objectives, or (None) the goals again, each with what is
    chosen in it; a letter the catalogue no longer has is a stale button."""
    if next_step(draft).kind is not StepKind.SELECT or (goal is not None and catalogue.goal(goal) is None):
        raise Refused("stale")
    draft.goal, draft.targets = goal, False


def show_targets(draft: JoinDraft, shown: bool) -> None:
    """The targets for 2030 and 2050 of the open goal's objectives, under their titles, or not."""
    if next_step(draft).kind is not StepKind.SELECT or draft.goal is None:
        raise Refused("stale")
    draft.targets = shown


def finish_selection(draft: JoinDraft) -> None:
    if not draft.selected:
        raise Refused("nothing_selected")
    draft.selection_done = True
    draft.roles = {code: role for code, role in draft.roles.items() if code in draft.selected}
    draft.motivations = {c: m for c, m in draft.motivations.items() if c in draft.selected}


def answer_text(draft: JoinDraft, text: str, catalogue: Catalogue) -> None:
    """Text is the answer to whichever typed question is open; elsewhere a button is due."""
    step = next_step(draft)
    if step.kind is StepKind.PROFILE and step.field is not None and step.field.typed:
        _set_field(draft, step.field, typed_value(step.field, text), catalogue)
    elif step.kind is StepKind.MOTIVATION and step.code is not None:
        draft.motivations[step.code] = clean_text(text, MOTIVATION_LIMIT)
    else:
        raise Refused("use_buttons")


def answer_choice(draft: JoinDraft, field: ProfileField, choice: str, catalogue: Catalogue) -> None:
    step = next_step(draft)
    if step.kind is not StepKind.PROFILE or step.field is not field:
        raise Refused("stale")
    if choice == "keep":  # "Use ‹name›" on messages sent before there was a "keep" button
        keep_answer(draft, catalogue)
    elif field is ProfileField.EMAIL and choice == "skip":
        _set_field(draft, field, None, catalogue)
    elif field.typed:
        raise Refused("stale")
    else:
        _set_field(draft, field, chosen_value(field, choice, catalogue), catalogue)


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
    """From the summary, go back to one part; the steps after it are asked again only where needed."""
    if next_step(draft).kind is not StepKind.SUMMARY:
        raise Refused("stale")
    if part is EditPart.TASKFORCES:
        draft.selection_done, draft.listed, draft.goal = False, True, None
    elif part is EditPart.PROFILE:
        draft.picking = True
    else:
        for code in list(draft.roles):
            _set_aside(draft, Step(StepKind.ROLE, code=code))


async def begin(db: Database, telegram_id: int, now: datetime, remind_after: timedelta) -> None:
    """Record that joining began, so an unfinished attempt is reminded once."""
    async with db.transaction() as tx:
        await reminders.schedule_reminder(tx, telegram_id, JOIN_REMINDER, now + remind_after)


async def abandon(db: Database, telegram_id: int, now: datetime) -> None:
    async with db.transaction() as tx:
        await reminders.cancel_reminders(tx, telegram_id, JOIN_REMINDER, now)


async def submit(
    db: Database,
    telegram_id: int,
    draft: JoinDraft,
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
        held = {r.taskforce for r in await registrations.places_held(tx, telegram_id)}
        if already := sorted(held & set(draft.selected)):
            raise Refused("already_joined", code=already[0])
        check_cap(len(held), len(draft.selected), cap)
        existing = await people.get_person(tx, telegram_id)
        profile = draft.profile if draft.ask_profile or existing is None else existing.as_profile()
        if missing_field(profile) is not None:
            raise Refused("stale")
        await people.save_person(tx, telegram_id, profile, now)
        if draft.ask_profile:
            await audit.record(tx, now, telegram_id, "profile.saved", telegram_id)
        if existing is not None and profile.region is not None and profile.region != existing.region:
            # Edited on the summary: each Representative place held stays with its region, and is asked about.
            await facilitation.ask_about_places(tx, telegram_id, profile.region, now)
        joined = [
            await _register(tx, telegram_id, code, draft, profile, catalogue, rules, now) for code in draft.selected
        ]
        await reminders.cancel_reminders(tx, telegram_id, JOIN_REMINDER, now)
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
    registration_id = await registrations.add_registration(tx, telegram_id, code, role, status, region, motivation, now)
    decider = None
    if role.needs_decision:
        await facilitation.announce(tx, registration_id, rules.admins, now, rules.patience)
        decider = await authority.decider(tx, code, telegram_id)
    await audit.record(tx, now, telegram_id, f"registration.{status.value}", telegram_id, code, {"role": role.value})
    return Joined(code, role, status, region, decider)
