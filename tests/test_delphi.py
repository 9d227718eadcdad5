"""End to end: a Delphi round loaded from a file, answered inline, reminded, closed, and its results."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import accounts, delphi_results
from bot.services.delphi_results import OTHER, Flow
from bot.storage import delphi as delphi_rows
from bot.storage.database import Database
from bot.views.delphi import CommentDecision, CommentPage, DelphiAnswer
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, bot_with, seed, start_bot_process, stop
from tests.standin import BotApiStandIn, Sent, message_update

MEMBER, ACTIVE, PENDING = Role.MEMBER, RegistrationStatus.ACTIVE, RegistrationStatus.PENDING
B3_PERSON, B2_PERSON, LATE_PERSON, C1_PERSON, PENDING_PERSON = 601, 602, 603, 604, 605
PEOPLE = (
    Seeded(B3_PERSON, places=(("B3", MEMBER, ACTIVE),), username="ada_soil", name="Ada Soil"),
    Seeded(B2_PERSON, region="Europe", kind="Civil society and NGOs", places=(("B2", MEMBER, ACTIVE),)),
    Seeded(LATE_PERSON, places=(("B3", MEMBER, ACTIVE),)),  # registered after the cut-off
    Seeded(C1_PERSON, places=(("C1", MEMBER, ACTIVE),)),  # not in the panel's task forces
    Seeded(PENDING_PERSON, region="Asia and Pacific", places=(("B3", Role.LEADER, PENDING),)),
)


LONG_QUESTION = "What is missing? Name the tools, people and money your region lacks for soil & carbon work."


def round_file(now: datetime, **changes: Any) -> dict[str, Any]:
    """The issue's example, placed around the test's clock."""
    data: dict[str, Any] = {
        "study": "implementation-2030",
        "round": 1,
        "title": {"en": "Implementation strategies 2030", "fr": "Stratégies de mise en œuvre 2030"},
        "opens": (now + timedelta(hours=1)).isoformat(),
        "closes": (now + timedelta(days=10)).isoformat(),
        "panel": {"taskforces": ["B2", "B3"], "registered_before": (now - timedelta(days=1)).isoformat()},
        "consensus": {"rule": "70/15"},
        "reminders": ["P3D", "P1D"],
        "questions": [
            {
                "id": "q1",
                "type": "likert",
                "scale": 9,
                "text": "How important is a regional helpdesk by 2030?",
                "labels": {"1": "not important", "9": "critical"},
                "taskforces": ["B3"],
            },
            {"id": "q2", "type": "choice", "text": "Which region first?", "options": ["Africa", "Asia", "Europe"]},
            {"id": "q3", "type": "number", "text": "Share of countries using the toolbox (%)", "min": 0, "max": 100},
            # Long, with an "&" where /delphi cuts it: the cut must not leave half of "&amp;".
            {"id": "q4", "type": "text", "text": LONG_QUESTION},
        ],
    }
    data.update(changes)
    return data


async def send_round(admin: ChatUser, data: dict[str, Any] | bytes, caption: str | None = None) -> Sent:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    extra = {"caption": caption} if caption else {}
    return await admin.post(document=admin.standin.document(content), **extra)


async def seeded_panel(running: RunningBot) -> None:
    """The five people; the late one registered after the cut-off (a day before the clock)."""
    await seed(running, *PEOPLE)
    assert running.db is not None
    early = (running.clock() - timedelta(days=5)).isoformat()
    await running.db.write("UPDATE registrations SET created_at = ? WHERE person_id != ?", (early, LATE_PERSON))


async def open_round(running: RunningBot, admin: ChatUser, **changes: Any) -> None:
    loaded = await send_round(admin, round_file(running.clock(), **changes))
    assert "Round loaded" in loaded.text, loaded.text
    running.clock.advance(hours=2)
    await running.settled()


@contextlib.asynccontextmanager
async def round_open(standin: BotApiStandIn, folder: Path, catalogue: Catalogue) -> AsyncIterator[RunningBot]:
    """The five people seeded, the issue's round loaded by the admin and opened, the invitations sent."""
    async with bot_with(standin, folder, catalogue, flood_limit=100) as running:  # fast scripted people
        await seeded_panel(running)
        await open_round(running, ChatUser(standin, ADMIN_ID))
        yield running


async def _reply_load(standin: BotApiStandIn, admin: ChatUser, data: dict[str, Any]) -> Sent:
    """/delphi_load in reply to a file sent earlier."""
    replied = {
        "message_id": standin.next_message_id(),
        "date": 0,
        "chat": {"id": admin.id, "type": "private", "first_name": "Sec"},
        "document": standin.document(json.dumps(data).encode()),
    }
    marker = len(standin.sent)
    update = message_update(admin.user, "/delphi_load", message_id=standin.next_message_id())
    update["message"]["reply_to_message"] = replied
    await standin.push(update)
    return await standin.wait_for(lambda s: s.chat_id == admin.id and "Round loaded" in s.text, start=marker)


async def table(running: RunningBot, sql: str, *params: object) -> list[tuple[Any, ...]]:
    assert running.db is not None
    return [tuple(row) for row in await running.db.fetchall(sql, params)]


async def test_round_files_are_checked_named_and_loaded_whole(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin, someone = ChatUser(standin, ADMIN_ID), ChatUser(standin, B3_PERSON)
        now = running.clock()
        refused = await send_round(someone, round_file(now), caption="/delphi_load")
        assert "Executive Secretariat" in refused.text

        broken = round_file(now)
        broken["questions"][2]["max"] = -5
        broken["questions"][0]["options"] = ["a", "b"]
        broken["panel"]["taskforces"] = ["B3", "Z9"]
        broken["consensus"] = {"rule": "80/10"}
        answer = await send_round(admin, broken)
        assert "was not loaded" in answer.text
        assert "questions[2].max</code>: must be greater than min" in answer.text
        assert "questions[0].options</code>: only for questions of type <code>choice</code>" in answer.text
        assert "consensus.rule</code>: one of <code>70/15</code>" in answer.text
        assert (await send_round(admin, b"{not json")).text.count("not JSON (line 1") == 1
        assert await table(running, "SELECT id FROM delphi_rounds") == []

        wrong_code = round_file(now)
        wrong_code["panel"]["taskforces"] = ["B3", "Z9"]
        assert "panel.taskforces[1]</code>: there is no Task Force Z9" in (await send_round(admin, wrong_code)).text

        everyone = round_file(now, panel={})
        everyone["questions"] = everyone["questions"][1:]  # q1 is narrowed to B3, which a whole panel need not hold
        assert "5 people (B2 1, B3 3, C1 1)" in (await send_round(admin, everyone)).text  # no panel: all, any time
        await admin.say("/delphi_close implementation-2030")  # not open yet: nothing to close
        file_message = await admin.post(document=standin.document(json.dumps(round_file(now)).encode()), caption="x")
        assert "Round loaded" in file_message.text  # any caption, or none: an admin's JSON file is a round
        usage = await admin.say("/delphi_load")
        assert "reply /delphi_load to it" in usage.text
        await _reply_load(standin, admin, round_file(now))
        loaded = admin.last
        assert "Round loaded" in loaded.text and "q1 (scale), q2 (choice), q3 (number), q4 (text)" in loaded.text
        assert "3 people (B2 1, B3 2)" in loaded.text  # the cut-off leaves out the late one; pending counts
        again = await send_round(admin, round_file(now, title="Implementation 2030 (corrected)"))
        assert "replaces the round loaded before" in again.text
        assert len(await table(running, "SELECT id FROM delphi_rounds")) == 1

        running.clock.advance(hours=2)
        await running.settled()
        invited = await table(running, "SELECT chat_id FROM outbox WHERE kind = 'delphi_invitation' ORDER BY chat_id")
        assert invited == [(B3_PERSON,), (B2_PERSON,), (PENDING_PERSON,)]
        told = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "opened:" in s.text)
        assert "(<code>implementation-2030</code>) opened: 3 panellists invited" in told.text
        assert "can no longer be replaced" in (await send_round(admin, round_file(now))).text


