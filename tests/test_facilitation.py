"""End to end: facilitators are assigned, decide applications, guide members, see the balance."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.models import Catalogue, EndedBy, RegistrationStatus, Role
from bot.storage.database import Database
from bot.storage.membership import Member
from bot.storage.migrations import MIGRATIONS
from bot.storage.people import get_person, save_person
from bot.storage.registrations import add_registration, registrations_of
from bot.views import facilitation as views
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, audit_rows, bot_with, seed
from tests.standin import BotApiStandIn, Sent, callback_update, message_update
from tests.test_join_flow import fill_profile
from tests.test_reports import documents, table_of


def people(standin: BotApiStandIn) -> dict[str, ChatUser]:
    return {
        "admin": ChatUser(standin, ADMIN_ID, first_name="Sec", last_name="Retariat"),
        "fran": ChatUser(standin, 2001, first_name="Fran", last_name="Facil"),
        "gus": ChatUser(standin, 2002, first_name="Gus", last_name="Guide"),
        "ada": ChatUser(standin, 1001, first_name="Ada", last_name="Lovelace"),
        "bob": ChatUser(standin, 1002, first_name="Bob", last_name="Builder"),
    }


async def facilitate(admin: ChatUser, *who_codes: tuple[ChatUser, str]) -> None:
    """Each assignment, and what the facilitator is told of it: a welcome the first time, a line after."""
    for person, code in who_codes:
        await person.say("/start")
        marker = len(admin.standin.sent)
        answer = await admin.say(f"/facilitator {person.id} {code}")
        assert "now facilitates" in answer.text
        await admin.standin.wait_for(
            lambda s, p=person: s.chat_id == p.id and ("now a facilitator" in s.text or "now also" in s.text),
            start=marker,
        )


async def apply(person: ChatUser, code: str, role: str = "Global Leader", member: str = "Member") -> None:
    await person.say(f"/join {code}")
    await fill_profile(person, member=member)
    await person.press(role)
    if role != "Team Member":
        await person.say("I know this field well.")
    await person.press("Confirm")


async def prompt_for(person: ChatUser, standin: BotApiStandIn) -> Sent:
    return await standin.wait_for(lambda s: s.chat_id == person.id and "Application:" in s.text)


async def ada_applies_to_fran(p: dict[str, ChatUser], code: str, role: str = "Global Leader") -> Sent:
    """Fran facilitates `code`, Ada applies there; the prompt Fran gets."""
    await facilitate(p["admin"], (p["fran"], code))
    await apply(p["ada"], code, role=role)
    return await prompt_for(p["fran"], p["fran"].standin)


async def test_assignment_is_for_admins_and_needs_a_started_bot(running_bot: RunningBot) -> None:
    p = people(running_bot.standin)
    refused = await p["fran"].say("/facilitator 2002 B3")
    assert "for the Executive Secretariat" in refused.text
    not_started = await p["admin"].say("/facilitator @gusguide B3")
    assert "has not started this bot" in not_started.text
    await facilitate(p["admin"], (p["gus"], "B3"))
    welcome = await running_bot.standin.wait_for(lambda s: s.chat_id == p["gus"].id and "now a facilitator" in s.text)
    assert "B3" in welcome.text and "/pending" in welcome.text
    listing = await p["admin"].say("/facilitators")
    assert "B3" in listing.text and "Gus Guide" in listing.text
    assert {"pending", "members", "balance"} <= set(running_bot.standin.menu(p["gus"].id))
    assert "/pending" in (await p["gus"].say("/help")).text
    assert "facilitator" in running_bot.standin.menu(ADMIN_ID) and "pending" not in running_bot.standin.menu()
    removed = await p["admin"].say(f"/facilitator remove {p['gus'].id} B3")
    assert "no longer facilitates B3" in removed.text
    assert "pending" not in running_bot.standin.menu(p["gus"].id)
    assert "/pending" not in (await p["gus"].say("/help")).text


async def test_a_facilitator_assigned_twice_is_welcomed_once(running_bot: RunningBot) -> None:
    """Issue 23: two assignments in a row made two welcomes, each listing both task forces. The welcome
    waiting names both; a later assignment is one line."""
    standin = running_bot.standin
    p = people(standin)
    await p["fran"].say("/start")
    for code in ("B3", "C1"):
        assert "now facilitates" in (await p["admin"].say(f"/facilitator {p['fran'].id} {code}")).text
    await running_bot.settled()
    assert "now facilitates" in (await p["admin"].say(f"/facilitator {p['fran'].id} D1")).text
    added = await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "now also facilitate" in s.text)
    assert "Task Force D1" in added.text and "/pending" not in added.text
    await running_bot.settled()
    welcomes = [s.text for s in p["fran"].messages if "You are now a facilitator" in s.text]
    assert len(welcomes) == 1, welcomes
    told = "\n".join(s.text for s in p["fran"].messages)
    assert all(f"{code} · " in told for code in ("B3", "C1", "D1"))


async def test_pending_lists_open_applications_with_buttons(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "A1"))
    assert "No application is waiting" in (await p["fran"].say("/pending")).text
    await apply(p["ada"], "A1")
    await prompt_for(p["fran"], standin)
    listed = await p["fran"].say("/pending")
    assert "Ada Lovelace" in listed.text and listed.buttons[0][0] == "✅ Approve"
    assert "Approved" in await p["fran"].alert(listed.buttons[0][1], listed.message_id or 0)
    # both the first prompt and the one /pending sent now show the decision
    edits = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == listed.message_id and "Approved by" in s.text
    )
    assert edits.chat_id == p["fran"].id and edits.buttons == []
    assert "facilitators of a Task Force" in (await p["bob"].say("/pending")).text


async def test_an_admin_withdraws_a_leader_to_free_the_place(running_bot: RunningBot) -> None:
    """Issue 23: /withdraw withdrew at once, named the person by their Telegram name and gave them no reason.
    It asks first, naming the place and the person as registered; Withdraw asks for the reason they read."""
    standin = running_bot.standin
    p = people(standin)
    await apply(p["ada"], "B4")
    prompt = await prompt_for(p["admin"], standin)
    await p["admin"].alert(prompt.buttons[0][1], prompt.message_id or 0)
    await running_bot.settled()  # the approval told
    assert running_bot.db is not None  # her registered name is not her Telegram name
    await running_bot.db.write("UPDATE people SET name = 'Ada King' WHERE telegram_id = ?", (p["ada"].id,))
    assert "for the Executive Secretariat" in (await p["bob"].say(f"/withdraw {p['ada'].id} B4")).text
    question = await p["admin"].say(f"/withdraw {p['ada'].id} B4")
    assert 'Withdraw <a href="tg://user?id=1001">Ada King</a> (Global Leader, active)' in question.text
    assert [label for label, _ in question.buttons] == ["Withdraw", "Cancel"]
    kept = await p["admin"].press("Cancel")
    assert 'Nothing changed: <a href="tg://user?id=1001">Ada King</a> stays in Task Force B4' in kept.text
    forged = await p["bob"].alert(question.buttons[0][1], question.message_id or 0)  # not an admin: refused
    assert "for the Executive Secretariat" in forged
    asked = await p["admin"].press_data(question.buttons[0][1], question.message_id or 0)
    assert 'Why is <a href="tg://user?id=1001">Ada King</a> withdrawn?' in asked.text
    await running_bot.stop()  # the question waits in the database: a restart loses nothing
    await running_bot.start()
    done = await p["admin"].say("You no longer answer our messages.")
    assert "Ada King</a> is withdrawn from Task Force B4 and told so" in done.text
    told = await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "has withdrawn your registration" in s.text)
    assert "Reason: “You no longer answer our messages.”" in told.text
    late = await p["admin"].alert(question.buttons[0][1], question.message_id or 0)  # an old Withdraw: inert
    assert "is not registered in Task Force B4" in late
    [registration] = await registrations_of(running_bot.db, p["ada"].id)
    assert (registration.status, registration.ended_by) == (RegistrationStatus.WITHDRAWN, EndedBy.SECRETARIAT)
    assert "Global Leader · withdrawn by the Secretariat" in (await p["ada"].say("/mytaskforces")).text
    withdrawn = [
        row for row in await audit_rows(running_bot.db, p["ada"].id) if row["action"] == "registration.withdrawn"
    ]
    assert [row["actor_id"] for row in withdrawn] == [ADMIN_ID]


async def test_application_reaches_both_facilitators_and_the_first_decision_wins(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"), (p["gus"], "B3"))
    await apply(p["ada"], "B3")
    fran_prompt, gus_prompt = await prompt_for(p["fran"], standin), await prompt_for(p["gus"], standin)
    for prompt in (fran_prompt, gus_prompt):
        assert "Ada Lovelace" in prompt.text and "Soil Institute" in prompt.text and "I know this field" in prompt.text
        assert [label for label, _ in prompt.buttons] == ["✅ Approve", "❌ Reject", "Not a member or partner"]
    approved = await p["fran"].press("Approve")
    assert approved.method == "answerCallbackQuery" and "Approved" in approved.params["text"]
    told = await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "approved" in s.text)
    assert "Global Leader of Task Force B3" in told.text
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.chat_id == p["gus"].id and "Approved by Fran" in s.text
    )
    assert edited.message_id == gus_prompt.message_id and edited.buttons == []
    late = await p["gus"].alert(gus_prompt.buttons[0][1], gus_prompt.message_id or 0)
    assert "Already decided by Fran Facil" in late
    mine = await p["ada"].say("/mytaskforces")
    assert "Global Leader · active" in mine.text


async def test_a_late_press_after_the_decider_deleted_their_data_says_it_was_decided(running_bot: RunningBot) -> None:
    """The decider's /forget empties who decided (0, not NULL); the application was still decided, not withdrawn."""
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"), (p["gus"], "B3"))
    await apply(p["ada"], "B3")
    gus_prompt = await prompt_for(p["gus"], standin)
    await prompt_for(p["fran"], standin)
    await p["fran"].press("Approve")
    await standin.wait_for(lambda s: s.method == "editMessageText" and s.chat_id == p["gus"].id)
    await p["fran"].say("/forget")
    await p["fran"].press("Delete all my data")
    late = await p["gus"].alert(gus_prompt.buttons[0][1], gus_prompt.message_id or 0)
    assert "Already decided by —" in late and "withdrawn" not in late


