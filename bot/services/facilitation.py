"""Facilitation: assigning facilitators, deciding applications and what a decision changes,
reminders of decisions waiting, the daily digest, a task force's members and balance.

Every decision re-reads the registration and the decider's authority (`authority`) inside the
transaction that records it, so a forged or replayed button changes nothing, and
the first of two simultaneous decisions wins in the database itself.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from bot.models import Catalogue, EndedBy, KnownUser, Payload, Person, Registration, RegistrationStatus, Role
from bot.services import authority, groups, waiting_decisions
from bot.services.arguments import storable, whole_number
from bot.services.errors import Refused
from bot.storage import audit, facilitators, known_users, membership, outbox, prompts, registrations, runs
from bot.storage import people as people_rows
from bot.storage.database import Database, Transaction
from bot.storage.prompts import Asked

log = logging.getLogger("bot.facilitation")

DIGEST = "digest"  # the kind of its rows, and the name of its once-a-day run
FACILITATOR_WELCOME = "facilitator_welcome"  # reads, when it goes, every task force the person facilitates
FACILITATOR_ADDED = "facilitator_added"  # one more task force, for someone welcomed already
FACILITATOR_REMOVED = "facilitator_removed"
USERNAME = re.compile(r"[A-Za-z0-9_]{1,32}")  # as Telegram spells them (5 to 32 today)


class Facilitated(Payload):
    """A facilitator given, or taken off, one more task force: which one."""

    code: str


class Digest(Payload):
    """A day of one task force for its facilitators (for the Secretariat when it has none): the new Team Members,
    who left and whom the Secretariat withdrew, read when it goes (those who deleted their data meanwhile are
    left out). `/forget` takes a person's id out of each list (`outbox.PEOPLE_LISTS`)."""

    code: str
    ids: list[int]  # new Team Members
    # Defaults: a row queued by an older release carries only a count of who left, which names no one.
    leavers: list[int] = Field(default_factory=list)
    withdrawn: list[int] = Field(default_factory=list)
    unfacilitated: bool = False  # sent to the Secretariat: no facilitator is named


class Verdict(StrEnum):
    """A facilitator's decision, as the registration keeps it (`registrations.verdict`)."""

    APPROVE = "approve"
    REJECT = "reject"
    NOT_MEMBER = "not_member"


@dataclass(frozen=True)
class Decided:
    registration: Registration
    verdict: Verdict


# ---------------------------------------------------------------- who facilitates


async def resolve(db: Database, target: str) -> KnownUser:
    """A user id or @username of someone who has started the bot (it cannot write first)."""
    cleaned = target.strip()
    number = whole_number(cleaned)
    if number is not None:
        found = await known_users.known_user(db, number) if storable(number) else None
    elif USERNAME.fullmatch(cleaned.removeprefix("@")):
        found = await known_users.known_by_username(db, cleaned.removeprefix("@"))
    else:
        raise Refused("bad_person", who=cleaned)
    if found is None:
        raise Refused("not_started", who=cleaned)
    return found


@dataclass(frozen=True)
class Assigned:
    person: KnownUser
    added: bool  # False: they facilitated it already; nothing changed


async def assign(
    db: Database, admin_id: int, target: str, code: str, catalogue: Catalogue, admins: Collection[int], now: datetime
) -> Assigned:
    authority.require_admin(admin_id, admins)
    if catalogue.objective(code) is None:
        raise Refused("unknown_code", code=code)
    person = await resolve(db, target)
    async with db.transaction() as tx:
        added = await facilitators.add_facilitator(tx, person.telegram_id, code, admin_id, now)
        if added:
            await audit.record(tx, now, admin_id, "facilitator.assigned", person.telegram_id, code)
            await _tell_assigned(tx, person.telegram_id, code, now)
    return Assigned(person, added)


async def _tell_assigned(tx: Transaction, telegram_id: int, code: str, now: datetime) -> None:
    """One welcome per facilitator: it lists, when it goes, every task force they facilitate then, so a
    welcome still waiting will name this one too; someone who facilitated others already is told of
    this one alone, in a line, rather than welcomed again."""
    if await outbox.waiting(tx, telegram_id, FACILITATOR_WELCOME):
        return
    if await facilitators.taskforces_of(tx, telegram_id) == [code]:
        await outbox.enqueue(tx, telegram_id, FACILITATOR_WELCOME, now)
    else:
        await outbox.enqueue(tx, telegram_id, FACILITATOR_ADDED, now, payload=Facilitated(code=code))


