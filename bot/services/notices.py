"""What a notification needs to be written, read fresh when it is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.i18n import SUPPORTED, language_for
from bot.models import KnownUser, Lane, Person, Registration, RegistrationStatus, Role
from bot.services.errors import Refused
from bot.storage import facilitators, known_users, outbox, prompts, registrations
from bot.storage import people as people_rows
from bot.storage.database import Database

REPLY = "reply"


@dataclass(frozen=True)
class Application:
    registration: Registration
    applicant: Person
    others: list[Registration]
    decider: KnownUser | None
    moved_from: Registration | None = None  # the Representative place of another region given up to apply

    @property
    def verdict(self) -> str:
        """approved, rejected, not_member, pending, withdrawn (by the applicant, or a demotion) or
        withdrawn_by_admin: what the prompt now shows."""
        registration = self.registration
        if registration.status is RegistrationStatus.PENDING:
            return "pending"
        if registration.status is RegistrationStatus.WITHDRAWN and registration.decided_by is not None:
            return "withdrawn_by_admin"
        if registration.decided_by is None:
            return "withdrawn"
        if registration.status is RegistrationStatus.REJECTED:
            return "rejected"
        return "not_member" if registration.role is Role.MEMBER else "approved"


async def application(db: Database, registration_id: int) -> Application | None:
    """None when the applicant has since deleted their data: nothing is then sent."""
    registration = await registrations.get_registration(db, registration_id)
    if registration is None or registration.person_id is None:
        return None
    applicant = await people_rows.get_person(db, registration.person_id)
    if applicant is None:
        return None
    others = [
        r
        for r in await registrations.registrations_of(db, applicant.telegram_id)
        if r.id != registration.id and r.status.holds_place
    ]
    decider = await known_users.known_user(db, registration.decided_by) if registration.decided_by else None
    moved_from = await registrations.get_registration(db, registration.moved_from) if registration.moved_from else None
    return Application(registration, applicant, others, decider, moved_from)


async def language_of(db: Database, telegram_id: int) -> str:
    """The language to write to someone in: the one they chose, else their Telegram's."""
    known = await known_users.known_user(db, telegram_id)
    if known is not None and known.chosen_language:
        return known.chosen_language
    return language_for(known.language if known else None)


async def chosen_language(db: Database, telegram_id: int) -> str | None:
    known = await known_users.known_user(db, telegram_id)
    return known.chosen_language if known else None


async def choose_language(db: Database, telegram_id: int, full_name: str, language: str, now: datetime) -> None:
    if language not in SUPPORTED:
        raise Refused("stale")
    async with db.transaction() as tx:
        await known_users.choose_language(tx, telegram_id, full_name, language, now)


async def people(db: Database, ids: list[int]) -> list[Person]:
    found = [await people_rows.get_person(db, telegram_id) for telegram_id in ids]
    return [person for person in found if person is not None]


async def remember(
    db: Database, telegram_id: int, username: str | None, full_name: str, language: str | None, now: datetime
) -> None:
    """Record that this person has started the bot, so the bot may write to them."""
    async with db.transaction() as tx:
        await known_users.remember_user(tx, telegram_id, username, full_name, language, now)


async def remember_prompt(db: Database, registration_id: int, chat_id: int, message_id: int) -> None:
    """A message with decision buttons, so that the decision edits it (and every other one)."""
    async with db.transaction() as tx:
        await prompts.add_prompt(tx, registration_id, chat_id, message_id)


async def facilitated_by(db: Database, telegram_id: int) -> list[str]:
    return await facilitators.taskforces_of(db, telegram_id)


async def mark_unreachable(db: Database, telegram_id: int, now: datetime) -> None:
    """Telegram refused to deliver (blocked, deactivated): later bulk sends skip them until they write again."""
    await known_users.mark_unreachable(db, telegram_id, now)


async def queue_reply(db: Database, chat_id: int, text: str, markup: dict[str, Any] | None, now: datetime) -> None:
    """A reply that carries an outcome (registered, deleted…) and could not go now: the sender delivers it first."""
    async with db.transaction() as tx:
        await outbox.enqueue(tx, chat_id, REPLY, now, params={"text": text, "markup": markup}, lane=Lane.REPLY)