async def test_an_applicant_who_forgets_is_wiped_from_the_prompts(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    prompt = await ada_applies_to_fran(p, "B3")
    await p["ada"].say("/forget")
    await p["ada"].press("Delete all my data")
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.chat_id == p["fran"].id and s.message_id == prompt.message_id
    )
    assert "deleted their data" in edited.text and edited.buttons == []
    assert not any(words in edited.text for words in ("Ada", "Lovelace", "Soil Institute", "I know this field"))
    late = await p["fran"].alert(prompt.buttons[0][1], prompt.message_id or 0)
    assert "Approved" not in late
    assert "No application is waiting" in (await p["fran"].say("/pending")).text


async def test_leaving_or_forgetting_closes_the_prompts_at_once(standin, tmp_path, catalogue) -> None:  # type: ignore[no-untyped-def]
    # No tick during the test: the prompts must be edited by the update itself.
    async with bot_with(standin, tmp_path, catalogue, tick_seconds=3600):
        p = people(standin)
        prompts = []
        for person, code in ((p["ada"], "C1"), (p["bob"], "C2")):
            marker = len(standin.sent)
            await apply(person, code)
            prompts.append(
                await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "Application:" in s.text, start=marker)
            )
        await p["ada"].say("/leave C1")
        await p["ada"].press("Leave C1")
        await p["bob"].say("/forget")
        await p["bob"].press("Delete all my data")
        closed = [
            await standin.wait_for(
                lambda s, m=prompt.message_id: s.method == "editMessageText" and s.message_id == m, timeout=3
            )
            for prompt in prompts
        ]
        assert "withdrew" in closed[0].text and "deleted their data" in closed[1].text
        assert closed[0].buttons == closed[1].buttons == []


