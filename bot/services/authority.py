"""Who may do what: the Secretariat (the configured admins) and each task force's facilitators.

Every state change re-checks who acts, in the database and inside its transaction when it
has one, rather than trusting what a button or a menu offered: a forged, replayed or stale
button, or a facilitator unassigned meanwhile, changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from enum import StrEnum

from bot.models import Catalogue, Registration
from bot.services.errors import Refused
from bot.storage import facilitators
from bot.storage.database import Database, Transaction

log = logging.getLogger("bot.authority")


def require_admin(actor: int, admins: Collection[int]) -> None:
    """Only the configured admins administer; anyone else is refused, changing nothing, and logged."""
    if actor not in admins:
        log.warning("an admin action was refused to a non-admin")
        log.debug("… to user %s", actor)
        raise Refused("admins_only")


async def may_oversee(db: Database | Transaction, actor: int, code: str, admins: Collection[int]) -> bool:
    """Facilitators of this task force and admins see its members and decide its applications."""
    return actor in admins or code in await facilitators.taskforces_of(db, actor)


async def check_authority(
    db: Database | Transaction, actor: int, registration: Registration, admins: Collection[int]
) -> None:
    if registration.person_id == actor:
        raise Refused("own_application")
    if actor not in admins and registration.taskforce not in await facilitators.taskforces_of(db, actor):
        log.warning("a decision on registration %s was refused: no authority", registration.id)
        log.debug("… to user %s", actor)
        raise Refused("not_your_taskforce", code=registration.taskforce)


class Decider(StrEnum):
    """Who decides a task force's applications, as the applicant is told: its facilitators, or the Secretariat
    while it has none (but the applicant)."""

    FACILITATORS = "facilitators"
    SECRETARIAT = "secretariat"


async def deciders(db: Database | Transaction, code: str, admins: Collection[int], applicant: int | None) -> list[int]:
    """Who decides an application: the task force's facilitators other than the applicant;
    with none, the admins, so nothing waits unseen."""
    facilitating = await _facilitating(db, code, applicant)
    return facilitating or [admin for admin in sorted(admins) if admin != applicant]


async def decider(db: Database | Transaction, code: str, applicant: int) -> Decider:
    """Which of the two `deciders` finds, for the applicant's confirmation."""
    return Decider.FACILITATORS if await _facilitating(db, code, applicant) else Decider.SECRETARIAT


async def _facilitating(db: Database | Transaction, code: str, applicant: int | None) -> list[int]:
    return [user.telegram_id for _, user in await facilitators.assigned(db, code) if user.telegram_id != applicant]


async def members_allowed(db: Database, actor: int, code: str, catalogue: Catalogue, admins: Collection[int]) -> None:
    """A task force's members are for its facilitators and the Secretariat only."""
    if catalogue.objective(code) is None:
        raise Refused("unknown_code", code=code)
    if not await may_oversee(db, actor, code, admins):
        log.warning("the members of %s were refused: no authority", code)
        log.debug("… to user %s", actor)
        raise Refused("not_your_taskforce", code=code)


async def oversight(db: Database, actor: int, admins: Collection[int]) -> list[str] | None:
    """What the actor oversees: None for the Secretariat (everything), else their task forces."""
    if actor in admins:
        return None
    codes = await facilitators.taskforces_of(db, actor)
    if not codes:
        log.warning("an overview was refused: neither admin nor facilitator")
        raise Refused("not_a_facilitator")
    return codes


async def roles_of(db: Database, actor: int, admins: Collection[int]) -> tuple[bool, bool]:
    """(facilitates something, is an admin): what /help and the command menu offer."""
    return bool(await facilitators.taskforces_of(db, actor)), actor in admins