async def unassign(
    db: Database, admin_id: int, target: str, code: str, admins: Collection[int], now: datetime
) -> KnownUser:
    authority.require_admin(admin_id, admins)
    person = await resolve(db, target)
    async with db.transaction() as tx:
        if not await facilitators.remove_facilitator(tx, person.telegram_id, code):
            raise Refused("not_facilitator_of", who=person.full_name, code=code)
        await audit.record(tx, now, admin_id, "facilitator.removed", person.telegram_id, code)
        await outbox.enqueue(tx, person.telegram_id, FACILITATOR_REMOVED, now, payload=Facilitated(code=code))
    return person


# ---------------------------------------------------------------- applications


async def announce(
    tx: Transaction, registration_id: int, admins: Collection[int], now: datetime, patience: timedelta
) -> None:
    """A new Leader or Representative application, read in the transaction that made it: a prompt to each
    decider, and a reminder due."""
    registration = await registrations.get_registration(tx, registration_id)
    if registration is None:
        raise Refused("stale")
    await waiting_decisions.ask(tx, APPLICATIONS, registration, admins, patience, now)


async def pending_for(db: Database, actor: int, admins: Collection[int]) -> list[Registration]:
    codes = None if actor in admins else await facilitators.taskforces_of(db, actor)
    if codes == []:
        raise Refused("not_a_facilitator")
    return [r for r in await registrations.pending_registrations(db, codes) if r.person_id != actor]


async def open_application(db: Database, actor: int, registration_id: int, admins: Collection[int]) -> Registration:
    """The pending application this person may decide on (checked again when deciding)."""
    registration = await registrations.get_registration(db, registration_id)
    if registration is None or registration.person_id is None:
        raise Refused("stale")
    await authority.check_authority(db, actor, registration, admins)
    if registration.status is not RegistrationStatus.PENDING:
        raise await _already_decided(db, registration)
    return registration


async def decide(
    db: Database,
    actor: int,
    registration_id: int,
    verdict: Verdict,
    reason: str | None,
    admins: Collection[int],
    now: datetime,
) -> Decided:
    async with db.transaction() as tx:
        registration = await registrations.get_registration(tx, registration_id)
        if registration is None or registration.person_id is None:
            raise Refused("stale")
        await authority.check_authority(tx, actor, registration, admins)
        if registration.status is not RegistrationStatus.PENDING:
            log.info("registration %s is decided already; pressed again", registration_id)
            raise await _already_decided(tx, registration)
        # "Not a member" refuses the application as it was made, and the person stays as a Team Member.
        status = RegistrationStatus.ACTIVE if verdict is Verdict.APPROVE else RegistrationStatus.REJECTED
        try:
            await registrations.decide_registration(tx, registration_id, status, actor, reason, now, verdict.value)
        except sqlite3.IntegrityError:
            raise await _place_taken(tx, registration) from None
        if verdict is not Verdict.REJECT:
            await people_rows.set_member_claim(tx, registration.person_id, verdict is Verdict.APPROVE, now)
        if verdict is Verdict.NOT_MEMBER:
            await demote_everywhere(tx, registration.person_id, actor, now)
        if verdict is Verdict.NOT_MEMBER or (verdict is Verdict.REJECT and registration.moved_from is not None):
            # Not a member, or gave up their place of another region to apply: they stay in the task force.
            await _add_member(tx, registration.person_id, registration.taskforce, now)
        await audit.record(
            tx,
            now,
            actor,
            f"decision.{verdict.value}",
            registration.person_id,
            registration.taskforce,
            {"registration": registration_id, "reason": reason} if reason else {"registration": registration_id},
        )
        await _tell_everyone(tx, registration_id, registration.person_id, now)
    return Decided(registration, verdict)