async def test_reject_with_a_reason_then_stay_as_team_member(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await ada_applies_to_fran(p, "C1", role="Regional Representative")
    question = await p["fran"].press("Reject")
    assert "Why is it rejected?" in question.text
    location = message_update(p["fran"].user, "")
    del location["message"]["text"]
    location["message"]["location"] = {"latitude": 48.85, "longitude": 2.35}
    marker = len(standin.sent)
    await standin.push(location)
    asked_again = await standin.wait_for(lambda s: s.chat_id == p["fran"].id, start=marker)
    assert "Please type the reason as a text message, or press Skip." in asked_again.text
    await p["fran"].say("We already have a representative for Africa.")
    told = await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "not accepted" in s.text)
    assert "“We already have a representative for Africa.”" in told.text
    stayed = await p["ada"].press("Stay as Team Member")
    assert "as a Team Member" in stayed.text
    assert running_bot.db is not None
    rows = [(r.role.value, r.status.value) for r in await registrations_of(running_bot.db, p["ada"].id)]
    assert sorted(rows) == [("member", "active"), ("representative", "rejected")]
    audit = await audit_rows(running_bot.db, p["ada"].id)
    assert any(row["action"] == "decision.reject" and row["actor_id"] == p["fran"].id for row in audit)


STAY_OFFERED = {"en": "You are welcome to stay", "fr": "Vous pouvez rester", "es": "Le invitamos a quedarse"}


