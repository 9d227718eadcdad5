"""Authority lives in the services: every refusal, on a real SQLite file, changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import facilitation, joining
from bot.services.errors import Refused
from bot.services.facilitation import Verdict
from bot.storage import known_users
from bot.storage.database import Database
from bot.storage.people import save_person
from bot.storage.registrations import add_registration
from tests.harness import FULL_PROFILE

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ADMIN, FRAN, ADA, MALLORY = 1, 2, 3, 4
ADMINS = frozenset({ADMIN})


@pytest.fixture
async def world(db: Database, catalogue: Catalogue) -> int:
    """Fran facilitates B3; Ada applies to lead B3. Returns Ada's registration id."""
    async with db.transaction() as tx:
        for person, name in ((ADMIN, "Admin"), (FRAN, "Fran"), (ADA, "Ada Lovelace"), (MALLORY, "Mallory")):
            await known_users.remember_user(tx, person, name.lower(), name, "en", NOW)
        await save_person(tx, ADA, FULL_PROFILE, NOW)
        registration = await add_registration(tx, ADA, "B3", Role.LEADER, RegistrationStatus.PENDING, None, "x", NOW)
    await facilitation.assign(db, ADMIN, str(FRAN), "B3", catalogue, ADMINS, NOW)
    return registration


async def state(db: Database) -> tuple[object, ...]:
    """Everything a refusal must leave as it was."""
    tables = ("facilitators", "registrations", "outbox", "audit_log")
    return tuple([[tuple(row) for row in await db.fetchall(f"SELECT * FROM {table}")] for table in tables])


@pytest.mark.parametrize(
    "attempt",
    [
        lambda db, cat: facilitation.assign(db, MALLORY, str(MALLORY), "B3", cat, ADMINS, NOW),
        lambda db, cat: facilitation.unassign(db, FRAN, str(FRAN), "B3", ADMINS, NOW),
        lambda db, cat: facilitation.withdrawal(db, FRAN, str(ADA), "B3", ADMINS),
        lambda db, cat: facilitation.withdraw(db, FRAN, 1, None, ADMINS, NOW),  # Ada's registration: the first
        lambda db, cat: facilitation.facilitator_list(db, MALLORY, None, ADMINS),
    ],
    ids=["assign", "unassign", "withdraw", "withdraw-confirmed", "list"],
)
async def test_admin_actions_refuse_everyone_else(db: Database, catalogue: Catalogue, world: int, attempt) -> None:  # type: ignore[no-untyped-def]
    before = await state(db)
    with pytest.raises(Refused) as refused:
        await attempt(db, catalogue)
    assert refused.value.reason == "admins_only"
    assert await state(db) == before


@pytest.mark.parametrize(
    ("actor", "reason"),
    [(MALLORY, "not_your_taskforce"), (ADA, "own_application")],
)
async def test_only_its_facilitators_and_admins_decide_an_application(
    db: Database, world: int, actor: int, reason: str
) -> None:
    before = await state(db)
    with pytest.raises(Refused) as refused:
        await facilitation.decide(db, actor, world, Verdict.APPROVE, None, ADMINS, NOW)
    assert refused.value.reason == reason
    assert await state(db) == before


async def test_a_facilitator_of_another_task_force_cannot_decide(
    db: Database, catalogue: Catalogue, world: int
) -> None:
    await facilitation.assign(db, ADMIN, str(MALLORY), "A1", catalogue, ADMINS, NOW)
    with pytest.raises(Refused, match="not_your_taskforce"):
        await facilitation.open_application(db, MALLORY, world, ADMINS)
    with pytest.raises(Refused, match="not_your_taskforce"):
        await facilitation.members(db, MALLORY, "B3", catalogue, ADMINS)
    with pytest.raises(Refused, match="not_your_taskforce"):
        await facilitation.balance(db, MALLORY, "B3", catalogue, ADMINS)


async def test_a_decided_application_cannot_be_decided_again(db: Database, world: int) -> None:
    await facilitation.decide(db, FRAN, world, Verdict.APPROVE, None, ADMINS, NOW)
    before = await state(db)
    with pytest.raises(Refused, match="already_decided"):
        await facilitation.decide(db, ADMIN, world, Verdict.REJECT, "no", ADMINS, NOW)
    assert await state(db) == before


async def test_admin_actions_refuse_what_does_not_exist(db: Database, catalogue: Catalogue, world: int) -> None:
    with pytest.raises(Refused, match="unknown_code"):
        await facilitation.assign(db, ADMIN, str(FRAN), "Z9", catalogue, ADMINS, NOW)
    with pytest.raises(Refused, match="not_started"):
        await facilitation.assign(db, ADMIN, "@nobody", "B3", catalogue, ADMINS, NOW)
    with pytest.raises(Refused, match="not_facilitator_of"):
        await facilitation.unassign(db, ADMIN, str(ADA), "B3", ADMINS, NOW)
    with pytest.raises(Refused, match="not_registered_other"):
        await facilitation.withdrawal(db, ADMIN, str(FRAN), "B3", ADMINS)
    with pytest.raises(Refused, match="stale"):
        await facilitation.withdraw(db, ADMIN, world + 1000, None, ADMINS, NOW)


def test_the_cap_is_one_rule() -> None:
    joining.check_cap(held=3, selected=1, cap=5, adding=1)
    with pytest.raises(Refused) as refused:
        joining.check_cap(held=1, selected=4, cap=5, adding=1)
    assert refused.value.params == {"cap": 5, "held": 1, "selected": 4}
