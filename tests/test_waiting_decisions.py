"""One mechanism reminds the deciders of an application and of a catalogue entry, then tells the admins: the same
timeline for both, on a real SQLite file. The end-to-end tests (test_facilitation.py, test_projects.py) show the
texts; these pin the counts, who gets what, and that it ends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Catalogue, RegistrationStatus, Role
from bot.project_models import ProjectStatus
from bot.services import facilitation, project_review
from bot.storage import known_users
from bot.storage import projects as project_rows
from bot.storage.database import Database
from bot.storage.people import save_person
from bot.storage.registrations import add_registration
from tests.harness import FULL_PROFILE

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ADMIN, FRAN, ADA = 1, 2, 3
ADMINS = frozenset({ADMIN, ADA})  # Ada asks and is an admin too: never told of her own
PATIENCE = timedelta(hours=48)


@dataclass(frozen=True)
class Kind:
    """One thing that waits for a decision, made to wait and decided through its own feature's service."""

    prompt: str
    reminder: str
    escalation: str
    submit: Callable[[Database], Awaitable[int]]
    decide: Callable[[Database, int, datetime], Awaitable[object]]
    remind: Callable[[Database, datetime], Awaitable[int]]


async def apply(db: Database) -> int:
    async with db.transaction() as tx:
        await save_person(tx, ADA, FULL_PROFILE, NOW)
        registration = await add_registration(tx, ADA, "B3", Role.LEADER, RegistrationStatus.PENDING, None, "x", NOW)
        await facilitation.announce(tx, registration, ADMINS, NOW, PATIENCE)
    return registration


async def describe(db: Database) -> int:
    async with db.transaction() as tx:
        entry = await project_rows.create(tx, ADA, NOW)
        await project_rows.set_taskforces(tx, entry, ["B3"])
        await project_rows.set_status(tx, entry, ProjectStatus.REVIEW, NOW, submitted=True)
        project = await project_rows.get_project(tx, entry)
        assert project is not None
        await project_review.announce(tx, project, project_review.ReviewRules(ADMINS, PATIENCE), NOW)
    return entry


APPLICATION = Kind(
    "approval_prompt",
    "decision_reminder",
    "decision_escalation",
    apply,
    lambda db, i, now: facilitation.decide(db, FRAN, i, facilitation.Verdict.APPROVE, None, ADMINS, now),
    lambda db, now: facilitation.remind_pending(db, ADMINS, now),
)
ENTRY = Kind(
    project_review.PROMPT,
    project_review.REMINDER,
    project_review.ESCALATION,
    describe,
    lambda db, i, now: project_review.decide(
        db, FRAN, i, project_review.Verdict.ACCEPT, None, project_review.ReviewRules(ADMINS, PATIENCE), now
    ),
    lambda db, now: project_review.remind(db, ADMINS, now),
)
KINDS = pytest.mark.parametrize("kind", [APPLICATION, ENTRY], ids=["application", "entry"])


@pytest.fixture
async def world(db: Database, catalogue: Catalogue) -> Database:
    """Fran facilitates B3, where Ada asks for a decision."""
    async with db.transaction() as tx:
        for person, name in ((ADMIN, "Admin"), (FRAN, "Fran"), (ADA, "Ada Lovelace")):
            await known_users.remember_user(tx, person, name.lower(), name, "en", NOW)
    await facilitation.assign(db, ADMIN, str(FRAN), "B3", catalogue, ADMINS, NOW)
    return db


async def sent(db: Database, kind: str) -> list[int]:
    rows = await db.fetchall("SELECT chat_id FROM outbox WHERE kind = ? ORDER BY id", (kind,))
    return [int(row["chat_id"]) for row in rows]


@KINDS
async def test_the_deciders_are_reminded_daily_three_times_then_the_admins_once(world: Database, kind: Kind) -> None:
    await kind.submit(world)
    assert await sent(world, kind.prompt) == [FRAN]
    assert await kind.remind(world, NOW + PATIENCE - timedelta(minutes=1)) == 0
    for day in range(3):
        moment = NOW + PATIENCE + timedelta(days=day)
        assert await kind.remind(world, moment) == 1
        assert await kind.remind(world, moment) == 0  # a second tick at the same moment repeats nothing
    assert await sent(world, kind.reminder) == [FRAN, FRAN, FRAN]
    assert await sent(world, kind.escalation) == []
    assert await kind.remind(world, NOW + PATIENCE + timedelta(days=3)) == 1
    assert await sent(world, kind.escalation) == [ADMIN]  # not Ada, who asked, although she is an admin
    assert await kind.remind(world, NOW + timedelta(days=60)) == 0
    assert await sent(world, kind.reminder) == [FRAN, FRAN, FRAN]


@KINDS
async def test_a_decision_ends_the_reminders(world: Database, kind: Kind) -> None:
    waiting = await kind.submit(world)
    assert await kind.remind(world, NOW + PATIENCE) == 1
    await kind.decide(world, waiting, NOW + PATIENCE + timedelta(hours=1))
    assert await kind.remind(world, NOW + timedelta(days=60)) == 0
    assert await sent(world, kind.reminder) == [FRAN]
    assert await sent(world, kind.escalation) == []