@pytest.mark.parametrize("language", sorted(STAY_OFFERED))
async def test_a_rejected_representative_is_offered_to_stay_not_told_she_is_in(
    running_bot: RunningBot, language: str
) -> None:
    """Issue 23: in French she read "Bienvenue dans la Task Force comme Membre d'équipe" while she was in nothing
    until she pressed the button; every language offers the place, and the button gives it."""
    standin = running_bot.standin
    await seed(running_bot, Seeded(4001, places=(("C1", Role.REPRESENTATIVE, RegistrationStatus.PENDING),)))
    assert running_bot.db is not None
    await running_bot.db.write("UPDATE known_users SET chosen_language = ? WHERE telegram_id = 4001", (language,))
    admin, lea = ChatUser(standin, ADMIN_ID), ChatUser(standin, 4001)
    await admin.say("/pending")
    await admin.press("Reject")
    await admin.press("Skip")
    told = await standin.wait_for(lambda s: s.chat_id == lea.id and STAY_OFFERED[language] in s.text)
    assert "Bienvenue" not in told.text and len(told.buttons) == 1
    assert [r.status for r in await registrations_of(running_bot.db, lea.id)] == [RegistrationStatus.REJECTED]
    await lea.press_data(told.buttons[0][1], told.message_id or 0)
    held = [(r.role, r.status) for r in await registrations_of(running_bot.db, lea.id)]
    assert held == [(Role.REPRESENTATIVE, RegistrationStatus.REJECTED), (Role.MEMBER, RegistrationStatus.ACTIVE)]


async def test_reject_without_a_reason(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await ada_applies_to_fran(p, "C2")
    await p["fran"].press("Reject")
    await p["fran"].press("Skip")
    told = await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "not accepted" in s.text)
    assert "Reason" not in told.text


async def test_two_facilitators_pressing_at_once_make_one_decision(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "D1"), (p["gus"], "D1"))
    await apply(p["ada"], "D1")
    fran_prompt, gus_prompt = await prompt_for(p["fran"], standin), await prompt_for(p["gus"], standin)
    marker = len(standin.sent)
    await asyncio.gather(  # Fran approves while Gus says "not a member": both at the same moment
        standin.push(callback_update(p["fran"].user, fran_prompt.buttons[0][1], fran_prompt.message_id or 0, 901)),
        standin.push(callback_update(p["gus"].user, gus_prompt.buttons[2][1], gus_prompt.message_id or 0, 902)),
    )
    answers = {
        ident: await standin.wait_for(
            lambda s, i=ident: s.params.get("callback_query_id") == i and bool(s.params.get("text")), start=marker
        )
        for ident in ("901", "902")
    }
    texts = sorted(answer.params["text"] for answer in answers.values())
    assert len([t for t in texts if t.startswith("Already decided by")]) == 1
    assert running_bot.db is not None
    [registration] = await registrations_of(running_bot.db, p["ada"].id)
    assert registration.decided_by in (p["fran"].id, p["gus"].id)
    audit = await audit_rows(running_bot.db, p["ada"].id)
    assert len([row for row in audit if row["action"].startswith("decision.")]) == 1


async def test_one_global_leader_per_task_force(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "E1"))
    await apply(p["ada"], "E1")
    await apply(p["bob"], "E1")
    await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "Bob Builder" in s.text)
    first = next(s for s in standin.sent if s.chat_id == p["fran"].id and "Ada Lovelace" in s.text)
    second = next(s for s in standin.sent if s.chat_id == p["fran"].id and "Bob Builder" in s.text)
    assert "Approved" in await p["fran"].alert(first.buttons[0][1], first.message_id or 0)
    refused = await p["fran"].alert(second.buttons[0][1], second.message_id or 0)
    assert "Ada Lovelace already holds this place in Task Force E1" in refused
    assert running_bot.db is not None
    [bob] = await registrations_of(running_bot.db, p["bob"].id)
    assert bob.status.value == "pending"


