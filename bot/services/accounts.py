"""A person's own data: profile edits, leaving a task force, forgetting everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import Catalogue, KnownUser, Person, Profile, Registration, RegistrationStatus
from bot.services import facilitation, groups
from bot.services.errors import Refused
from bot.services.fields import ProfileField, chosen_value, may_lead, typed_value
from bot.storage import broadcasts, outbox, teams
from bot.storage import delphi as delphi_rows
from bot.storage import groups as group_rows
from bot.storage import repositories as repo
from bot.storage.database import Database, Transaction
from bot.storage.groups import GroupLink


async def person(db: Database, telegram_id: int) -> Person | None:
    return await repo.get_person(db, telegram_id)


async def registrations(db: Database, telegram_id: int) -> list[Registration]:
    return await repo.registrations_of(db, telegram_id)


@dataclass(frozen=True)
class TaskforceCard:
    """What a member sees of a task force they are in: their place, who guides it, who is in it."""

    registration: Registration
    facilitators: list[KnownUser]
    regions: list[tuple[str, int]]  # active members per region, the largest first
    group: GroupLink | None = None  # its group chat, for members who may enter it

    @property
    def members(self) -> int:
        return sum(count for _, count in self.regions)


async def taskforce_cards(db: Database, telegram_id: int, codes: list[str]) -> list[TaskforceCard]:
    """The cards of those of `codes` the person holds a place in (others are not theirs to see)."""
    held = {r.taskforce: r for r in await repo.places_held(db, telegram_id)}
    return [
        TaskforceCard(
            held[code],
            [user for _, user in await teams.facilitators(db, code)],
            await repo.active_members_by_region(db, code),
            await _group_for(db, held[code]),
        )
        for code in codes
        if code in held
    ]


async def _group_for(db: Database, registration: Registration) -> GroupLink | None:
    """The group is shown to those it lets in: active members, while the link works."""
    if registration.status is not RegistrationStatus.ACTIVE:
        return None
    found = await group_rows.of_taskforce(db, registration.taskforce)
    return found if found is not None and found.working else None


async def update_field(
    db: Database,
    telegram_id: int,
    field: ProfileField,
    answer: str,
    catalogue: Catalogue,
    now: datetime,
    *,
    typed: bool,
) -> list[str]:
    """Change one profile field; returns the task forces whose role fell back to Team Member.

    Leaving the members and partners of "4 per 1000" ends any leadership role or
    application, since those roles are reserved for them.
    """
    if typed != field.typed:
        raise Refused("use_buttons" if field.typed is False else "stale")
    value = typed_value(field, answer) if typed else chosen_value(field, answer, catalogue)
    async with db.transaction() as tx:
        profile = await _set_field(tx, telegram_id, field, value, now)
        if may_lead(profile, catalogue):
            return []
        return await facilitation.demote_everywhere(tx, telegram_id, telegram_id, now)


async def clear_field(db: Database, telegram_id: int, field: ProfileField, now: datetime) -> None:
    """Empty an optional field (the e-mail): given once, it need not stay for good."""
    if not field.optional:
        raise Refused("stale")
    async with db.transaction() as tx:
        await _set_field(tx, telegram_id, field, None, now)


async def _set_field(
    tx: Transaction, telegram_id: int, field: ProfileField, value: str | None, now: datetime
) -> Profile:
    """One field of the stored profile changed and audited; the profile as it is now."""
    current = await repo.get_person(tx, telegram_id)
    if current is None:
        raise Refused("no_profile")
    profile = current.as_profile()
    setattr(profile, field.value, value)
    await repo.save_person(tx, telegram_id, profile, current.language, now)
    action = "profile.updated" if value is not None else "profile.cleared"
    await repo.audit(tx, now, telegram_id, action, telegram_id, None, {"field": field.value})
    return profile


async def leave(db: Database, telegram_id: int, code: str, now: datetime) -> Registration:
    """Withdraw from one task force (active or pending alike)."""
    async with db.transaction() as tx:
        held = next((r for r in await repo.places_held(tx, telegram_id) if r.taskforce == code), None)
        if held is None:
            raise Refused("not_registered", code=code)
        await facilitation.end_registration(tx, held, telegram_id, now)
    return held


async def forget(db: Database, telegram_id: int, now: datetime) -> None:
    """Delete the person: registrations withdrawn, history kept without who it was.

    Nothing that identifies the person, or that they wrote, or that was written about
    them, stays in any table: registrations remain as anonymous counts (no person,
    motivation or reason), decisions they made lose who made them, the audit keeps
    what happened without who. Facilitators' prompts about a pending application
    showed the person's profile and motivation; they are edited to say only that the
    data was deleted. Deleted pages are overwritten and the WAL emptied.
    """
    async with db.transaction() as tx:
        for held in await repo.places_held(tx, telegram_id):
            await repo.set_registration_status(tx, held.id, RegistrationStatus.WITHDRAWN, now)
            if held.status is RegistrationStatus.PENDING:
                await facilitation.close_prompts(tx, held.id, "prompt_forgotten", now)
            await groups.queue_removal(tx, held.taskforce, telegram_id, now)
        await repo.delete_person(tx, telegram_id)
        await repo.delete_reminders(tx, telegram_id)
        await teams.forget_user(tx, telegram_id)
        await outbox.forget_chat(tx, telegram_id, still_acting=groups.ACTION_KIND)  # after queue_removal
        await broadcasts.forget_author(tx, telegram_id, now)
        await group_rows.forget_user(tx, telegram_id)
        await delphi_rows.forget_person(tx, telegram_id)
        await repo.anonymise_audit(tx, telegram_id)
        await repo.audit(tx, now, None, "person.forgotten")
    await db.checkpoint()