async def test_a_panellist_answers_each_type_comments_and_changes_an_answer(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin, ada, bea = ChatUser(standin, ADMIN_ID), ChatUser(standin, B3_PERSON), ChatUser(standin, B2_PERSON)
        assert running.db is not None
        await running.db.write("UPDATE known_users SET chosen_language = 'fr' WHERE telegram_id = ?", (bea.id,))
        await open_round(running, admin)
        invitation = bea.last.text  # the title in French, the questions (English only) in English
        assert "Étude Delphi\u00a0: Stratégies de mise en œuvre 2030" in invitation
        assert "Which region first?" in invitation

        first = ada.last
        assert "Delphi study: Implementation strategies 2030" in first.text
        assert "4 questions" in first.text and "1 / 4" in first.text
        assert "1 = not important · 9 = critical" in first.text
        assert [label for label, _ in first.buttons] == [str(point) for point in range(1, 10)]
        assert "1 / 3" in bea.last.text  # q1 is for B3 only
        round_id = (await table(running, "SELECT id FROM delphi_rounds"))[0][0]
        forgeries = (
            DelphiAnswer(round=round_id, question=0, point=12),
            DelphiAnswer(round=round_id, question=0, point=5),
            DelphiAnswer(round=round_id + 1, question=1, point=0),
        )
        for forged in (forgery.pack() for forgery in forgeries):
            assert "n'est plus valable" in await bea.alert(forged)  # out of the scale, not asked of her, no such round

        answered = await ada.press("7")
        assert "Your answer: 7" in answered.text
        await ada.press("Add a comment")
        await ada.say("Helpdesks need local staff.")
        question = await standin.wait_for(lambda s: s.chat_id == ada.id and "Which region first?" in s.text)
        assert "2 / 4" in question.text
        await ada.press("Europe")
        await ada.press("Skip")
        number = await standin.wait_for(lambda s: s.chat_id == ada.id and "3 / 4" in s.text)
        assert "Type a number from 0 to 100." in number.text
        assert "not a number I can read" in (await ada.say("about half")).text
        assert "out of range" in (await ada.say("150")).text
        assert "Your answer: 42.5" in (await ada.say("42,5")).text
        await ada.press("Skip")
        assert "at most 1000 characters" in (await ada.say("x" * 1001)).text  # asked again, nothing saved
        await ada.say("Money for field staff.")
        await ada.press("Skip")
        thanks = await standin.wait_for(lambda s: s.chat_id == ada.id and "last question" in s.text)
        assert "/delphi" in thanks.text

        overview = await ada.say("/delphi")
        assert "4 of 4 answered" in overview.text
        shown = await ada.press("1. How important")
        assert "Your answer now: 7" in shown.text and ("✓ 7", shown.buttons[6][1]) in shown.buttons
        await ada.press("3")
        assert await table(
            running, "SELECT question, value, text, comment FROM delphi_answers WHERE person_id = ? ORDER BY 1", ada.id
        ) == [
            (0, 3.0, None, "Helpdesks need local staff."),
            (1, 2.0, None, None),
            (2, 42.5, None, None),
            (3, None, "Money for field staff.", None),
        ]


async def test_typed_text_goes_to_the_flow_that_asked_last(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin, bea = ChatUser(standin, ADMIN_ID), ChatUser(standin, B2_PERSON)
        only_typed = [
            {"id": "q3", "type": "number", "text": "Share of countries (%)", "min": 0, "max": 100},
            {"id": "q4", "type": "text", "text": "What is missing?"},
        ]
        await bea.say("/profile")
        await bea.press("Organisation")  # the profile edit asks for a typed organisation…
        await open_round(running, admin, questions=only_typed)  # …then the Delphi question comes: it asked last
        assert "Share of countries" in bea.last.text
        assert "Your answer: 40" in (await bea.say("40")).text
        await bea.press("Skip")  # the text question now waits for typed text
        await bea.say("/profile")  # another flow asks: the text is no longer for Delphi
        await bea.press("Organisation")
        await bea.say("Soil Lab")
        assert await table(running, "SELECT organisation FROM people WHERE telegram_id = ?", bea.id) == [("Soil Lab",)]
        assert await table(running, "SELECT question FROM delphi_answers WHERE person_id = ?", bea.id) == [(0,)]
        back = await bea.say("/delphi")
        assert "1 of 2 answered" in back.text
        await bea.press("2. What is missing?")
        await bea.say("Field staff.")
        assert await table(running, "SELECT text FROM delphi_answers WHERE question = 1") == [("Field staff.",)]


async def test_a_panellist_in_the_middle_of_a_join_answers_delphi_and_goes_on_joining(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin, bea = ChatUser(standin, ADMIN_ID), ChatUser(standin, B2_PERSON)
        await bea.say("/join C1")
        await bea.press("Global Leader")  # the join now waits for a typed motivation
        number = {"id": "q3", "type": "number", "text": "Share of countries (%)", "min": 0, "max": 100}
        choice = {"id": "q2", "type": "choice", "text": "Which region first?", "options": ["Africa", "Europe"]}
        await open_round(running, admin, questions=[choice, number])
        await bea.press("Europe")  # a Delphi button answers its question, the join waits on
        await bea.press("Skip")
        await standin.wait_for(lambda s: s.chat_id == bea.id and "Share of countries" in s.text)
        assert "Your answer: 40" in (await bea.say("40")).text  # Delphi asked last
        summary = await bea.say("Twenty years of soil work.")  # the join's question, answered
        assert "Please check" in summary.text and "Twenty years of soil work." in summary.text
        assert "application" in (await bea.press("Confirm")).text
        assert await table(running, "SELECT question, value FROM delphi_answers ORDER BY 1") == [(0, 1.0), (1, 40.0)]
        motivation = "SELECT motivation FROM registrations WHERE taskforce = 'C1' AND person_id = ?"
        assert await table(running, motivation, bea.id) == [("Twenty years of soil work.",)]


async def test_reminders_go_only_to_those_with_questions_left_and_the_round_closes_by_itself(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with round_open(standin, tmp_path, catalogue) as running:
        bea = ChatUser(standin, B2_PERSON)
        await bea.press("Africa")
        await bea.press("Skip")
        await bea.say("10")
        await bea.press("Skip")
        await bea.say("Nothing.")
        await bea.press("Skip")

        running.clock.advance(days=7)  # past three days before closing
        await running.settled()
        await running.settled()  # a second pass repeats nothing
        reminded = "SELECT chat_id FROM outbox WHERE kind = 'delphi_reminder' ORDER BY id"
        assert await table(running, reminded) == [(B3_PERSON,), (PENDING_PERSON,)]
        reminder = await standin.wait_for(lambda s: s.chat_id == B3_PERSON and "Reminder" in s.text)
        assert "4 of your questions are not answered yet" in reminder.text

    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # a restart repeats nothing
        running.clock.now = datetime(2026, 12, 6, 10, 0, tzinfo=running.clock.now.tzinfo)
        await running.settled()
        assert len(await table(running, reminded)) == 2
        running.clock.now = datetime(2026, 12, 8, 10, 0, tzinfo=running.clock.now.tzinfo)  # a day before closing
        await running.settled()
        assert len(await table(running, reminded)) == 4
        running.clock.now = datetime(2026, 12, 9, 10, 0, tzinfo=running.clock.now.tzinfo)  # closed
        await running.ticks()
        assert await table(running, "SELECT closed_at IS NOT NULL FROM delphi_rounds") == [(1,)]
        told = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "closed:" in s.text)
        assert "closed: 1 of 3 panellists answered every question" in told.text  # Bea did
        ada = ChatUser(standin, B3_PERSON)
        assert "closed on" in await ada.alert(ada.button("7")[1], ada.button("7")[0].message_id or 0)
        assert "no Delphi round open" in (await ada.say("/delphi")).text
        admin = ChatUser(standin, ADMIN_ID)
        assert "No Delphi round is open" in (await admin.say("/delphi_status")).text


async def test_results_figures_csv_and_charts_go_to_admins_only(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with round_open(standin, tmp_path, catalogue):
        admin = ChatUser(standin, ADMIN_ID)
        ada, pia = ChatUser(standin, B3_PERSON), ChatUser(standin, PENDING_PERSON)
        for person, point, comment in ((ada, "8", "Local staff."), (pia, "9", None)):
            await person.press(point)
            if comment:
                await person.press("Add a comment")
                await person.say(comment)
            else:
                await person.press("Skip")

        await standin.wait_for(lambda s: s.chat_id == ada.id and "Which region first?" in s.text)
        await ada.press("Europe")
        await ada.press("Skip")
        await ada.say("42")
        await ada.press("Skip")
        await ada.say("More soil labs.")
        await ada.press("Skip")

        status = await admin.say("/delphi_status")
        assert "1. q1: 2 / 2 (100 %)" in status.text and "B2: 0 / 3 (0 %)" in status.text
        for command in ("/delphi_results implementation-2030", "/delphi_status", "/delphi_close implementation-2030"):
            assert "Executive Secretariat" in (await ada.say(command)).text  # a panellist, not an admin

        marker = len(standin.sent)
        report = await admin.say("/delphi_results implementation-2030")
        assert "Median 8.5 · Q1 8.25 · Q3 8.75 · IQR 0.5 · mean 8.5 · SD 0.71" in report.text
        assert "1–3 0 % · 4–6 0 % · 7–9 100 %" in report.text
        assert "Verdict (70/15): <b>consensus in</b>" in report.text
        assert "« Local staff. »" in report.text and "Ada" not in report.text
        texts = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "Answers to q4" in s.text, start=marker)
        assert "Answers to q4 (1, anonymous; all in the CSV):\n« More soil labs. »" in texts.text
        document = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendDocument", start=marker)
        rows = list(csv.reader(io.StringIO(next(iter(document.files.values())).decode("utf-8-sig"))))
        assert rows[0] == [
            "study", "round", "panellist", "stakeholder type", "region", "question", "type", "answer", "comment"
        ]  # fmt: skip
        assert sorted(row[7] for row in rows[1:] if row[5] == "q1") == ["8", "9"]
        assert [row[7] for row in rows[1:] if row[5] != "q1"] == ["Europe", "42", "More soil labs."]
        raw = next(iter(document.files.values())).decode("utf-8-sig")
        for identifier in (str(B3_PERSON), str(PENDING_PERSON), "ada_soil", "Ada Soil"):
            assert identifier not in raw
        await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendPhoto", start=marker)
        pictures = [s for s in standin.sent[marker:] if s.chat_id == ADMIN_ID and s.method == "sendPhoto"]
        assert next(iter(pictures[0].files.values())).startswith(b"\x89PNG")


async def test_admins_close_early_and_extend(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> None:
    async with round_open(standin, tmp_path, catalogue) as running:
        admin = ChatUser(standin, ADMIN_ID)
        extended = await admin.say("/delphi_extend implementation-2030 2026-12-20T18:00Z")
        assert "now closes on" in extended.text
        due = await table(running, "SELECT due_at FROM delphi_reminders ORDER BY due_at")
        assert [row[0][:10] for row in due] == ["2026-12-17", "2026-12-19"]
        assert "must be later" in (await admin.say("/delphi_extend implementation-2030 2020-01-01")).text
        assert "not a time I can read" in (await admin.say("/delphi_extend implementation-2030 soon")).text
        assert "no Delphi study" in (await admin.say("/delphi_close nothing-here")).text
        assert "/delphi_extend &lt;study&gt;" in (await admin.say("/delphi_close")).text
        assert "is closed" in (await admin.say("/delphi_close implementation-2030")).text
        assert await table(running, "SELECT COUNT(*) FROM delphi_reminders WHERE sent_at IS NULL") == [(0,)]
        assert "closed already" in (await admin.say("/delphi_close implementation-2030")).text


async def test_forgetting_a_panellist_takes_their_answers(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with round_open(standin, tmp_path, catalogue) as running:
        ada = ChatUser(standin, B3_PERSON)
        await ada.press("5")
        assert running.db is not None
        await accounts.forget(running.db, ada.id, running.clock())
        for name in ("delphi_answers", "delphi_asked", "delphi_places", "delphi_panel", "delphi_waiting"):
            assert await table(running, f"SELECT COUNT(*) FROM {name} WHERE person_id = ?", ada.id) == [(0,)]


async def test_a_kill_between_two_questions_loses_nothing(standin: BotApiStandIn, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    db = await Database.open(database)
    await seed(db, *PEOPLE)
    await db.close()
    admins = {"BOT_ADMINS": str(ADMIN_ID), "BOT_FLOOD_LIMIT": "100"}
    process = await start_bot_process(standin, database, **admins)
    admin, ada = ChatUser(standin, ADMIN_ID), ChatUser(standin, B3_PERSON)
    now = datetime.now().astimezone()
    live = round_file(now, opens=(now - timedelta(minutes=1)).isoformat())
    live["panel"].pop("registered_before")
    try:
        assert "It is open" in (await send_round(admin, live)).text
        await standin.wait_for(lambda s: s.chat_id == ada.id and "1 / 4" in s.text, timeout=20)
        await ada.press("6")
        await ada.press("Skip")
        await standin.wait_for(lambda s: s.chat_id == ada.id and "2 / 4" in s.text)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        process = await start_bot_process(standin, database, **admins)
        await ada.press("Asia")
        await ada.press("Skip")
        number = await standin.wait_for(lambda s: s.chat_id == ada.id and "3 / 4" in s.text)
        assert "Type a number" in number.text
        process.send_signal(signal.SIGKILL)  # killed while the number question waits for her typing
        await process.wait()
        process = await start_bot_process(standin, database, **admins)
        assert "Your answer: 42" in (await ada.say("42")).text
    finally:
        await stop(process)
    db = await Database.open(database)
    try:
        rows = await db.fetchall("SELECT question, value FROM delphi_answers WHERE person_id = ? ORDER BY 1", (ada.id,))
        assert [tuple(row) for row in rows] == [(0, 6.0), (1, 1.0), (2, 42.0)]
    finally:
        await db.close()


# ---------------------------------------------------------------- part 2: rounds that learn from each other

EXTRA = (Seeded(606, places=(("B3", MEMBER, ACTIVE),)), Seeded(607, places=(("B3", MEMBER, ACTIVE),)))


def second_round(now: datetime, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "study": "implementation-2030",
        "round": 2,
        "title": "Implementation strategies 2030",
        "opens": (now + timedelta(hours=1)).isoformat(),
        "closes": (now + timedelta(days=10)).isoformat(),
        "questions": [{"id": "q5", "type": "choice", "text": "Who should run it?", "options": ["FAO", "Us"]}],
    }
    data.update(changes)
    return data


def document_of(sent: Sent) -> bytes:
    """The content of a document sent to the admin (nothing for any other call)."""
    return bytes(sent.files.get("document", b"")) if sent.chat_id == ADMIN_ID else b""


async def answer(person: ChatUser, asked: str, given: str, *, typed: bool = False, comment: str | None = None) -> None:
    """Once the question whose text holds `asked` has come (with its buttons: an earlier one's 1…9 would otherwise
    be pressed): the button `given` pressed (or `given` typed), then the comment given, or skipped."""
    await person.standin.wait_for(lambda s: s.chat_id == person.id and asked in s.text and (typed or bool(s.buttons)))
    await (person.say(given) if typed else person.press(given))
    if comment is None:
        await person.press("Skip")
        return
    await person.press("Add a comment")
    await person.say(comment)


async def answer_first_question(person: ChatUser, point: str, comment: str | None = None) -> None:
    await answer(person, "How important", point, comment=comment)


async def answer_second_question(person: ChatUser, point: str) -> None:
    """The second question of round 1, once it has come (its 1…9 would otherwise be the first one's)."""
    await answer(person, "How urgent", point)


async def test_a_second_round_shows_the_group_and_each_own_answer_before_the_repeated_question(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    admin, ada, bea, pia = (ChatUser(standin, who) for who in (ADMIN_ID, B3_PERSON, B2_PERSON, PENDING_PERSON))
    others = [ChatUser(standin, 606), ChatUser(standin, 607)]
    first = round_file(datetime(2026, 11, 29, 9, 0).astimezone())
    first["questions"] = [
        {**first["questions"][0], "taskforces": []},
        {"id": "q2", "type": "likert", "text": "How urgent is a toolbox?"},
    ]
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        await seed(running, *EXTRA)
        assert running.db is not None
        await running.db.write("UPDATE registrations SET created_at = '2026-11-01T00:00:00+00:00'")
        await open_round(running, admin, questions=first["questions"], min_group=3)  # four answers make a group
        assert "is still open" in (await send_round(admin, second_round(running.clock()))).text
        for person, point, comment in ((ada, "2", "Too costly for now."), (pia, "7", "Helpdesks work in Kenya.")):
            await answer_first_question(person, point, comment)
            await answer(person, "How urgent", "8")
        for person, point in zip(others, ("7", "8"), strict=True):
            await answer_first_question(person, point)
            await answer(person, "How urgent", "9")
        await admin.say("/delphi_close implementation-2030")  # bea never answered round 1

    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # a restart between the rounds
        now = running.clock()
        assert "no round 2" in (await send_round(admin, second_round(now, round=3))).text
        reused = second_round(now, questions=[{"id": "q2", "type": "text", "text": "Again?"}])
        assert "questions[0].id</code>: q2 was asked in round 1" in (await send_round(admin, reused)).text
        loaded = await send_round(admin, second_round(now))
        assert "q1 (scale, asked again), q5 (choice)" in loaded.text  # q2 reached consensus: not asked again
        assert "6 people" in loaded.text  # round 1's panel, answers or not
        assert "2 comments of round 1 on the questions asked again are not reviewed" in loaded.text
        await admin.say("/delphi_comments implementation-2030")
        await admin.press("1: show")
        await admin.press("2: show")
        running.clock.advance(hours=2)
        await running.settled()

        invitation = ada.last.text
        assert "1 / 2" in invitation and "How urgent" not in invitation
        assert "Round 1 said</b> (n = 4):" in invitation
        assert "Median 7 · interquartile range 5.75–7.25" in invitation
        assert "Your answer in round 1: 2" in invitation and "outside the middle half" in invitation
        assert "« Too costly for now. »" in invitation and "« Helpdesks work in Kenya. »" in invitation
        labels = [label for label, _ in ada.last.buttons]
        assert "↺ 2" in labels and "Keep my answer of round 1" in labels and "Chart" in labels
        assert "Round 1 said" in bea.last.text and "Your answer in round 1" not in bea.last.text  # invited again

        by_type = await ada.press("By stakeholder type")
        assert (
            "Round 1, by stakeholder type" in by_type.text and "Research and education: n = 4, median 7" in by_type.text
        )
        marker = len(standin.sent)
        await ada.press_data(ada.button("Chart")[1], ada.button("Chart")[0].message_id or 0)
        photo = await standin.wait_for(lambda s: s.chat_id == ada.id and s.method == "sendPhoto", start=marker)
        assert next(iter(photo.files.values())).startswith(b"\x89PNG")
        kept = await ada.press("Keep my answer of round 1")
        assert "Your answer: 2" in kept.text
        assert any("Add a reason" in label for label, _ in kept.buttons)
        for person, point in ((pia, "7"), (others[0], "7"), (others[1], "7"), (bea, "6")):
            await person.standin.wait_for(lambda s, p=person: s.chat_id == p.id and "How important" in s.text)
            answered = await person.press(point)
            assert any("Add a comment" in label for label, _ in answered.buttons)

        marker = len(standin.sent)
        movement = await admin.say("/delphi_results implementation-2030")
        assert "q1</b> R1: median 7, IQR 1.5, no consensus → R2: median 7, IQR 1, no consensus" in movement.text
        assert "q2</b> R1: median 8.5, IQR 1, consensus in" in movement.text
        # Among the four who answered both rounds (Bea answers only round 2): 8 → 7 stays in the top third.
        assert (
            "q1</b>: 4 answered both rounds (0 dropped out, 1 new); 1 of 4 changed their answer (25 %); "
            "0 of 4 changed band (0 %); weighted κ 0.98; median 7 → 7, IQR 1.5 → 1.25; stable (largest move 0 points)"
        ) in movement.text
        table = await standin.wait_for(
            lambda s: document_of(s).startswith("study,round".encode("utf-8-sig")), start=marker
        )
        rows = list(csv.reader(io.StringIO(document_of(table).decode("utf-8-sig"))))
        adas = {row[1]: row[2] for row in rows[1:] if row[5] == "q1" and row[7] == "2"}
        assert set(adas) == {"1", "2"} and adas["1"] == adas["2"]  # one pseudonym across the rounds
        await standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)


# ---------------------------------------------------------------- bad input cannot break a round


async def test_a_typed_number_too_large_to_hold_is_asked_again_not_stored_as_infinity(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """400 digits made a float of infinity: its median was NaN, and /delphi_results failed for everyone."""
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin, bea = ChatUser(standin, ADMIN_ID), ChatUser(standin, B2_PERSON)
        unbounded = [{"id": "q3", "type": "number", "text": "How many soil labs?"}]
        await open_round(running, admin, questions=unbounded)
        assert "How many soil labs?" in bea.last.text
        for huge in ("9" * 400, "-" + "9" * 400, "1" + "0" * 20):
            assert "out of range" in (await bea.say(huge)).text
        assert await table(running, "SELECT value FROM delphi_answers") == []
        assert "Your answer: 12" in (await bea.say("12")).text
        report = await admin.say("/delphi_results implementation-2030")
        assert "Median 12" in report.text


async def test_files_that_crashed_the_loader_are_refused_naming_their_field(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        admin, now = ChatUser(standin, ADMIN_ID), running.clock()
        base = json.dumps(round_file(now))
        unbounded = round_file(now)["questions"][2] | {"min": None, "max": None}
        cases: list[tuple[bytes, str]] = [
            (b'{"study": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "(the file)</code>: nested more deeply"),
            (base.replace('"round": 1', '"round": ' + "9" * 5000).encode(), "round</code>: a number"),
            (base.replace('"round": 1', '"round": ' + str(2**63)).encode(), "round</code>: a round number"),
            (json.dumps(round_file(now, opens="0001-01-01T00:00:00")).encode(), "opens</code>: between"),
            (json.dumps(round_file(now, closes="9999-12-31T23:59:59")).encode(), "closes</code>: between"),
            (json.dumps(round_file(now, closes="9999-12-31T23:59:59+14:00")).encode(), "closes</code>: between"),
            (
                json.dumps(round_file(now, panel={"registered_before": "0001-01-01"})).encode(),
                "panel.registered_before</code>: between",
            ),
            (json.dumps(round_file(now, reminders=["P999999999D"])).encode(), "reminders</code>: reminders come"),
            (
                json.dumps(round_file(now, questions=[unbounded | {"max": "1e999"}])).encode(),
                "questions[0].max</code>: ",
            ),
            (
                json.dumps(round_file(now, questions=[unbounded | {"min": 1e300}])).replace("1e+300", "1e999").encode(),
                "questions[0].min</code>: a number",
            ),
            (json.dumps(round_file(now, questions=[unbounded | {"min": float("nan")}])).encode(), "questions[0].min"),
        ]
        for content, named in cases:
            answer = await send_round(admin, content)
            assert "was not loaded" in answer.text and named in answer.text, (named, answer.text)
        assert await table(running, "SELECT id FROM delphi_rounds") == []


async def test_the_status_of_a_round_not_yet_open_says_when_it_opens(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin = ChatUser(standin, ADMIN_ID)
        assert "Round loaded" in (await send_round(admin, round_file(running.clock()))).text
        status = await admin.say("/delphi_status implementation-2030")
        assert "Not open yet: it opens on" in status.text
        assert "Per question" not in status.text and "Per Task Force" not in status.text


async def test_a_later_round_listing_a_previous_question_as_it_was_asks_it_again(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """What a Secretariat officer does first: copy round 1's question into round 2's file."""
    async with round_open(standin, tmp_path, catalogue) as running:
        admin = ChatUser(standin, ADMIN_ID)
        await admin.say("/delphi_close implementation-2030")
        first = round_file(running.clock())["questions"]
        changed = first[1] | {"options": ["Africa", "Europe"]}
        refused = await send_round(admin, second_round(running.clock(), questions=[first[0], changed]))
        assert "questions[1].id</code>: q2 was asked in round 1 otherwise" in refused.text
        assert "questions[0]" not in refused.text
        loaded = await send_round(admin, second_round(running.clock(), questions=[first[0], first[3]]))
        assert "q1 (scale, asked again), q4 (text, asked again)" in loaded.text
        running.clock.advance(hours=2)
        await running.settled()
        asked = "SELECT DISTINCT question FROM delphi_asked JOIN delphi_rounds r ON r.id = round_id WHERE r.round = 2"
        assert len(await table(running, asked)) == 2


async def test_one_broken_round_stops_no_other_and_is_logged_once(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    """A round stored before offsets were bounded (P999999999D) raised at every tick, before any other round
    could open, close or be reminded: 42 tracebacks in 20 s, and every study stopped."""
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin = ChatUser(standin, ADMIN_ID)
        for study in ("broken", "sound"):
            assert "Round loaded" in (await send_round(admin, round_file(running.clock(), study=study))).text
        assert running.db is not None
        await running.db.write(
            "UPDATE delphi_rounds SET definition = json_set(definition, '$.reminders', json_array('P999999999D'))"
            " WHERE study = 'broken'"
        )
        running.clock.advance(hours=2)
        for _ in range(3):
            await running.ticks()
        opened = "SELECT study FROM delphi_rounds WHERE opened_at IS NOT NULL"
        assert await table(running, opened) == [("sound",)]
        failed = [r for r in caplog.records if r.levelno >= logging.ERROR and "Delphi" in r.getMessage()]
        assert len(failed) == 1 and "round 1" in failed[0].getMessage()


async def test_no_reminder_goes_to_a_panellist_who_blocked_the_bot_and_the_status_counts_them(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    standin.forbidden_chats.add(B2_PERSON)  # their invitation gets a 403: they cannot be reached
    async with round_open(standin, tmp_path, catalogue) as running:
        status = await ChatUser(standin, ADMIN_ID).say("/delphi_status")
        assert "Unreachable (blocked the bot): 1" in status.text
        running.clock.advance(days=7)  # past three days before closing
        await running.settled()
        reminded = "SELECT chat_id FROM outbox WHERE kind = 'delphi_reminder' ORDER BY id"
        assert await table(running, reminded) == [(B3_PERSON,), (PENDING_PERSON,)]


def told_of_invitations(standin: BotApiStandIn) -> list[str]:
    return [s.text for s in standin.sent if s.chat_id == ADMIN_ID and "could not be reached" in s.text]


async def test_failed_invitations_are_told_once_per_round_in_one_notice_naming_whom(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """Telegram refused every invitation of a round and nobody was told: now the Secretariat hears once all have
    gone, in one notice per round, not one message per failure."""
    standin.forbidden_chats.add(B2_PERSON)  # blocked the bot
    standin.refused_chats[PENDING_PERSON] = "Bad Request: message is too long"
    async with round_open(standin, tmp_path, catalogue) as running:
        await running.settled()
        told = told_of_invitations(standin)
        assert len(told) == 1, told
        counted = "round 1 (<code>implementation-2030</code>): 3 invited, 1 could not be reached, 1 could not be sent"
        assert counted in told[0]
        assert "Not delivered to: Person 602, Person 605" in told[0]
        await running.settled()
        assert len(told_of_invitations(standin)) == 1


async def test_a_round_whose_invitations_all_went_tells_nothing_more(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with round_open(standin, tmp_path, catalogue) as running:
        await running.settled()
        assert told_of_invitations(standin) == []
        assert await table(running, "SELECT invitations_told_at IS NOT NULL FROM delphi_rounds") == [(1,)]


# ---------------------------------------------------------------- small groups, participation, comments reviewed

# The panel: five researchers in Africa, five officials in Europe, and one international organisation in
# Asia, whose answer every panellist read as "International organisations: n = 1, median 6".
RESEARCHERS = tuple(Seeded(700 + n, places=(("B3", MEMBER, ACTIVE),)) for n in range(5))
OFFICIALS = tuple(
    Seeded(710 + n, region="Europe", kind="States or local authorities", places=(("B3", MEMBER, ACTIVE),))
    for n in range(5)
)
LONE = Seeded(720, region="Asia and Pacific", kind="International organisations", places=(("B3", MEMBER, ACTIVE),))
SCALE_ONLY = {"id": "q1", "type": "likert", "text": "How important is a regional helpdesk by 2030?"}
CHOICE = {"id": "q2", "type": "choice", "text": "Which region first?", "options": ["Africa", "Asia", "Europe"]}


async def grouped_round(running: RunningBot, *questions: dict[str, Any]) -> ChatUser:
    """The eleven on the panel of B3, round 1 open with these questions; the admin."""
    await seed(running, *RESEARCHERS, *OFFICIALS, LONE)
    admin = ChatUser(running.standin, ADMIN_ID)
    await open_round(running, admin, panel={"taskforces": ["B3"]}, questions=list(questions))
    return admin


async def test_a_group_under_the_minimum_is_shown_to_nobody_merged_or_alone(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """The lone international organisation's 6 is in no split: not the admins' results, not the CSV beside a
    pseudonym, not what panellists read before the question asked again. Merged with it alone, the researchers
    would be the whole less the officials: they join it, and only the officials stand apart."""
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        admin = await grouped_round(running, SCALE_ONLY)
        for person, point in [(p, "8") for p in RESEARCHERS] + [(p, "2") for p in OFFICIALS] + [(LONE, "6")]:
            await answer_first_question(ChatUser(standin, person.telegram_id), point)

        marker = len(standin.sent)
        report = await admin.say("/delphi_results implementation-2030")
        assert "International organisations" not in report.text and "Asia and Pacific" not in report.text
        assert "n = 1" not in report.text
        assert "· States or local authorities: n = 5, median 2" in report.text and "· Europe: n = 5" in report.text
        assert report.text.count("· Other groups: n = 6, median 8") == 2  # by type, by region
        document = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendDocument", start=marker)
        answers = list(csv.reader(io.StringIO(document_of(document).decode("utf-8-sig"))))[1:]
        cells = Counter((row[3], row[4]) for row in answers)  # one question: one row per panellist
        assert cells == {("States or local authorities", "Europe"): 5, ("Other groups", "Other groups"): 6}
        await standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)  # the last it sends

        await admin.say("/delphi_close implementation-2030")
        lowered = await send_round(admin, second_round(running.clock(), min_group=4))
        assert "min_group</code>: at least 5, as in round 1" in lowered.text
        assert (
            "min_group</code>: a group size from 3 to 1000"
            in (await send_round(admin, round_file(running.clock(), min_group=2))).text
        )
        loaded = await send_round(admin, second_round(running.clock()))
        assert "q1 (scale, asked again)" in loaded.text and "Smallest group shown apart: 5" in loaded.text
        running.clock.advance(hours=2)
        await running.settled()
        researcher = ChatUser(standin, RESEARCHERS[0].telegram_id)
        await standin.wait_for(lambda s: s.chat_id == researcher.id and "Round 1 said" in s.text)
        by_type = await researcher.press("By stakeholder type")
        assert "International organisations" not in by_type.text and "n = 1" not in by_type.text
        assert "· States or local authorities: n = 5, median 2" in by_type.text
        assert "· Other groups: n = 6, median 8" in by_type.text


async def test_the_participation_flow_of_each_round_in_all_and_by_group(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """Invited, could not be reached, answered some, answered all, dropped since the round before; by group with
    the minimum group size (the lone international organisation, who blocked the bot, is in no group of one)."""
    standin.forbidden_chats.add(LONE.telegram_id)
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        admin = await grouped_round(running, SCALE_ONLY, CHOICE)
        for person in (*RESEARCHERS, *OFFICIALS):
            someone = ChatUser(standin, person.telegram_id)
            await answer_first_question(someone, "8" if person in RESEARCHERS else "2")
            if person is not RESEARCHERS[-1]:  # the last researcher answers one question of two
                await standin.wait_for(lambda s, p=someone: s.chat_id == p.id and "Which region first?" in s.text)
                await someone.press("Europe")
                await someone.press("Skip")

        status = await admin.say("/delphi_status implementation-2030")
        assert "answered at least one question · answered all)" in status.text and "dropped" not in status.text
        assert "Total: 11 · 1 · 10 · 9" in status.text
        assert (
            "· States or local authorities: 5 · 0 · 5 · 5" in status.text and "· Europe: 5 · 0 · 5 · 5" in status.text
        )
        assert status.text.count("· Other groups: 6 · 1 · 5 · 4") == 2
        assert "International organisations" not in status.text

        await admin.say("/delphi_close implementation-2030")
        await send_round(admin, second_round(running.clock()))
        running.clock.advance(hours=2)
        await running.settled()
        await answer_first_question(ChatUser(standin, RESEARCHERS[0].telegram_id), "7")  # the others answer nothing
        report = await admin.say("/delphi_results implementation-2030 2")
        assert "answered all · dropped since round 1)\nTotal: 11 · 1 · 1 · 0 · 9" in report.text
        assert running.db is not None
        second = await delphi_rows.find(running.db, "implementation-2030", 2)
        assert second is not None
        flow = await delphi_results.participation(running.db, second)
        assert (flow.round, flow.previous, flow.least, flow.total) == (2, 1, 5, Flow(11, 1, 1, 0, 9))
        assert flow.by_type == {"States or local authorities": Flow(5, 0, 0, 0, 5), OTHER: Flow(6, 1, 1, 0, 4)}
        assert flow.by_region == {"Europe": Flow(5, 0, 0, 0, 5), OTHER: Flow(6, 1, 1, 0, 4)}


async def test_comments_reach_the_next_round_only_once_the_secretariat_shows_them(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """A comment naming someone was read by the whole panel of the next round: now each is shown or hidden by the
    Secretariat in one list, none by default, every decision audit-logged under the author's pseudonym."""
    async with round_open(standin, tmp_path, catalogue) as running:
        admin, ada, pia = ChatUser(standin, ADMIN_ID), ChatUser(standin, B3_PERSON), ChatUser(standin, PENDING_PERSON)
        await answer_first_question(ada, "2", "Ask Ms Dupont in Nairobi, she knows.")
        await answer_first_question(pia, "8", "Helpdesks work in Kenya.")
        assert "still open" in (await admin.say("/delphi_comments implementation-2030")).text
        await admin.say("/delphi_close implementation-2030")

        loaded = await send_round(admin, second_round(running.clock()))
        assert "2 comments of round 1 on the questions asked again are not reviewed" in loaded.text
        listing = await admin.say("/delphi_comments implementation-2030")
        assert "2 comments: 0 shown, 0 hidden, 2 not reviewed." in listing.text
        assert "<b>1. q1</b> · not reviewed\n« Ask Ms Dupont in Nairobi, she knows. »" in listing.text
        assert [label for label, _ in listing.buttons] == ["1: show", "1: hide", "2: show", "2: hide"]
        round_id = (await table(running, "SELECT id FROM delphi_rounds WHERE round = 1"))[0][0]
        assert "Executive Secretariat" in await ada.alert(admin.button("1: show")[1])  # not an admin
        forged = CommentDecision(round=round_id, question=0, author="0" * 10, decision="show", page=0)
        for data in (forged.pack(), CommentPage(round=round_id + 5, page=0).pack()):
            assert "no longer valid" in await admin.alert(data)
        assert await table(running, "SELECT COUNT(*) FROM delphi_answers WHERE comment_shown IS NOT NULL") == [(0,)]

        hidden = await admin.press("1: hide")
        assert "<b>1. q1</b> · hidden" in hidden.text
        assert [label for label, _ in hidden.buttons] == ["1: show", "2: show", "2: hide"]
        shown = await admin.press("2: show")
        assert "2 comments: 1 shown, 1 hidden, 0 not reviewed." in shown.text
        logged = await table(running, "SELECT actor_id, action, detail FROM audit_log WHERE action LIKE '%comment%'")
        assert [(actor, action) for actor, action, _ in logged] == [
            (ADMIN_ID, "delphi.comment_hidden"),
            (ADMIN_ID, "delphi.comment_shown"),
        ]
        detail = json.loads(logged[0][2])
        # The author is a pseudonym (10 hex digits: they may hold the id's digits by chance); nothing else names her.
        others = json.dumps({key: value for key, value in detail.items() if key != "author"})
        assert detail["question"] == "q1" and re.fullmatch("[0-9a-f]{10}", detail["author"])
        assert str(ada.id) not in others

        running.clock.advance(hours=2)
        await running.settled()
        invitation = await standin.wait_for(lambda s: s.chat_id == ada.id and "Round 1 said" in s.text)
        assert "« Helpdesks work in Kenya. »" in invitation.text and "Dupont" not in invitation.text


async def test_a_long_list_of_comments_is_read_page_by_page(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with round_open(standin, tmp_path, catalogue) as running:
        admin, ada = ChatUser(standin, ADMIN_ID), ChatUser(standin, B3_PERSON)
        await answer_first_question(ada, "5", "Short.")
        await admin.say("/delphi_close implementation-2030")
        assert running.db is not None
        for person in range(900, 904):  # four comments of a thousand characters after Ada's: not all on one page
            await running.db.write(
                "INSERT INTO delphi_answers (round_id, question, person_id, value, comment, answered_at)"
                " SELECT id, 0, ?, 5, ?, '2030-01-01' FROM delphi_rounds",
                (person, "Long " * 200),
            )
        first = await admin.say("/delphi_comments implementation-2030 1")
        assert "Page 1 / 2" in first.text and "<b>4. q1</b>" in first.text and "<b>5. q1</b>" not in first.text
        second = await admin.press("Next ›")
        assert "Page 2 / 2" in second.text and "<b>5. q1</b>" in second.text
        assert [label for label, _ in second.buttons] == ["5: show", "5: hide", "‹ Previous"]
        await admin.press("5: show")  # acts on its page, which stays the one shown
        assert "Page 2 / 2" in admin.last.text and "<b>5. q1</b> · shown" in admin.last.text
        assert "Page 1 / 2" in (await admin.press("‹ Previous")).text


# ---------------------------------------------------------------- agreement regions and stopping rules


async def test_an_even_scale_judged_by_percent_names_its_agreement_region(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """On 4 points the top third is 4 alone: a 3 (agree) was not counted, and a 2 shared a band with a 3."""
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin = ChatUser(standin, ADMIN_ID)
        four = {"id": "q1", "type": "likert", "scale": 4, "text": "Do you agree?"}
        percent = {"rule": "percent:70"}
        refused = await send_round(admin, round_file(running.clock(), consensus=percent, questions=[four]))
        assert "questions[0].agree</code>: q1 has 4 points, so no midpoint: <code>percent:N</code> needs" in (
            refused.text
        )
        wrong = await send_round(admin, round_file(running.clock(), questions=[four | {"agree": [2, 3]}]))
        assert "questions[0].agree</code>: the agreement region is consecutive points from one end" in wrong.text
        await open_round(running, admin, consensus=percent, questions=[four | {"agree": [3, 4]}])
        for who, point in ((B3_PERSON, "3"), (B2_PERSON, "3"), (PENDING_PERSON, "4")):
            await answer(ChatUser(standin, who), "Do you agree?", point)
        marker = len(standin.sent)
        report = await admin.say("/delphi_results implementation-2030")
        assert "Shares: 1–2 0 % · 3–4 100 %" in report.text
        assert "Verdict (percent:70): <b>consensus</b>" in report.text
        await standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)  # the last it sends

        await admin.say("/delphi_close implementation-2030")  # round 2 carries percent:70 on, to new questions too
        another = {"id": "q2", "type": "likert", "scale": 6, "text": "And now?"}
        refused = await send_round(admin, second_round(running.clock(), questions=[another]))
        assert "questions[0].agree</code>: q2 has 6 points" in refused.text
        loaded = await send_round(admin, second_round(running.clock(), questions=[another | {"agree": [4, 5, 6]}]))
        assert "Round loaded" in loaded.text and "Consensus rule: percent:70" in loaded.text


async def test_a_study_ends_by_the_stopping_rules_fixed_in_round_1(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    admin = ChatUser(standin, ADMIN_ID)
    ada, bea, pia = (ChatUser(standin, who) for who in (B3_PERSON, B2_PERSON, PENDING_PERSON))
    rules = {"max_rounds": 2, "when": "either"}
    questions = [
        {"id": "agreed", "type": "likert", "text": "How important is soil testing?"},
        {"id": "split", "type": "likert", "text": "How urgent is a toolbox?"},
        {"id": "where", "type": "choice", "text": "Which region first?", "options": ["Africa", "Europe"]},
    ]
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        await open_round(running, admin, questions=questions, stopping=rules)
        for person, point in ((ada, "2"), (bea, "5"), (pia, "8")):
            await answer(person, "soil testing", "8")
            await answer(person, "toolbox", point)
            await answer(person, "region", "Africa")
        closed = await admin.say("/delphi_close implementation-2030")
        assert "is closed" in closed.text and "complete" not in closed.text
        marker = len(standin.sent)
        report = await admin.say("/delphi_results implementation-2030")
        await standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)  # the last it sends
        said = "Stopping rules: at most 2 rounds; a question stops when it reaches consensus or its answers are stable"
        assert said in report.text
        blocks = report.text.split("\n\n")
        assert "Stopping rules: stops (consensus reached)" in next(b for b in blocks if "agreed" in b)
        assert "Stopping rules: goes on to the next round" in next(b for b in blocks if "split" in b)
        assert "Stopping rules: goes on to the next round" in next(b for b in blocks if "where" in b)  # one round

        now = running.clock()
        changed = await send_round(admin, second_round(now, questions=[], stopping=rules | {"max_rounds": 3}))
        assert "stopping</code>: the stopping rules were fixed in round 1 and cannot change" in changed.text
        loaded = await send_round(admin, second_round(now, questions=[], stopping=rules))  # round 1's, copied
        assert "split (scale, asked again), where (choice, asked again)" in loaded.text
        assert "agreed" not in loaded.text  # it stopped: not asked again, though not listed in repeat
        running.clock.advance(hours=2)
        await running.settled()
        for person, point in ((ada, "2"), (bea, "8"), (pia, "8")):
            await answer(person, "toolbox", point)
            await answer(person, "region", "Africa")

        running.clock.advance(days=10)  # round 2 closes by itself: the study is complete
        await running.ticks()
        told = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "closed:" in s.text and "round 2" in s.text)
        assert "The study is complete: round 2 was the last of at most 2 rounds fixed in advance." in told.text
        beyond = await send_round(admin, second_round(running.clock(), round=3))
        assert "round</code>: the stopping rules fixed in round 1 allow at most 2 rounds" in beyond.text

        marker = len(standin.sent)
        await admin.say("/delphi_results implementation-2030")
        await standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)
        texts = "\n".join(s.text for s in standin.sent[marker:] if s.chat_id == ADMIN_ID)
        assert "<b>Round 1 → 2</b>" in texts
        assert "split</b>: 3 answered both rounds (0 dropped out, 0 new); 1 of 3 changed their answer (33 %)" in texts
        assert "The study is complete: round 2 was the last" in texts
        blocks = texts.split("\n\n")
        assert "Stopping rules: stops (the study's last round)" in next(b for b in blocks if "How urgent" in b)
        assert "Stopping rules: stops (answers stable)" in next(b for b in blocks if "Which region" in b)


async def test_a_one_round_study_is_complete_when_it_is_closed(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        admin = ChatUser(standin, ADMIN_ID)
        await open_round(running, admin, stopping={"max_rounds": 1})
        closed = await admin.say("/delphi_close implementation-2030")
        assert "The study is complete: round 1 was the last of at most 1 round fixed in advance." in closed.text
        refused = await send_round(admin, second_round(running.clock()))
        assert "round</code>: the stopping rules fixed in round 1 allow at most 1 round" in refused.text