async def stay_as_member(db: Database, person_id: int, registration_id: int, now: datetime) -> str:
    """After a rejection the applicant may stay in the task force as a Team Member."""
    async with db.transaction() as tx:
        registration = await registrations.get_registration(tx, registration_id)
        if registration is None or registration.person_id != person_id:
            raise Refused("stale")
        if registration.status is not RegistrationStatus.REJECTED:
            raise Refused("stale")
        code = registration.taskforce
        if any(r.taskforce == code for r in await registrations.places_held(tx, person_id)):
            raise Refused("already_joined", code=code)
        await _add_member(tx, person_id, code, now)
    return code


async def _add_member(tx: Transaction, person_id: int, code: str, now: datetime) -> None:
    await registrations.add_registration(tx, person_id, code, Role.MEMBER, RegistrationStatus.ACTIVE, None, None, now)
    await audit.record(tx, now, person_id, "registration.active", person_id, code, {"role": "member"})


async def end_registration(
    tx: Transaction,
    registration: Registration,
    actor: int,
    now: datetime,
    *,
    by_admin: bool = False,
    reason: str | None = None,
) -> None:
    """Withdraw a registration (the person leaving, or an admin); open prompts say so, and by whom."""
    if by_admin and registration.status is RegistrationStatus.PENDING:
        await registrations.decide_registration(tx, registration.id, RegistrationStatus.WITHDRAWN, actor, None, now)
    ended_by = EndedBy.SECRETARIAT if by_admin else EndedBy.PERSON
    await registrations.end_registration(tx, registration.id, ended_by, now)
    detail = {"registration": registration.id, "reason": reason} if reason else None
    await audit.record(tx, now, actor, "registration.withdrawn", registration.person_id, registration.taskforce, detail)
    if registration.status is RegistrationStatus.PENDING:
        await _tell_everyone(tx, registration.id, None, now)
    await groups.queue_removal(tx, registration.taskforce, registration.person_id, now)


WITHDRAWN = "withdrawn_by_admin"


class WithdrawnNotice(Payload):
    """What the Secretariat wrote to the person it withdrew (none: no reason given; so are older rows)."""

    reason: str | None = None


@dataclass(frozen=True)
class Withdrawal:
    """A place the Secretariat withdraws, or asks to: its person named by the name they registered with."""

    registration: Registration
    person: Person


async def withdrawal(db: Database, admin_id: int, target: str, code: str, admins: Collection[int]) -> Withdrawal:
    """The place /withdraw asks about, e.g. of a Leader who no longer serves; checked again when confirmed."""
    authority.require_admin(admin_id, admins)
    known = await resolve(db, target)
    held = next((r for r in await registrations.places_held(db, known.telegram_id) if r.taskforce == code), None)
    person = await people_rows.get_person(db, known.telegram_id)
    if held is None or person is None:
        raise Refused("not_registered_other", who=known.full_name, code=code)
    return Withdrawal(held, person)


async def open_withdrawal(
    db: Database | Transaction, admin_id: int, registration_id: int, admins: Collection[int]
) -> Withdrawal:
    """The place a pressed button is about, if an admin presses it and the place is still held."""
    authority.require_admin(admin_id, admins)
    registration = await registrations.get_registration(db, registration_id)
    person = (
        await people_rows.get_person(db, registration.person_id) if registration and registration.person_id else None
    )
    if registration is None or person is None:
        raise Refused("stale")
    if not registration.status.holds_place:
        raise Refused("not_registered_other", who=person.name, code=registration.taskforce)
    return Withdrawal(registration, person)


async def withdraw(
    db: Database, admin_id: int, registration_id: int, reason: str | None, admins: Collection[int], now: datetime
) -> Withdrawal:
    """An admin withdraws someone, to free the place; the person is told, with the reason when one is given.
    Who presses and the place are checked again in the transaction that withdraws it: a second press, or one
    after the person left, changes nothing."""
    async with db.transaction() as tx:
        withdrawn = await open_withdrawal(tx, admin_id, registration_id, admins)
        await end_registration(tx, withdrawn.registration, admin_id, now, by_admin=True, reason=reason)
        notice = WithdrawnNotice(reason=reason)
        await outbox.enqueue(
            tx, withdrawn.person.telegram_id, WITHDRAWN, now, registration_id=registration_id, payload=notice
        )
    return withdrawn


async def facilitated_by(db: Database, telegram_id: int) -> list[str]:
    return await facilitators.taskforces_of(db, telegram_id)