async def test_forged_buttons_from_others_change_nothing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "F1"), (p["gus"], "F2"))
    await apply(p["ada"], "F1")
    prompt = await prompt_for(p["fran"], standin)
    approve = prompt.buttons[0][1]
    assert "Only the facilitators of Task Force F1" in await p["gus"].alert(approve)
    await p["bob"].say("/start")
    assert "Only the facilitators of Task Force F1" in await p["bob"].alert(approve)
    assert "Only the facilitators" in await p["bob"].alert(prompt.buttons[1][1])
    assert running_bot.db is not None
    [registration] = await registrations_of(running_bot.db, p["ada"].id)
    assert registration.status.value == "pending"


async def test_a_facilitator_cannot_decide_their_own_application(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "A3"))
    await apply(p["fran"], "A3")
    prompt = await prompt_for(p["admin"], standin)  # no other facilitator: the admins decide
    assert "your own application" in await p["fran"].alert(prompt.buttons[0][1])
    assert not [s for s in standin.sent if s.chat_id == p["fran"].id and "Application:" in s.text]


async def test_without_facilitator_the_admins_decide_and_not_a_member_keeps_the_application(
    running_bot: RunningBot,
) -> None:
    """Issue 23: "not a member" turned the application into a Team Member's place and the declared member
    status into "neither": the prompt then read "Application: Team Member". The application stays as it was
    made and decided, a Team Member's place beside it; the profile says what is true now."""
    standin = running_bot.standin
    p = people(standin)
    await apply(p["ada"], "A4")
    prompt = await prompt_for(p["admin"], standin)
    await p["admin"].press_data(prompt.buttons[2][1], prompt.message_id or 0)
    told = await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "could not be confirmed" in s.text)
    assert "Team Member of Task Force A4" in told.text and told.buttons == []
    closed = await standin.wait_for(lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id)
    assert "Application: Global Leader of Task Force A4" in closed.text
    assert 'Member of "4 per 1000": Member (Consortium of Members)' in closed.text
    assert "Member status not confirmed by Sec Retariat" in closed.text
    assert running_bot.db is not None
    person = await get_person(running_bot.db, p["ada"].id)
    assert person is not None and person.member_status == "neither" and person.member_status_confirmed is False
    application, place = await registrations_of(running_bot.db, p["ada"].id)
    assert (application.role, application.status, application.verdict) == (
        Role.LEADER,
        RegistrationStatus.REJECTED,
        "not_member",
    )
    assert application.declared_status == "member" and application.motivation == "I know this field well."
    assert (place.role, place.status) == (Role.MEMBER, RegistrationStatus.ACTIVE)
    assert "Team Member · active" in (await p["ada"].say("/mytaskforces")).text
    marker = len(standin.sent)  # the export shows what she declared and what was decided
    await p["admin"].say("/export")
    registrations, _people, _book = await documents(standin, ADMIN_ID, 3, marker)
    rows = [(r["role"], r["status"], r["member_status_declared"], r["decision"], r["member_status"],
             r["member_status_confirmed"]) for r in table_of(registrations)]  # fmt: skip
    assert rows == [
        ("Global Leader", "not accepted", "Member (Consortium of Members)", "not a member or partner", "Neither", "no"),
        ("Team Member", "active", "", "", "Neither", "no"),
    ]


async def test_new_members_learn_their_facilitators_and_the_digest_comes_once_a_day(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B2"))
    await running_bot.ticks()  # the digest clock starts
    await apply(p["ada"], "B2", role="Team Member", member="Neither")
    done = p["ada"].last
    assert 'Facilitators: <a href="tg://user?id=2001">Fran Facil</a>' in done.text
    assert "Members: 1 (Africa 1)" in done.text and "What the Task Force does first" in done.text
    await apply(p["bob"], "B2", role="Team Member", member="Neither")
    assert "Members: 2 (Africa 2)" in p["bob"].last.text
    running_bot.clock.advance(days=1)
    digest = await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "New Team Members" in s.text)
    assert "Ada Lovelace" in digest.text and "Bob Builder" in digest.text
    await running_bot.settled()
    assert len([s for s in standin.sent if s.chat_id == p["fran"].id and "New Team Members" in s.text]) == 1


