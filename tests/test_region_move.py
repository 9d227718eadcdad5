"""A Regional Representative place is for its own region: a holder who moves to another region is asked
what to do with it, and one region never has two active Representatives (issue 19, point 7)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import Catalogue, Role
from bot.services.accounts import PlaceChoice
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.registrations import active_holder, registrations_of
from bot.views.profile import PlacePress
from tests.harness import ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn, Sent
from tests.test_facilitation import facilitate, people

REPRESENTATIVE = "Regional Representative"


@pytest.fixture
async def running_bot(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> AsyncIterator[RunningBot]:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # scripted people are quick
        yield running


async def apply_for(person: ChatUser, code: str, region: str) -> None:
    """Join `code` as Regional Representative, from the profile's first question, living in `region`."""
    await person.say(f"/join {code}")
    await person.press("Use “")
    await person.say("Soil Institute")
    await person.say("Kenya")
    await person.press(region)
    await person.press("Research and education")
    await person.press("Member")
    await person.press("Skip")
    await person.press(REPRESENTATIVE)
    await person.say("I know this region well.")
    assert "application is sent" in (await person.press("Confirm")).text


async def decide(fran: ChatUser, applicant: ChatUser) -> str:
    """Fran presses Approve on the newest prompt about `applicant`: the alert she gets."""
    prompt = await prompt_about(fran, applicant)
    return await fran.alert(data_of(prompt, "Approve"), prompt.message_id or 0)


async def approved(fran: ChatUser, applicant: ChatUser) -> None:
    """Fran approves; the applicant has been told (so that nothing about it comes later)."""
    marker = len(fran.standin.sent)
    assert "Approved" in await decide(fran, applicant)
    await fran.standin.wait_for(lambda s: s.chat_id == applicant.id and "approved" in s.text, start=marker)


async def prompt_about(fran: ChatUser, applicant: ChatUser, start: int = 0) -> Sent:
    name = applicant.user["first_name"]
    await fran.standin.wait_for(
        lambda s: s.chat_id == fran.id and "Application:" in s.text and name in s.text, start=start
    )
    return next(s for s in reversed(fran.messages) if "Application:" in s.text and name in s.text and s.buttons)


async def move_to(person: ChatUser, region: str) -> Sent:
    """/profile → Region → `region`; the question about the Representative place that follows."""
    marker = len(person.standin.sent)
    await person.say("/profile")
    await person.press("Region")
    saved = await person.press(region)
    assert "Saved: Region" in saved.text and "stays with the region it is for" in saved.text
    return await person.standin.wait_for(
        lambda s: s.chat_id == person.id and f"Your region is now {region}" in s.text, start=marker
    )


def data_of(question: Sent, label: str) -> str:
    return next(data for text, data in question.buttons if label in text)


async def ada_applied_in_europe(standin: BotApiStandIn) -> dict[str, ChatUser]:
    """Fran facilitates C1; Ada has applied to be its Regional Representative for Europe."""
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "C1"))
    await apply_for(p["ada"], "C1", "Europe")
    return p


async def places(running: RunningBot, person: ChatUser) -> list[tuple[str, str, str | None]]:
    assert running.db is not None
    return [(r.role.value, r.status.value, r.region) for r in await registrations_of(running.db, person.id)]


async def test_a_representative_who_moves_keeps_the_place_for_its_region(running_bot: RunningBot) -> None:
    """The issue's scenario: the place stays for Europe everywhere it is shown, so Africa's place is free."""
    standin = running_bot.standin
    p = await ada_applied_in_europe(standin)
    fran, ada, bob = p["fran"], p["ada"], p["bob"]
    await approved(fran, ada)

    question = await move_to(ada, "Africa")
    assert "In Task Force C1 you are the Regional Representative for Europe" in question.text
    assert [label for label, _ in question.buttons] == [
        "Keep it for Europe",
        "Become a Team Member",
        "Apply for Africa",
    ]
    assert "Regional Representative for Europe · active" in (await ada.say("/mytaskforces")).text

    await apply_for(bob, "C1", "Africa")
    prompt = await prompt_about(fran, bob)
    assert "Region: Africa" in prompt.text
    marker = len(standin.sent)
    assert "Approved" in await decide(fran, bob)  # Africa's place was free: Ada's is Europe's
    # Her prompt shows the decision (through the sender) before she asks for the list.
    await standin.wait_for(lambda s: s.chat_id == fran.id and "Approved by" in s.text, start=marker)
    listing = await fran.say("/members C1")
    lines = {line.split("</a>")[0].split(">")[-1]: line for line in listing.text.splitlines() if "</a>" in line}
    assert lines["Ada Lovelace"].endswith(f"{REPRESENTATIVE} · active · Soil Institute · Kenya · Europe")
    assert lines["Bob Builder"].endswith(f"{REPRESENTATIVE} · active · Soil Institute · Kenya · Africa")
    balance = await fran.say("/balance C1")
    assert "<b>Africa</b>" in balance.text and "<b>Europe</b>" in balance.text  # one place counted in each

    taken = await ada.alert(data_of(question, "Apply for Africa"), question.message_id or 0)
    assert "Bob Builder already holds the Regional Representative place of your new region" in taken
    assert await places(running_bot, ada) == [("representative", "active", "Europe")]
    kept = await ada.press_data(data_of(question, "Keep it"), question.message_id or 0)
    assert "stays with Europe" in kept.text and kept.buttons == []
    assert await places(running_bot, ada) == [("representative", "active", "Europe")]