async def facilitator_list(
    db: Database, actor: int, code: str | None, admins: Collection[int]
) -> list[tuple[str, KnownUser]]:
    """Who facilitates what (one task force or all): for admins."""
    authority.require_admin(actor, admins)
    return await facilitators.assigned(db, code)


async def _already_decided(tx: Database | Transaction, registration: Registration) -> Refused:
    if registration.decided_by is None:  # withdrawn, or a Team Member now: nobody decided
        return Refused("withdrawn")
    decider = await known_users.known_user(tx, registration.decided_by) if registration.decided_by else None
    return Refused(
        "already_decided",
        who=decider.full_name if decider else "—",  # the decider has deleted their data
        at=registration.decided_at or "?",
    )


async def _place_taken(tx: Transaction, registration: Registration) -> Refused:
    holder = await registrations.active_holder(tx, registration.taskforce, registration.role, registration.region)
    person = await people_rows.get_person(tx, holder.person_id) if holder and holder.person_id else None
    return Refused("place_taken", holder=person.name if person else "?", code=registration.taskforce)


async def demote_everywhere(tx: Transaction, person_id: int, actor: int, now: datetime) -> list[str]:
    """No longer a member or partner (a rejected claim, or the person's own profile edit):
    Team Member in every task force; open prompts say so. Returns the task forces changed."""
    demoted = []
    for held in await registrations.places_held(tx, person_id):
        if held.role.needs_decision:
            await demote(tx, held, actor, now)
            demoted.append(held.taskforce)
    return demoted


async def demote(tx: Transaction, held: Registration, actor: int, now: datetime) -> None:
    """A Leader or Representative place (or application) becomes a Team Member's, active at once."""
    await registrations.set_registration_status(tx, held.id, RegistrationStatus.ACTIVE, now, role=Role.MEMBER)
    await registrations.set_reminder_due(tx, held.id, None, 0)
    await audit.record(tx, now, actor, "registration.demoted", held.person_id, held.taskforce)
    if held.status is RegistrationStatus.PENDING:
        await _tell_everyone(tx, held.id, None, now)


PLACE_QUESTION = "place_region"  # also queued by migration 10, for everyone who had moved by then


class PlaceQuestion(Payload):
    """The region the person moved to; the place asked about is the row's registration."""

    region: str


async def ask_about_places(tx: Transaction, person_id: int, region: str, now: datetime) -> list[str]:
    """The person's region changed to `region`: a Representative place stays with the region it is for,
    so for each one (active or pending) of another region they are asked what to do with it, in the
    transaction that changed the region. Returns the task forces asked about."""
    asked = []
    for held in await registrations.places_held(tx, person_id):
        if held.role is Role.REPRESENTATIVE and held.region != region:
            moved_to = PlaceQuestion(region=region)
            await outbox.enqueue(tx, person_id, PLACE_QUESTION, now, registration_id=held.id, payload=moved_to)
            asked.append(held.taskforce)
    return asked


async def _tell_everyone(tx: Transaction, registration_id: int, applicant: int | None, now: datetime) -> None:
    """The applicant learns the outcome; every prompt about it is edited to show who decided."""
    if applicant is not None:
        await outbox.enqueue(tx, applicant, "decision", now, registration_id=registration_id)
    await close_prompts(tx, registration_id, "prompt_decided", now)


async def remember_prompt(db: Database, registration_id: int, chat_id: int, message_id: int) -> None:
    """A message with decision buttons, so that the decision edits it (and every other one)."""
    async with db.transaction() as tx:
        await prompts.add_prompt(tx, Asked.APPLICATION, registration_id, chat_id, message_id)


async def close_prompts(tx: Transaction, registration_id: int, kind: str, now: datetime) -> None:
    """Every message that asked for a decision on this application is edited (to `kind`'s text)."""
    for chat_id, message_id in await prompts.prompts_of(tx, Asked.APPLICATION, registration_id):
        await outbox.enqueue(tx, chat_id, kind, now, registration_id=registration_id, edit_message_id=message_id)


# ---------------------------------------------------------------- reminders and digest


async def _deciders(tx: Transaction, registration: Registration, admins: Collection[int]) -> list[int]:
    return await authority.deciders(tx, registration.taskforce, admins, registration.person_id)