async def test_a_task_force_without_facilitator_has_its_digest_go_to_the_secretariat(running_bot: RunningBot) -> None:
    """Issue 23: a newcomer of C1, which nobody facilitates, reached no one. The digest names who joined, who
    left and whom the Secretariat withdrew; it goes to the admins while C1 has no facilitator."""
    standin = running_bot.standin
    p = people(standin)
    await seed(running_bot, Seeded(1003, name="Cy Gone", places=(("C1", Role.MEMBER, RegistrationStatus.ACTIVE),)))
    await seed(running_bot, Seeded(1004, name="Di Out", places=(("C1", Role.MEMBER, RegistrationStatus.ACTIVE),)))
    await running_bot.ticks()  # the digest clock starts
    await apply(p["ada"], "C1", role="Team Member", member="Neither")
    cy = ChatUser(standin, 1003)
    await cy.say("/leave C1")
    await cy.press("Leave C1")
    await p["admin"].say("/withdraw 1004 C1")
    await p["admin"].press("Withdraw")
    await p["admin"].press("Skip")
    running_bot.clock.advance(days=1)
    digest = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "New Team Members" in s.text)
    assert "C1 · " in digest.text and "has no facilitator yet" in digest.text and "Ada Lovelace" in digest.text
    assert 'Left the Task Force: <a href="tg://user?id=1003">Cy Gone</a>.' in digest.text
    assert 'Withdrawn by the Executive Secretariat: <a href="tg://user?id=1004">Di Out</a>.' in digest.text
    await facilitate(p["admin"], (p["fran"], "C1"))  # named now: the next day's digest is theirs
    await apply(p["bob"], "C1", role="Team Member", member="Neither")
    running_bot.clock.advance(days=1)
    theirs = await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "Bob Builder" in s.text)
    assert "has no facilitator" not in theirs.text
    await running_bot.settled()
    assert not [s for s in standin.sent if s.chat_id == ADMIN_ID and "Bob Builder" in s.text]


async def test_a_waiting_decision_is_reminded_three_times_then_goes_to_the_admins(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await ada_applies_to_fran(p, "C3")

    def reminders() -> list[Sent]:
        return [s for s in standin.sent if s.chat_id == p["fran"].id and "still waiting" in s.text]

    running_bot.clock.advance(hours=47)
    await running_bot.settled()
    assert reminders() == []
    for expected in (1, 2, 3):
        running_bot.clock.advance(hours=24 if expected > 1 else 1)
        await standin.wait_for(lambda s, n=expected: len(reminders()) >= n)
        if expected == 2:  # a restart neither loses nor repeats a reminder: the due time is a row
            await running_bot.stop()
            await running_bot.start()  # same database, same (moved) clock
            await running_bot.settled()
            assert len(reminders()) == 2
    running_bot.clock.advance(hours=24)
    escalation = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "after three reminders" in s.text)
    assert "Ada Lovelace" in escalation.text
    running_bot.clock.advance(days=5)
    await running_bot.settled()
    assert len(reminders()) == 3


async def test_members_and_balance_only_for_facilitators_and_admins(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "D2"))
    await apply(p["ada"], "D2", role="Team Member", member="Neither")
    listing = await p["fran"].say("/members D2")
    assert "Ada Lovelace</a> · Team Member · active · Soil Institute · Kenya · Africa" in listing.text
    assert "Balance of" not in listing.text  # /members lists; the balance is /balance
    await apply(p["bob"], "D2", role="Global Leader")  # pending: shown apart, not counted
    balance = await p["fran"].say("/balance D2")
    assert "(1 member)" in balance.text and "Pending applications, not counted: 1" in balance.text
    assert "No one yet from: Asia and Pacific, Europe" in balance.text
    assert "States or local authorities" in balance.text.split("No stakeholders yet of type:")[1]
    assert "34 of 35" in balance.text and len(balance.text) < 1000  # each gap said once
    africa = balance.text.split("<b>Africa</b>")[1].split("\n")[0]
    assert "Research and education 1" in africa and "none yet" not in balance.text
    refused = await p["ada"].say("/members D2")
    assert "Only the facilitators of Task Force D2" in refused.text
    assert "Only the facilitators" in (await p["bob"].say("/balance D2")).text


