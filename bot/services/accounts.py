"""A person's own data: profile edits, leaving a task force, forgetting everything."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.models import Catalogue, EndedBy, KnownUser, Person, Profile, Registration, RegistrationStatus, Role
from bot.services import facilitation, groups, project_catalogue, project_review
from bot.services.errors import Refused
from bot.services.fields import ProfileField, chosen_value, may_lead, typed_value
from bot.storage import announcements, audit, facilitators, known_users, membership, outbox, people, prompts, reminders
from bot.storage import delphi as delphi_rows
from bot.storage import groups as group_rows
from bot.storage import registrations as registration_rows
from bot.storage.database import Database, Transaction
from bot.storage.groups import GroupLink
from bot.storage.prompts import Asked


async def person(db: Database, telegram_id: int) -> Person | None:
    return await people.get_person(db, telegram_id)


async def registrations(db: Database, telegram_id: int) -> list[Registration]:
    return await registration_rows.registrations_of(db, telegram_id)


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
    held = {r.taskforce: r for r in await registration_rows.places_held(db, telegram_id)}
    return [
        TaskforceCard(
            held[code],
            [user for _, user in await facilitators.assigned(db, code)],
            await membership.active_members_by_region(db, code),
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


@dataclass(frozen=True)
class FieldSaved:
    """What a profile edit changed besides the field."""

    demoted: list[str] = field(default_factory=list)  # task forces where the role fell back to Team Member
    asked: list[str] = field(default_factory=list)  # Representative places of another region: a question each


async def update_field(
    db: Database,
    telegram_id: int,
    field: ProfileField,
    answer: str,
    catalogue: Catalogue,
    now: datetime,
    *,
    typed: bool,
) -> FieldSaved:
    """Change one profile field.

    Leaving the members and partners of "4 per 1000" ends any leadership role or
    application, since those roles are reserved for them. Moving to another region asks
    what to do with each Representative place, which stays with the region it is for.
    """
    if typed != field.typed:
        raise Refused("use_buttons" if field.typed is False else "stale")
    value = typed_value(field, answer) if typed else chosen_value(field, answer, catalogue)
    async with db.transaction() as tx:
        before = await people.get_person(tx, telegram_id)
        profile = await _set_field(tx, telegram_id, field, value, now)
        if not may_lead(profile, catalogue):
            return FieldSaved(demoted=await facilitation.demote_everywhere(tx, telegram_id, telegram_id, now))
        if field is ProfileField.REGION and before is not None and value is not None and value != before.region:
            return FieldSaved(asked=await facilitation.ask_about_places(tx, telegram_id, value, now))
        return FieldSaved()


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
    current = await people.get_person(tx, telegram_id)
    if current is None:
        raise Refused("no_profile")
    profile = current.as_profile()
    setattr(profile, field.value, value)
    await people.save_person(tx, telegram_id, profile, now)
    action = "profile.updated" if value is not None else "profile.cleared"
    await audit.record(tx, now, telegram_id, action, telegram_id, None, {"field": field.value})
    return profile


async def set_listing(db: Database, telegram_id: int, listed: bool, now: datetime) -> None:
    """The person's consent to be listed by name and organisation on the public site (as a Global Leader or a
    Regional Representative), given or taken back; taken back, the very next page leaves the name out (a removal,
    web/cache.py)."""
    async with db.transaction() as tx:
        if not await people.set_listed(tx, telegram_id, listed, now):
            raise Refused("no_profile")
        action = "profile.listed" if listed else "profile.unlisted"
        await audit.record(tx, now, telegram_id, action, telegram_id)


class PlaceChoice(StrEnum):
    """What to do with a Representative place whose holder moved to another region."""

    KEEP = "k"  # it stays theirs, for the region it is for
    MEMBER = "t"  # given up: a Team Member of the task force
    APPLY = "a"  # given up for an application for the new region's place


@dataclass(frozen=True)
class PlaceQuestion:
    place: Registration  # as it is when asked (or chosen for)
    region: str  # the holder's region now, which the place is not for


async def place_question(db: Database, registration_id: int, region: str, catalogue: Catalogue) -> PlaceQuestion | None:
    """The question queued when the region changed, if it still applies when it goes."""
    place = await registration_rows.get_registration(db, registration_id)
    person = await people.get_person(db, place.person_id) if place and place.person_id else None
    if place is None or not _still_asks(place, person, region, catalogue):
        return None
    return PlaceQuestion(place, region)


def _still_asks(place: Registration, person: Person | None, region: str, catalogue: Catalogue) -> bool:
    """A held Representative place of another region than its holder's, who is still in `region`."""
    return (
        person is not None
        and place.person_id == person.telegram_id
        and person.region == region
        and region in catalogue.region_names
        and place.role is Role.REPRESENTATIVE
        and place.status.holds_place
        and place.region != region
    )


