"""What a notice about an application shows (a prompt, a decision, a withdrawal), read fresh when it
is sent: the outbox row holds only the registration's id, so a notice never shows a stale state."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import EndedBy, KnownUser, Person, Registration, RegistrationStatus
from bot.storage import known_users, people, registrations
from bot.storage.database import Database


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
        if registration.ended_by is EndedBy.SECRETARIAT:
            return "withdrawn_by_admin"
        decided = {"approve": "approved", "reject": "rejected", "not_member": "not_member"}
        return decided.get(registration.verdict or "", "withdrawn")


async def application(db: Database, registration_id: int) -> Application | None:
    """None when the applicant has since deleted their data: nothing is then sent."""
    registration = await registrations.get_registration(db, registration_id)
    if registration is None or registration.person_id is None:
        return None
    applicant = await people.get_person(db, registration.person_id)
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