async def test_applying_for_the_new_region_frees_the_old_place_and_one_region_has_one_representative(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p = await ada_applied_in_europe(standin)
    fran, ada, bob = p["fran"], p["ada"], p["bob"]
    await approved(fran, ada)
    await apply_for(bob, "C1", "Africa")  # waits for Fran's decision

    question = await move_to(ada, "Africa")
    marker = len(standin.sent)
    sent = await ada.press("Apply for Africa")
    assert "application as Regional Representative for Africa of Task Force C1 is sent" in sent.text
    assert sorted(await places(running_bot, ada)) == [
        ("representative", "pending", "Africa"),
        ("representative", "withdrawn", "Europe"),
    ]
    prompt = await prompt_about(fran, ada, start=marker)
    assert "Regional Representative for Africa of Task Force" in prompt.text and "Region: Africa" in prompt.text
    assert "Gives up for it: Regional Representative for Europe" in prompt.text
    for label in ("Keep it", "Become a Team Member", "Apply for"):  # the question is answered: inert
        assert "no longer valid" in await ada.alert(data_of(question, label), question.message_id or 0)

    assert "Approved" in await decide(fran, ada)
    assert "Ada Lovelace already holds this place in Task Force C1" in await decide(fran, bob)
    listing = await fran.say("/members C1")
    assert listing.text.count(f"{REPRESENTATIVE} · active") == 1
    assert f"Bob Builder</a> · {REPRESENTATIVE} · awaiting a decision" in listing.text
    assert running_bot.db is not None
    active = await active_holder(running_bot.db, "C1", Role.REPRESENTATIVE, "Africa")
    assert active is not None and active.person_id == ada.id


async def test_giving_up_a_pending_place_and_stale_or_forged_buttons(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = await ada_applied_in_europe(standin)
    fran, ada, bob = p["fran"], p["ada"], p["bob"]
    prompt = await prompt_about(fran, ada)

    first = await move_to(ada, "Africa")
    assert "you applied to be the Regional Representative for Europe" in first.text
    await bob.say("/start")
    for label in ("Keep it", "Become a Team Member", "Apply for"):  # Ada's buttons, pressed by Bob
        assert "no longer valid" in await bob.alert(data_of(first, label))
    kept = PlacePress.unpack(data_of(first, "Keep it"))
    assert kept is not None
    no_such_place = PlacePress(choice=PlaceChoice.MEMBER, registration=kept.registration + 50, region=0)
    assert "no longer valid" in await ada.alert(no_such_place.pack())  # no such place of hers
    no_such_region = PlacePress(choice=PlaceChoice.KEEP, registration=kept.registration, region=99)
    assert "no longer valid" in await ada.alert(no_such_region.pack())
    second = await move_to(ada, "Asia and Pacific")
    assert "no longer valid" in await ada.alert(data_of(first, "Become a Team Member"))  # she left Africa since
    assert await places(running_bot, ada) == [("representative", "pending", "Europe")]

    member = await ada.press_data(data_of(second, "Become a Team Member"), second.message_id or 0)
    assert "You are now a Team Member of Task Force C1" in member.text
    assert await places(running_bot, ada) == [("member", "active", "Europe")]
    closed = await standin.wait_for(lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id)
    assert "now a Team Member" in closed.text and closed.buttons == []
    assert "no longer valid" in await ada.alert(data_of(second, "Apply for"))
    assert "Team Member · active" in (await ada.say("/mytaskforces")).text


async def test_a_pending_application_moved_to_the_new_region_replaces_the_old_one(running_bot: RunningBot) -> None:
    p = await ada_applied_in_europe(running_bot.standin)
    fran, ada = p["fran"], p["ada"]
    question = await move_to(ada, "Africa")
    marker = len(ada.standin.sent)
    applied = await ada.press_data(data_of(question, "Apply for"), question.message_id or 0)
    assert "in place of your application for Europe" in applied.text and "you stay" not in applied.text
    assert sorted(await places(running_bot, ada)) == [
        ("representative", "pending", "Africa"),
        ("representative", "withdrawn", "Europe"),
    ]
    prompt = await ada.standin.wait_for(
        lambda s: s.chat_id == fran.id and "Application: Regional Representative for Africa" in s.text, start=marker
    )
    assert "Region: Africa" in prompt.text and prompt.buttons


async def test_a_refused_move_leaves_a_team_member(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = await ada_applied_in_europe(standin)
    fran, ada = p["fran"], p["ada"]
    await approved(fran, ada)
    await move_to(ada, "Africa")
    marker = len(standin.sent)
    await ada.press("Apply for Africa")
    prompt = await prompt_about(fran, ada, start=marker)
    assert "Why is it rejected?" in (await fran.press_data(data_of(prompt, "Reject"), prompt.message_id or 0)).text
    await fran.press("Skip")
    told = await standin.wait_for(lambda s: s.chat_id == ada.id and "not accepted" in s.text, start=marker)
    assert "You stay in the Task Force as a Team Member" in told.text and told.buttons == []
    assert sorted(await places(running_bot, ada)) == [
        ("member", "active", None),
        ("representative", "rejected", "Africa"),
        ("representative", "withdrawn", "Europe"),
    ]


async def test_a_region_changed_on_the_join_summary_asks_too(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = await ada_applied_in_europe(standin)
    ada = p["ada"]
    await ada.say("/join D2")
    await ada.press("Team Member")
    await ada.press("Edit profile")
    await ada.press("Region: Europe")
    await ada.press("Africa")
    marker = len(standin.sent)
    assert "you are registered" in (await ada.press("Confirm")).text
    question = await standin.wait_for(
        lambda s: s.chat_id == ada.id and "Your region is now Africa" in s.text, start=marker
    )
    assert "applied to be the Regional Representative for Europe" in question.text


async def test_the_migration_leaves_one_representative_per_region_and_asks_who_moved(tmp_path: Path) -> None:
    """Rows as an older release could leave them: places without a region, a place whose holder moved."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # the schema before migration 10
        for script in MIGRATIONS[:9]:
            old.executescript(script)
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        old.execute("INSERT INTO schema_version VALUES (9)")
        for person, region in ((1, "Africa"), (2, "Africa"), (3, "Europe")):
            old.execute(
                "INSERT INTO people VALUES (?, 'P', 'Org', 'Kenya', ?, 'Research and education', 'member', NULL,"
                " 'en', '2026-01-01', '2026-01-01', 1, 1)",
                (person, region),
            )
        for person, region in ((1, None), (2, None), (3, "Asia and Pacific")):  # 3 moved; the place stays Asia's
            old.execute(
                "INSERT INTO registrations (person_id, taskforce, role, status, region, decided_at, created_at,"
                " updated_at) VALUES (?, 'C1', 'representative', 'active', ?, ?, '2026-01-01', '2026-01-01')",
                (person, region, f"2026-01-0{person + 1}"),
            )

    database = await Database.open(path)
    try:
        rows = await database.fetchall("SELECT person_id, role, region FROM registrations ORDER BY person_id")
        assert [tuple(row) for row in rows] == [
            (1, "representative", "Africa"),  # the first approved keeps the place
            (2, "member", None),
            (3, "representative", "Asia and Pacific"),
        ]
        demoted = await database.fetchall("SELECT subject_id FROM audit_log WHERE action = 'registration.demoted'")
        assert [row[0] for row in demoted] == [2]
        asked = await database.fetchall("SELECT chat_id, kind, params FROM outbox")
        assert [tuple(row) for row in asked] == [(3, "place_region", '{"region":"Europe"}')]
        with pytest.raises(sqlite3.IntegrityError, match="needs its region"):
            async with database.transaction() as tx:
                await tx.execute("UPDATE registrations SET role = 'representative' WHERE person_id = 2")
        with pytest.raises(sqlite3.IntegrityError):  # and the unique index holds for the region filled in
            async with database.transaction() as tx:
                await tx.execute(
                    "UPDATE registrations SET role = 'representative', region = 'Africa' WHERE person_id = 2"
                )
    finally:
        await database.close()