async def choose_for_place(
    db: Database,
    telegram_id: int,
    registration_id: int,
    region_choice: str,
    choice: PlaceChoice,
    catalogue: Catalogue,
    admins: Collection[int],
    patience: timedelta,
    now: datetime,
) -> PlaceQuestion:
    """The holder's answer to a place question, re-checked in the transaction that applies it: a button
    of someone else's question, of a place given up since, or of a region they have left since, is stale.

    Applying for the new region gives the old place up at once (it frees that region's place) and
    waits for the facilitators like any application; refused, someone who held the old place stays a
    Team Member (an application for the old region, given up, was no place yet).
    """
    region = chosen_value(ProfileField.REGION, region_choice, catalogue)
    async with db.transaction() as tx:
        place = await registration_rows.get_registration(tx, registration_id)
        person = await people.get_person(tx, telegram_id)
        if place is None or person is None or not _still_asks(place, person, region, catalogue):
            raise Refused("stale")
        code = place.taskforce
        if choice is PlaceChoice.KEEP:
            await audit.record(tx, now, telegram_id, "registration.region_kept", telegram_id, code)
        elif choice is PlaceChoice.MEMBER:
            await facilitation.demote(tx, place, telegram_id, now)
        else:
            if not may_lead(person.as_profile(), catalogue):
                raise Refused("role_reserved")
            holder = await registration_rows.active_holder(tx, code, Role.REPRESENTATIVE, region)
            if holder is not None:
                named = await people.get_person(tx, holder.person_id) if holder.person_id else None
                raise Refused("region_taken", holder=named.name if named else "—", code=code)
            await registration_rows.end_registration(tx, place.id, EndedBy.PERSON, now)
            if place.status is RegistrationStatus.PENDING:
                await facilitation.close_prompts(tx, place.id, "prompt_decided", now)
            # Given up, an active place is remembered: its holder stays in the task force whatever is decided.
            moved_from = place.id if place.status is RegistrationStatus.ACTIVE else None
            applied = await registration_rows.add_registration(
                tx, telegram_id, code, Role.REPRESENTATIVE, RegistrationStatus.PENDING, region, place.motivation, now,
                moved_from=moved_from,
            )  # fmt: skip
            await facilitation.announce(tx, applied, admins, now, patience)
            await audit.record(tx, now, telegram_id, "registration.moved", telegram_id, code, {"from": place.id})
    return PlaceQuestion(place, region)


async def leave(db: Database, telegram_id: int, code: str, now: datetime) -> Registration:
    """Withdraw from one task force (active or pending alike)."""
    async with db.transaction() as tx:
        held = next((r for r in await registration_rows.places_held(tx, telegram_id) if r.taskforce == code), None)
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
        for held in await registration_rows.places_held(tx, telegram_id):
            await registration_rows.end_registration(tx, held.id, EndedBy.PERSON, now)
            if held.status is RegistrationStatus.PENDING:
                await facilitation.close_prompts(tx, held.id, "prompt_forgotten", now)
            await groups.queue_removal(tx, held.taskforce, telegram_id, now)
        await people.delete_person(tx, telegram_id)
        await reminders.delete_reminders(tx, telegram_id)
        await known_users.forget_user(tx, telegram_id)
        await facilitators.forget_facilitator(tx, telegram_id)
        await prompts.forget_prompts(tx, Asked.APPLICATION, telegram_id)
        await outbox.forget_chat(tx, telegram_id, still_acting=groups.ACTION_KIND)  # after queue_removal
        await announcements.forget_author(tx, telegram_id, now)
        await group_rows.forget_user(tx, telegram_id)
        await delphi_rows.forget_person(tx, telegram_id)
        await project_review.forget_author(tx, telegram_id, now)
        await project_catalogue.forget_contributor(tx, telegram_id)
        await audit.anonymise(tx, telegram_id)
        await audit.record(tx, now, None, "person.forgotten")
    await db.checkpoint()
