"""Reviewing entries of the catalogue: prompts to the deciders, the first decision, reminders, escalation.

As for applications (services/facilitation.py): a prompt goes to each facilitator of every task force
the entry names, and to its Global Leader once approved (the Secretariat when there is nobody), in the
transaction that submits it; a decision re-reads the entry and the decider's authority in the
transaction that records it, so the first wins and every prompt is then edited to say who decided.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.models import KnownUser, Payload, Person, RegistrationStatus, Role
from bot.project_models import Project, ProjectStatus
from bot.services import facilitation, project_catalogue, waiting_decisions
from bot.services.errors import Refused
from bot.storage import audit, facilitators, known_users, outbox, people, prompts, registrations
from bot.storage import projects as rows
from bot.storage.database import Database, Reader, Transaction
from bot.storage.prompts import Asked

log = logging.getLogger("bot.projects")

PROMPT, REMINDER, ESCALATION = "project_prompt", "project_reminder", "project_escalation"
PROMPT_DECIDED = "project_prompt_decided"  # a prompt edited: decided, withdrawn, or changed since
AUTHOR_TOLD = "project_decided"
CONTACT_NAMED = "project_contact"  # the new contact of an entry whose author deleted their data


class OfProject(Payload):
    """The entry an outbox row is about; read as it is when the row goes."""

    project: int


class Verdict(StrEnum):
    ACCEPT = "accept"
    CHANGES = "changes"
    DECLINE = "decline"


STATUS_OF = {
    Verdict.ACCEPT: ProjectStatus.ACCEPTED,
    Verdict.CHANGES: ProjectStatus.CHANGES,
    Verdict.DECLINE: ProjectStatus.DECLINED,
}
DECIDED = frozenset(STATUS_OF.values())  # the statuses a decision leaves, and its author is told of


@dataclass(frozen=True)
class ReviewRules:
    admins: frozenset[int]
    patience: timedelta  # before the deciders are reminded
    progress_months: int = 3  # between the progress updates asked of a running entry, once accepted


@dataclass(frozen=True)
class Review:
    """What a prompt or a notice about an entry shows, read when it is sent."""

    project: Project
    author: Person | None
    decider: KnownUser | None


async def review(db: Reader, project_id: int) -> Review | None:
    project = await rows.get_project(db, project_id)
    if project is None or project.status is ProjectStatus.DRAFT:
        return None
    author = await people.get_person(db, project.author_id) if project.author_id is not None else None
    decider = await known_users.known_user(db, project.decided_by) if project.decided_by is not None else None
    return Review(project, author, decider)


async def deciders(db: Reader, project: Project, admins: Collection[int]) -> list[int]:
    """The facilitators and approved Global Leaders of its task forces but its author; with none, the admins."""
    found: set[int] = set()
    for code in project.taskforces:
        found |= {user.telegram_id for _, user in await facilitators.assigned(db, code)}
        leader = await registrations.active_holder(db, code, Role.LEADER, None)
        if leader is not None and leader.person_id is not None:
            found.add(leader.person_id)
    found.discard(project.author_id or 0)
    return sorted(found) or [admin for admin in sorted(admins) if admin != project.author_id]


async def check_authority(db: Reader, actor: int, project: Project, admins: Collection[int]) -> None:
    """Its facilitators, its Leaders and the Secretariat decide; never its author."""
    if project.author_id == actor:
        raise Refused("own_entry")
    if actor in admins:
        return
    facilitated = set(await facilitators.taskforces_of(db, actor))
    for code in project.taskforces:
        leader = await registrations.active_holder(db, code, Role.LEADER, None)
        if code in facilitated or (leader is not None and leader.person_id == actor):
            return
    log.warning("a decision on entry %s was refused: no authority", project.id)
    raise Refused("not_your_taskforce", code=", ".join(project.taskforces))


async def announce(tx: Transaction, project: Project, rules: ReviewRules, now: datetime) -> None:
    """Submitted (again): prompts about an earlier version say it changed and lose their buttons; a prompt
    to each decider, and a reminder due."""
    await close_prompts(tx, project.id, now)
    await prompts.drop_prompts(tx, Asked.ENTRY, project.id)
    await waiting_decisions.ask(tx, ENTRIES, project, rules.admins, rules.patience, now)


async def close_prompts(tx: Transaction, project_id: int, now: datetime, kind: str = PROMPT_DECIDED) -> None:
    """Every message that asked for a decision on this entry is edited to show it as it now is (`PROMPT`:
    still asking, when only its contact changed)."""
    for chat_id, message_id in await prompts.prompts_of(tx, Asked.ENTRY, project_id):
        await outbox.enqueue(tx, chat_id, kind, now, edit_message_id=message_id, payload=OfProject(project=project_id))


async def forget_author(tx: Transaction, person_id: int, now: datetime) -> None:
    """/forget: an entry describes an organisation's work and stays, without the person (contact withdrawn,
    kept out of the catalogue until a facilitator names another); the prompts that named them are edited."""
    for project_id in await rows.forget_author(tx, person_id, now):
        await close_prompts(tx, project_id, now, PROMPT)
        await audit.record(tx, now, None, "project.contact_withdrawn", None, None, {"project": project_id})
    await prompts.forget_prompts(tx, Asked.ENTRY, person_id)


async def name_contact(
    db: Database, actor: int, project_id: int, target: str, admins: Collection[int], now: datetime
) -> tuple[KnownUser, Project]:
    """An entry whose contact deleted their data gets another one: an active member of one of its task forces,
    named by a facilitator of it (or the Secretariat). An accepted entry is back in the catalogue; the prompts
    that said "contact withdrawn" show the new contact (and still ask, while it waits). Audited without names."""
    person = await facilitation.resolve(db, target)
    async with db.transaction() as tx:
        project = await rows.get_project(tx, project_id)
        if project is None or project.status is ProjectStatus.DRAFT or project.author_id is not None:
            raise Refused("has_contact")
        if actor not in admins and not set(project.taskforces) & set(await facilitators.taskforces_of(tx, actor)):
            raise Refused("not_your_taskforce", code=", ".join(project.taskforces))
        held = {
            r.taskforce
            for r in await registrations.places_held(tx, person.telegram_id)
            if r.status is RegistrationStatus.ACTIVE
        }
        if not held & set(project.taskforces):
            raise Refused("not_member_of", code=", ".join(project.taskforces))
        await rows.set_author(tx, project_id, person.telegram_id, now)
        await close_prompts(tx, project_id, now, PROMPT)
        await audit.record(tx, now, actor, "project.contact_named", person.telegram_id, None, {"project": project_id})
        await outbox.enqueue(tx, person.telegram_id, CONTACT_NAMED, now, payload=OfProject(project=project_id))
    return person, project


async def remember_prompt(db: Database, project_id: int, chat_id: int, message_id: int) -> None:
    async with db.transaction() as tx:
        await prompts.add_prompt(tx, Asked.ENTRY, project_id, chat_id, message_id)


async def open_review(db: Reader, actor: int, project_id: int, admins: Collection[int]) -> Project:
    """The entry this person may decide on now (checked again when deciding): before a comment is asked."""
    project = await rows.get_project(db, project_id)
    if project is None or project.status is ProjectStatus.DRAFT:
        raise Refused("stale")
    await check_authority(db, actor, project, admins)
    if project.status is not ProjectStatus.REVIEW:
        raise await _already_decided(db, project)
    return project


async def document(db: Reader, actor: int, project_id: int, admins: Collection[int]) -> tuple[str, str]:
    """The file_id and name of an entry's document, for whoever may decide on it: before it is in the catalogue,
    where its readers get it, its reviewers judge it."""
    project = await rows.get_project(db, project_id)
    if project is None or project.status is ProjectStatus.DRAFT or project.document_id is None:
        raise Refused("stale")
    await check_authority(db, actor, project, admins)
    return project.document_id, project.document_name or ""


async def decide(
    db: Database,
    actor: int,
    project_id: int,
    verdict: Verdict,
    comment: str | None,
    rules: ReviewRules,
    now: datetime,
) -> Project:
    """The first decision wins; the author is told (with the comment they answer by editing), the prompts edited."""
    if verdict is not Verdict.ACCEPT and not comment:
        raise Refused("empty")
    async with db.transaction() as tx:
        project = await open_review(tx, actor, project_id, rules.admins)
        await rows.set_status(tx, project_id, STATUS_OF[verdict], now, decided_by=actor, comment=comment)
        await rows.set_reminder_due(tx, project_id, None, 0)
        if verdict is Verdict.ACCEPT:
            await project_catalogue.schedule_progress(tx, project, rules.progress_months, now)
        await audit.record(tx, now, actor, f"project.{verdict.value}", project.author_id, None, {"project": project_id})
        if project.author_id is not None:
            await outbox.enqueue(tx, project.author_id, AUTHOR_TOLD, now, payload=OfProject(project=project_id))
        await close_prompts(tx, project_id, now)
    return project


async def _already_decided(db: Reader, project: Project) -> Refused:
    """Said from the status: a decider who deleted their data since leaves a decision without a name, not a
    withdrawal."""
    if project.status is ProjectStatus.WITHDRAWN:
        return Refused("entry_withdrawn")
    decider = await known_users.known_user(db, project.decided_by) if project.decided_by is not None else None
    return Refused("already_decided", who=decider.full_name if decider else "—", at=project.decided_at or "?")


async def remind(db: Database, admins: Collection[int], now: datetime) -> int:
    """Entries waiting too long: their deciders are reminded, then the admins told."""
    return await waiting_decisions.remind(db, ENTRIES, admins, now)


async def _tell_about(tx: Transaction, chat_id: int, kind: str, project: Project, now: datetime) -> None:
    await outbox.enqueue(tx, chat_id, kind, now, payload=OfProject(project=project.id))


ENTRIES = waiting_decisions.Waiting[Project](
    prompt=PROMPT,
    reminder=REMINDER,
    escalation=ESCALATION,
    due=rows.reviews_due,
    deciders=deciders,
    asker=lambda project: project.author_id,
    tell=_tell_about,
    set_due=rows.set_reminder_due,
)