async def test_long_member_lists_come_as_a_csv_document(running_bot: RunningBot) -> None:
    from bot.models import Profile, RegistrationStatus, Role
    from bot.storage.database import to_text

    assert running_bot.db is not None
    now = running_bot.clock()
    async with running_bot.db.transaction() as tx:
        for index in range(60):
            profile = Profile(name=f"Member number {index:02d} with a long name", organisation="Organisation " * 3,
                              country="Country", region="Europe", stakeholder_type="Private companies",
                              member_status="neither", email_answered=True)  # fmt: skip
            await save_person(tx, 5000 + index, profile, now)
            await add_registration(tx, 5000 + index, "F3", Role.MEMBER, RegistrationStatus.ACTIVE, None, None, now)
    assert to_text(now)
    document = await ChatUser(running_bot.standin, ADMIN_ID).say("/members F3")
    assert document.method == "sendDocument"
    content = document.files["document"].decode("utf-8-sig")
    assert content.count("\n") == 61 and "Member number 59" in content


async def test_a_restart_between_application_and_decision(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    prompt = await ada_applies_to_fran(p, "E2")
    await running_bot.stop()
    await running_bot.start()
    assert "Approved" in await p["fran"].alert(prompt.buttons[0][1], prompt.message_id or 0)
    await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "approved" in s.text)


async def test_admin_details_are_said_plainly(running_bot: RunningBot) -> None:
    """Naming a facilitator twice says so; a removed facilitator is told; a prompt closed by /withdraw says by whom."""
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "C4"))
    assert "already facilitates C4; nothing changed" in (await p["admin"].say(f"/facilitator {p['fran'].id} C4")).text
    await apply(p["ada"], "C4")
    prompt = await prompt_for(p["fran"], standin)
    marker = len(standin.sent)
    await p["admin"].say(f"/withdraw {p['ada'].id} C4")
    await p["admin"].press("Withdraw")
    await p["admin"].press("Skip")
    closed = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id, start=marker
    )
    assert "Withdrawn by Sec Retariat (Executive Secretariat)" in closed.text and closed.buttons == []
    assert "no longer facilitates C4" in (await p["admin"].say(f"/facilitator remove {p['fran'].id} C4")).text
    told = await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "You no longer facilitate" in s.text)
    assert "Task Force C4" in told.text


async def test_facilitators_can_reach_people(running_bot: RunningBot) -> None:
    """The prompt and /members give the e-mail and a link that opens a chat with the person."""
    standin = running_bot.standin
    p = people(standin)
    prompt = await ada_applies_to_fran(p, "D2")
    link = f'<a href="tg://user?id={p["ada"].id}">Ada Lovelace</a>'
    assert link in prompt.text and "E-mail: ada@example.org" in prompt.text
    listing = await p["fran"].say("/members D2")
    assert link in listing.text and "ada@example.org" in listing.text