async def _tell_about(tx: Transaction, chat_id: int, kind: str, registration: Registration, now: datetime) -> None:
    await outbox.enqueue(tx, chat_id, kind, now, registration_id=registration.id)


APPLICATIONS = waiting_decisions.Waiting[Registration](
    prompt="approval_prompt",
    reminder="decision_reminder",
    escalation="decision_escalation",
    due=registrations.decisions_due,
    deciders=_deciders,
    asker=lambda registration: registration.person_id,
    tell=_tell_about,
    set_due=registrations.set_reminder_due,
)


async def remind_pending(db: Database, admins: Collection[int], now: datetime) -> int:
    """Applications waiting too long: their deciders are reminded, then the admins told."""
    return await waiting_decisions.remind(db, APPLICATIONS, admins, now)


async def queue_digest(db: Database, hour: int, admins: Collection[int], now: datetime) -> int:
    """Once a day at `hour` UTC: one message per facilitator listing the new Team Members, who left the task
    force (and so its group) and whom the Secretariat withdrew; to the admins for a task force without
    facilitator, or a newcomer there would reach no one."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    due_at = today if now >= today else today - timedelta(days=1)
    last = await runs.last_run(db, DIGEST)
    if last is not None and last >= due_at:
        return 0
    queued = 0
    async with db.transaction() as tx:
        if last is not None:
            joined = await membership.new_members_since(tx, last, now)
            ended = await membership.ended_since(tx, last, now)
            for code in sorted({*joined, *ended}):
                facilitating = [user.telegram_id for _, user in await facilitators.assigned(tx, code)]
                by_whom = ended.get(code, {})
                digest = Digest(
                    code=code,
                    ids=[person.telegram_id for person in joined.get(code, [])],
                    leavers=by_whom.get(EndedBy.PERSON, []),
                    withdrawn=by_whom.get(EndedBy.SECRETARIAT, []),
                    unfacilitated=not facilitating,
                )
                for chat_id in facilitating or sorted(admins):
                    await outbox.enqueue(tx, chat_id, DIGEST, now, payload=digest)
                    queued += 1
        await runs.set_last_run(tx, DIGEST, now)
    return queued


async def people(db: Database, ids: list[int]) -> list[Person]:
    """The digest's new members as they are when it goes; those who deleted their data meanwhile are left out."""
    found = [await people_rows.get_person(db, telegram_id) for telegram_id in ids]
    return [person for person in found if person is not None]


# ---------------------------------------------------------------- members and balance


async def members(
    db: Database, actor: int, code: str, catalogue: Catalogue, admins: Collection[int]
) -> list[membership.Member]:
    await authority.members_allowed(db, actor, code, catalogue, admins)
    return await membership.members_of(db, code)


@dataclass(frozen=True)
class Balance:
    """Counts by region × stakeholder type and by role, and the combinations nobody covers."""

    cells: dict[tuple[str, str], int]
    roles: dict[Role, int]
    empty_regions: list[str]
    empty_types: list[str]
    total: int
    pending: int  # applications waiting for a decision: shown apart, not counted as members


async def balance(db: Database, actor: int, code: str, catalogue: Catalogue, admins: Collection[int]) -> Balance:
    """Who holds a place now (active only), counted in SQL; pending applications are counted apart."""
    await authority.members_allowed(db, actor, code, catalogue, admins)
    cells = {(region, kind): 0 for region in catalogue.region_names for kind in catalogue.stakeholder_type_names}
    roles, total, pending = dict.fromkeys(Role, 0), 0, 0
    for region, kind, role, status, count in await membership.place_counts(db, code):
        if status != RegistrationStatus.ACTIVE:
            pending += count
            continue
        cells[(region, kind)] = cells.get((region, kind), 0) + count
        roles[Role(role)] += count
        total += count
    by_region = {region: sum(n for (r, _), n in cells.items() if r == region) for region in catalogue.region_names}
    by_type = {kind: sum(n for (_, k), n in cells.items() if k == kind) for kind in catalogue.stakeholder_type_names}
    return Balance(
        cells=cells,
        roles=roles,
        empty_regions=[region for region, n in by_region.items() if n == 0],
        empty_types=[kind for kind, n in by_type.items() if n == 0],
        total=total,
        pending=pending,
    )