def test_the_members_csv_has_contacts_and_no_formulas(catalogue: Catalogue) -> None:
    member = Member(
        telegram_id=42, name="=HYPERLINK(\"http://x\")", role=Role.MEMBER, status=RegistrationStatus.ACTIVE,
        organisation="@Org", country="Kenya", region="Africa", stakeholder_type="Research and education",
        email="a@b.org",
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(views.members_csv(translator("en"), [member]).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["E-mail", "Telegram"]
    assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][3] == "'@Org"
    assert rows[1][-2:] == ["a@b.org", "tg://user?id=42"]


async def test_a_place_already_held_is_not_offered(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    prompt = await ada_applies_to_fran(p, "E1")
    await p["fran"].press_data(prompt.buttons[0][1], prompt.message_id or 0)  # Ada is Global Leader of E1
    await standin.wait_for(lambda s: s.chat_id == p["ada"].id and "approved" in s.text)
    await p["bob"].say("/join E1")
    await fill_profile(p["bob"], member="Member")
    roles = p["bob"].last
    assert [label for label, _ in roles.buttons] == ["Regional Representative", "Team Member", "« Back", "Cancel"]
    assert (
        "Global Leader of this Task Force is held by Ada Lovelace; to help with it, write to its Facilitators"
        in roles.text
    )
    assert (await p["bob"].say("global leader")).buttons == roles.buttons  # not taken by typing either


def schema_before_verdicts(path: Path) -> sqlite3.Connection:
    """A database as the releases before migration 13 left it: no verdict, nor who ended a place."""
    before = next(index for index, script in enumerate(MIGRATIONS) if "ADD COLUMN ended_by" in script)
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:before]:
        old.executescript(script)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    old.execute("INSERT INTO schema_version VALUES (?)", (before,))
    return old


async def test_the_migration_reads_who_ended_a_place_and_what_was_decided_from_the_audit(tmp_path: Path) -> None:
    """Rows an older release left: the words "left" and "withdrawn", and a decision's verdict, come from the
    audit it wrote (who withdrew, at the row's last change; the decision naming the registration)."""
    path = tmp_path / "old.sqlite3"
    with schema_before_verdicts(path) as old:
        rows = [  # id, person, task force, role, status, decided by, last change
            (1, 11, "B3", "member", "withdrawn", None, "2026-02-01"),  # left
            (2, 12, "C1", "member", "withdrawn", None, "2026-02-02"),  # withdrawn by the Secretariat (99)
            (3, 13, "C1", "leader", "active", 99, "2026-02-03"),  # approved
            (4, 11, "A4", "member", "active", 99, "2026-02-04"),  # "not a member", as it was written then
        ]
        for row in rows:
            old.execute(
                "INSERT INTO registrations (id, person_id, taskforce, role, status, decided_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, '2026-01-01', ?)",
                row,
            )
        audit = [  # at, actor, action, subject, task force, detail
            ("2026-02-01", 11, "registration.withdrawn", 11, "B3", None),
            ("2026-02-02", 99, "registration.withdrawn", 12, "C1", None),
            ("2026-02-03", 99, "decision.approve", 13, "C1", '{"registration": 3}'),
            ("2026-02-04", 99, "decision.not_member", 11, "A4", '{"registration": 4}'),
        ]
        old.executemany(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, taskforce, detail) VALUES (?, ?, ?, ?, ?, ?)",
            audit,
        )
    database = await Database.open(path)
    try:
        found = await database.fetchall("SELECT id, ended_by, verdict FROM registrations ORDER BY id")
        assert [tuple(row) for row in found] == [
            (1, "person", None),
            (2, "secretariat", None),
            (3, None, "approve"),
            (4, None, "not_member"),
        ]
    finally:
        await database.close()


async def test_a_decision_whose_audit_forget_emptied_gets_the_verdict_its_status_tells(tmp_path: Path) -> None:
    """Migration 13 read verdicts from the audit's detail, which /forget empties: a rejection or an approval whose
    decider (or applicant) deleted their data had none, and read "withdrawn". The status tells where only one
    verdict leads there; where two could (a decided Team Member's place, a withdrawn one) none is made up."""
    path = tmp_path / "old.sqlite3"
    with schema_before_verdicts(path) as old:
        rows = [  # id, person, task force, role, region, status, decided by (0: the decider deleted their data)
            (1, 11, "B3", "leader", None, "rejected", 0),
            (2, 12, "C1", "leader", None, "active", 0),
            (3, 13, "C1", "representative", "Africa", "active", 0),
            (4, 14, "A4", "member", None, "active", 0),  # "not a member" then, or approved and demoted since
            (5, None, "A4", "leader", None, "withdrawn", 99),  # approved or withdrawn pending; its person forgot
            (6, 15, "E2", "representative", "Asia", "pending", None),
            (7, 16, "E2", "member", None, "active", 99),  # the audit still says: "not a member"
        ]
        old.executemany(
            "INSERT INTO registrations (id, person_id, taskforce, role, region, status, decided_by, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01', '2026-02-01')",
            rows,
        )
        audit = [  # action, subject, task force, detail: what /forget left of each decision
            ("decision.reject", 11, "B3", None),
            ("decision.approve", 12, "C1", None),
            ("decision.approve", 13, "C1", None),
            ("decision.not_member", 14, "A4", None),
            ("decision.approve", None, "A4", None),
            ("decision.not_member", 16, "E2", '{"registration": 7}'),
        ]
        old.executemany(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, taskforce, detail)"
            " VALUES ('2026-02-01', NULL, ?, ?, ?, ?)",
            audit,
        )
    database = await Database.open(path)
    try:
        found = await database.fetchall("SELECT id, verdict FROM registrations ORDER BY id")
        assert [tuple(row) for row in found] == [
            (1, "reject"),
            (2, "approve"),
            (3, "approve"),
            (4, None),
            (5, None),
            (6, None),
            (7, "not_member"),
        ]
    finally:
        await database.close()
