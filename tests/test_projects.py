"""End to end: a member describes an action or a project (/project), checks it and submits it for review."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.i18n import LANGUAGE_NAMES, Translate, translator
from bot.models import Catalogue, RegistrationStatus, Role
from bot.project_models import ProjectField, ProjectStatus, Stage
from bot.services.fields import REASON_LIMIT
from bot.services.project_catalogue import PROGRESS_LIMIT
from bot.services.project_fields import AMOUNT_LIMIT, LIMITS
from bot.storage import projects as rows
from bot.storage.projects import Value
from bot.views.account import LeaveYes
from bot.views.pdf import MARGIN
from bot.views.project_catalogue import CatalogueOffer, export_columns
from bot.views.projects import ProjectAnswer, ProjectMine, ProjectNav, ProjectResume, ProjectsPage, ProjectToggle
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, audit_rows, bot_with, seed
from tests.pdf_layout import beyond_margins, drawn
from tests.standin import BotApiStandIn, Sent
from tests.test_facilitation import facilitate, people
from tests.test_reports import documents

ACTIVE = RegistrationStatus.ACTIVE
ADA = 1001


@pytest.fixture
async def running_bot(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> AsyncIterator[RunningBot]:
    """An entry takes some twenty answers in a few seconds: more than a person's flood limit."""
    async with bot_with(standin, tmp_path, catalogue, flood_limit=1000) as running:
        yield running


async def member(running: RunningBot, *codes: str, telegram_id: int = ADA, name: str = "Ada Lovelace") -> ChatUser:
    places = tuple((code, Role.MEMBER, ACTIVE) for code in codes)
    await seed(running, Seeded(telegram_id, places=places, name=name))
    first, _, last = name.partition(" ")
    return ChatUser(running.standin, telegram_id, first_name=first, last_name=last)


ENGLISH = translator("en")


async def describe(
    person: ChatUser,
    code: str | None = "B3",
    *,
    funding: str = "100000 EUR",
    _: Translate = ENGLISH,
    region: str = "Africa",
) -> None:
    """Every question of /project answered, up to the summary; the buttons read in the language `_` translates to,
    which the entry is written in."""
    await person.say(f"/project {code}" if code else "/project")
    await person.say("Living soils of the Sahel")
    await person.press(_("on-going"))
    if code is None:
        await person.press("B3")
        await person.press(_("Continue ▶"))
    await person.say("Senegal, Mali")
    await person.press(region)
    await person.press(_("Use “{name}”").partition("{")[0])
    await person.say("CIRAD, ISRA")
    await person.say("Restoring 2 000 ha of degraded cropland with agroforestry and compost.")
    await person.say("2 000 ha with +0.4 % soil organic carbon a year.")
    await person.press(_("ready for funding"))
    await person.say("250 000 EUR")
    await person.say(funding)
    await person.say("2026-03")
    await person.say("2028-12")
    await person.say("https://example.org/sahel")
    await person.press(_("Skip"))
    await person.press(LANGUAGE_NAMES[_.language])


async def test_a_member_describes_an_entry_and_submits_it(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3", "C1")
    await describe(ada, None)
    summary = ada.last
    assert "Please check before you submit" in summary.text
    for shown in ("Living soils of the Sahel", "Senegal, Mali", "Africa", "CIRAD, ISRA", "250,000 EUR", "2028-12"):
        assert shown in summary.text
    assert "ready for funding" in summary.text and "Task Forces</b>: B3" in summary.text
    done = await ada.press("Submit for review")
    assert "is submitted" in done.text
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, ADA)
    assert entry.status is ProjectStatus.REVIEW and entry.stage is Stage.READY and entry.taskforces == ["B3"]
    assert entry.budget is not None and (entry.budget.amount, entry.budget.currency) == (250000, "EUR")
    assert entry.author_id == ADA and entry.language == "en" and entry.document_id is None
    assert [row["action"] for row in await audit_rows(running_bot.db, ADA)][-1] == "project.submitted"


async def test_bad_input_names_the_field_and_asks_again(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await ada.say("/project")
    too_long = await ada.say("x" * 151)
    assert "Title</b>" in too_long.text and "at most 150 characters" in too_long.text
    await ada.say("Compost for all")
    await ada.press("planned")
    await ada.say("Kenya")
    assert "In which region" in (await ada.say("Africa, I think")).text  # text where a choice is due
    await ada.press("Africa")
    await ada.say("Soil Institute")
    await ada.press("Skip")
    await ada.say("Compost.")
    await ada.say("Some carbon.")
    await ada.press("idea")
    for typed, said in (
        ("250000 EURO", "ISO 4217"),
        ("250000 FRF", "ISO 4217"),
        ("-5 EUR", "cannot be negative"),
        ("12.5 EUR", "whole amount"),
    ):
        answer = await ada.say(typed)
        assert "Budget</b>" in answer.text and said in answer.text, typed
    assert "The funding it seeks" in (await ada.say("1000USD")).text  # no space needed between amount and code
    over = await ada.say("5000 USD")
    assert "Funding sought</b>" in over.text and "more than the budget" in over.text
    await ada.press("Skip")
    assert "Start</b>" in (await ada.say("2026-13")).text
    await ada.say("2026-03-15")
    before = await ada.say("2026-02")
    assert "End</b>" in before.text and "cannot come before the start" in before.text
    await ada.say("2026-03")  # a month ends with its last day
    assert "Link</b>" in (await ada.say("ftp://example.org")).text
    await ada.say("http://example.org")
    photo = await ada.post(photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    assert "as a file (PDF or DOCX)" in photo.text
    wrong = await ada.post(document=ada.standin.document(b"x", "notes.txt") | {"mime_type": "text/plain"})
    assert "Document</b>" in wrong.text and "PDF or DOCX" in wrong.text
    large = ada.standin.document(b"%PDF", "note.pdf") | {"mime_type": "application/pdf", "file_size": 21 * 1024 * 1024}
    assert "at most 20 MB" in (await ada.post(document=large)).text
    note = ada.standin.document(b"%PDF-1.4", "concept.pdf") | {"mime_type": "application/pdf"}
    language = await ada.post(document=note)
    assert "In which language" in language.text
    summary = await ada.press("Français")
    assert "concept.pdf" in summary.text and "Français" in summary.text
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, ADA)
    assert entry.status is ProjectStatus.DRAFT and entry.partners is None and entry.funding is None
    assert (entry.start, entry.end, entry.document_name) == ("2026-03-15", "2026-03", "concept.pdf")


async def test_back_keeps_the_answer_and_the_summary_edits_one_field(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await describe(ada)
    await ada.press("Edit")
    question = await ada.press("Countries")
    assert "In which countries" in question.text
    back = await ada.press("« Back")
    assert "Please check" in back.text and "Senegal, Mali" in back.text
    await ada.press("Edit")
    await ada.press("Countries")
    summary = await ada.say("Senegal")
    assert "Please check" in summary.text and "Senegal, Mali" not in summary.text
    # Back from the first questions: the earlier answer is offered again with one tap.
    await ada.press("Edit")
    await ada.press("Stage")
    assert "Please check" in (await ada.press("Keep: ready for funding")).text


async def test_a_draft_survives_a_restart_and_another_flow(standin: BotApiStandIn, running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await ada.say("/project B3")
    await ada.say("Compost for all")
    await running_bot.stop()
    await running_bot.start()
    kind = await ada.say("/join")  # another flow: the draft stays in the database
    assert "Which Task Forces" in kind.text
    offered = await ada.say("/project")
    assert "Compost for all" in offered.text and "Carry on" in [label for label, _ in offered.buttons]
    question = await ada.press("Carry on")
    assert "on-going, or planned" in question.text


async def test_stale_and_forged_buttons_change_nothing(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await ada.say("/project B3")
    await ada.say("Compost for all")
    kind = ada.last
    await ada.press("planned")
    assert running_bot.db is not None
    [draft] = await rows.own_projects(running_bot.db, ADA)
    # An earlier question's button: nothing changes, the open question comes again.
    again = await ada.press_data(
        ProjectAnswer(project=draft.id, field="kind", value="ongoing").pack(), kind.message_id or 0
    )
    assert "no longer valid" in again.text and "In which countries" in again.text
    # Someone else's draft, and a submit before the summary: refused.
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    alert = await bob.alert(ProjectNav(project=draft.id, action="submit").pack())
    assert "no longer valid" in alert or "already submitted" in alert
    early = await ada.press_data(ProjectNav(project=draft.id, action="submit").pack(), kind.message_id or 0)
    assert "In which countries" in early.text
    [still] = await rows.own_projects(running_bot.db, ADA)
    assert still.status is ProjectStatus.DRAFT and still.kind is not None and still.kind.value == "planned"


async def test_only_members_describe_and_only_for_their_task_forces(running_bot: RunningBot) -> None:
    nobody = ChatUser(running_bot.standin, 1003, first_name="Nemo")
    assert "join one first" in (await nobody.say("/project")).text
    ada = await member(running_bot, "B3")
    assert "not an active member of Task Force C1" in (await ada.say("/project C1")).text


async def test_an_entry_is_described_and_read_in_spanish(running_bot: RunningBot, catalogue: Catalogue) -> None:
    """Issue 24 (review B, 9): the issue wants it all in en, fr and es; Spanish had no test end to end."""
    standin, _ = running_bot.standin, translator("es")
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    await seed(running_bot, Seeded(ADA, places=(("B3", Role.MEMBER, ACTIVE),), name="Ana Suelo"))
    ana = ChatUser(standin, ADA, first_name="Ana", language_code="es")
    await describe(ana, _=_, region=catalogue.regions[0]("es"))
    summary = ana.last
    assert _("<b>Please check before you submit.</b>") in summary.text and _("ready for funding") in summary.text
    assert "250.000 EUR" in summary.text and "Español" in summary.text  # Spanish digits, the code as typed
    await ana.press(_("📤 Submit for review"))
    await review_prompt(p["fran"])
    await p["fran"].press("Accept")
    told = await standin.wait_for(lambda s: s.chat_id == ADA and "🎉" in s.text)
    assert told.text == _("🎉 “{title}” is accepted: it is in the catalogue of its Task Forces.").format(
        title="Living soils of the Sahel"
    )
    await seed(running_bot, Seeded(1004, places=(("B3", Role.MEMBER, ACTIVE),), name="Luis Lector"))
    luis = ChatUser(standin, 1004, first_name="Luis", language_code="es")
    card = await luis.say("/catalogue B3")
    heading = _("<b>Catalogue of Task Force {code}</b> · {title}").partition(" · ")[0].format(code="B3")
    assert heading in card.text and "Living soils of the Sahel" in card.text and _("ready for funding") in card.text
    assert _("{n} of {m}").format(n=1, m=1) in card.text and "(redactado en" not in card.text
    english = await p["bob"].say("/catalogue B3")
    assert "(written in Español)" in english.text


async def test_projects_lists_many_entries_a_page_at_a_time(running_bot: RunningBot) -> None:
    """Issue 24 (review B, 5): /projects showed the newest 20 entries, and no way to the older ones."""
    ada = await member(running_bot, "B3")
    for number in range(1, 26):
        await accepted(running_bot, ADA, "B3", f"Entry {number:02}")
    first = await ada.say("/projects")
    labels = [label for label, _ in first.buttons]
    assert "1 of 2" in first.text and "Entry 25" in first.text and "Entry 06" in first.text
    assert "Entry 05" not in first.text and labels[0] == "Entry 25 ›" and labels[-1] == "▶" and "◀" not in labels
    second = await ada.press("▶")
    labels = [label for label, _ in second.buttons]
    assert "2 of 2" in second.text and "Entry 05" in second.text and "Entry 01" in second.text
    assert "Entry 06" not in second.text and labels == [
        "Entry 05 ›",
        "Entry 04 ›",
        "Entry 03 ›",
        "Entry 02 ›",
        "Entry 01 ›",
        "◀",
    ]
    card = await ada.press("Entry 01")
    assert "Entry 01" in card.text and "Edit" in [label for label, _ in card.buttons]
    beyond = await ada.press_data(ProjectsPage(page=7).pack(), second.message_id or 0)  # an older list's button
    assert "2 of 2" in beyond.text and "Entry 01" in beyond.text
    assert "1 of 2" in (await ada.press("◀")).text


# ---------------------------------------------------------------- review


async def fran_and_ada(running: RunningBot) -> tuple[dict[str, ChatUser], ChatUser]:
    """Fran facilitates B3, Ada is a member of it: the people, and Ada."""
    p = people(running.standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    return p, await member(running, "B3")


async def review_prompt(person: ChatUser, start: int = 0) -> Sent:
    return await person.standin.wait_for(
        lambda s: s.chat_id == person.id and s.method == "sendMessage" and "to review" in s.text, start=start
    )


async def submitted_entry(running: RunningBot, ada: ChatUser) -> int:
    await describe(ada)
    await ada.press("Submit for review")
    assert running.db is not None
    [entry] = await rows.own_projects(running.db, ada.id)
    return entry.id


async def test_the_facilitators_and_the_leader_review_and_the_first_decision_wins(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    await seed(running_bot, Seeded(2002, places=(("B3", Role.LEADER, ACTIVE),), name="Gus Guide"))
    ada = await member(running_bot, "B3")
    await submitted_entry(running_bot, ada)
    fran_prompt, gus_prompt = await review_prompt(p["fran"]), await review_prompt(p["gus"])
    for prompt in (fran_prompt, gus_prompt):
        assert "Living soils of the Sahel" in prompt.text and "Ada Lovelace" in prompt.text
        assert [label for label, _ in prompt.buttons] == ["✅ Accept", "✏️ Ask for changes", "❌ Decline"]
    assert "Accepted" in await p["fran"].alert(fran_prompt.buttons[0][1], fran_prompt.message_id or 0)
    told = await standin.wait_for(lambda s: s.chat_id == ADA and "is accepted" in s.text)
    assert "Living soils of the Sahel" in told.text
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.chat_id == p["gus"].id and "Accepted by Fran" in s.text
    )
    assert edited.message_id == gus_prompt.message_id and edited.buttons == []
    late = await p["gus"].alert(gus_prompt.buttons[0][1], gus_prompt.message_id or 0)
    assert "Already decided by Fran Facil" in late
    assert "cannot review your own" in await ada.alert(fran_prompt.buttons[0][1])
    assert "Only the facilitators" in await p["bob"].alert(fran_prompt.buttons[0][1])
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, ADA)
    assert entry.status is ProjectStatus.ACCEPTED and entry.decided_by == p["fran"].id


async def test_changes_asked_are_answered_by_editing_and_an_accepted_entry_goes_back_to_review(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    await submitted_entry(running_bot, ada)
    await review_prompt(p["fran"])
    asked = await p["fran"].press("Ask for changes")
    assert "What should change?" in asked.text
    sticker = await p["fran"].post(
        sticker={
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    )
    assert "Please type your words for the author as a text message." in sticker.text
    await p["fran"].say("Please name the roles of the partners.")
    told = await standin.wait_for(lambda s: s.chat_id == ADA and "ask for changes" in s.text)
    assert "Please name the roles of the partners." in told.text
    await ada.press("Edit the entry")
    await ada.press("Edit")
    await ada.press("Partners")
    await ada.say("CIRAD (science), ISRA (field trials)")
    marker = len(standin.sent)
    assert "is submitted" in (await ada.press("Submit for review")).text
    again = await review_prompt(p["fran"], marker)
    assert "CIRAD (science)" in again.text
    await p["fran"].press("Accept")
    await standin.wait_for(lambda s: s.chat_id == ADA and "is accepted" in s.text)
    assert running_bot.db is not None
    # Submitted unchanged, it stays in the catalogue; a new document (readers get it from the card) or a new link goes
    # back to review, and is accepted again before readers see it.
    [entry] = await rows.own_projects(running_bot.db, ADA)
    note = ada.standin.document(b"%PDF-1.4", "concept-v2.pdf") | {"mime_type": "application/pdf"}
    for field, answer in (("Title", None), ("Document", note), ("Link", "https://example.org/new")):
        await ada.say("/projects")
        await ada.press("Living soils")
        await ada.press("Edit")
        await ada.press("Edit")
        await ada.press(field)
        if answer is None:
            await ada.press("Keep")
        else:
            await (ada.post(document=answer) if isinstance(answer, dict) else ada.say(answer))
        marker = len(standin.sent)
        outcome = await ada.press("Submit for review")
        [now] = await rows.own_projects(running_bot.db, ADA)
        if answer is None:
            assert "Nothing changed" in outcome.text and now.status is ProjectStatus.ACCEPTED
            continue
        assert "is submitted" in outcome.text and now.status is ProjectStatus.REVIEW, field
        assert "Living soils" in (await review_prompt(p["fran"], marker)).text
        await p["fran"].press("Accept")
        await standin.wait_for(lambda s: s.chat_id == ADA and "is accepted" in s.text, start=marker)
    [now] = await rows.own_projects(running_bot.db, ADA)
    assert now.id == entry.id and now.link == "https://example.org/new" and now.document_name == "concept-v2.pdf"


async def test_an_author_withdraws_an_entry_and_its_prompts_say_so(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    await submitted_entry(running_bot, ada)
    prompt = await review_prompt(p["fran"])
    listing = await ada.say("/projects")
    assert "Living soils of the Sahel" in listing.text and "waiting for review" in listing.text
    card = await ada.press("Living soils")
    assert "Senegal, Mali" in card.text and [label for label, _ in card.buttons] == ["Edit", "Withdraw"]
    assert "for good" in (await ada.press("Withdraw")).text
    assert "is withdrawn" in (await ada.press("Withdraw it")).text
    await standin.wait_for(
        lambda s: (
            s.method == "editMessageText" and s.message_id == prompt.message_id and "Withdrawn by its author" in s.text
        )
    )
    assert "withdrawn this entry" in await p["fran"].alert(prompt.buttons[0][1], prompt.message_id or 0)
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, ADA)
    assert "no longer valid" in await bob.alert(ProjectMine(project=entry.id, action="confirm").pack())


async def test_waiting_reviews_are_reminded_then_escalated_and_nobody_means_the_secretariat(
    running_bot: RunningBot,
) -> None:
    standin, clock = running_bot.standin, running_bot.clock
    p = people(standin)
    await p["admin"].say("/start")
    ada = await member(running_bot, "C2")
    await submitted_entry_in(ada, "C2")
    await review_prompt(p["admin"])  # no facilitator nor Leader: the Secretariat reviews
    clock.advance(hours=49)
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "still waiting for your review" in s.text)
    for _ in range(3):
        clock.advance(hours=25)
        await running_bot.ticks()
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "after three reminders" in s.text)


async def submitted_entry_in(ada: ChatUser, code: str) -> None:
    await describe(ada, code)
    await ada.press("Submit for review")


# ---------------------------------------------------------------- the catalogue


async def accepted(running: RunningBot, author: int, code: str, title: str, **fields: Value) -> int:
    """An entry as a review leaves it (written straight to the rows: for tests of the catalogue, not of describing)."""
    db = running.db
    assert db is not None
    now = running.clock()
    answers: dict[ProjectField, tuple[Value, ...]] = {
        ProjectField.TITLE: (title,),
        ProjectField.KIND: ("ongoing",),
        ProjectField.COUNTRIES: ("Kenya",),
        ProjectField.REGION: (fields.get("region", "Africa"),),
        ProjectField.LEAD: ("Soil Institute",),
        ProjectField.SUMMARY: (f"What {title} does.",),
        ProjectField.CONTRIBUTION: ("More carbon.",),
        ProjectField.STAGE: (fields.get("stage", "running"),),
        ProjectField.FUNDING: (fields.get("funding"), fields.get("currency", "EUR") if fields.get("funding") else None),
        ProjectField.START: ("2026-01",),
        ProjectField.DOCUMENT: (fields.get("document"), "note.pdf" if fields.get("document") else None),
        ProjectField.LANGUAGE: (fields.get("language", "en"),),
    }
    async with db.transaction() as tx:
        project_id = await rows.create(tx, author, now)
        for field, values in answers.items():
            await rows.set_field(tx, project_id, field, values)
        await rows.set_taskforces(tx, project_id, [code])
        await rows.set_status(tx, project_id, ProjectStatus.ACCEPTED, now, decided_by=ADMIN_ID)
    running.clock.advance(minutes=1)  # the most recently accepted comes first
    return project_id


async def test_the_catalogue_shows_a_card_each_filtered_and_paged(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await accepted(running_bot, ADA, "B3", "Compost for all", stage="idea")
    await accepted(running_bot, ADA, "B3", "Haies vives", language="fr", funding=50000, region="Europe")
    await accepted(running_bot, ADA, "C1", "Peatland care")
    reader = await member(running_bot, "C1", telegram_id=1002, name="Bob Builder")
    overview = await reader.say("/catalogue")
    assert "B3" in overview.text and [label for label, _ in overview.buttons] == ["B3 (2)", "C1 (1)"]
    first = await reader.press("B3 (2)")
    assert "Haies vives" in first.text and "1 of 2" in first.text and "(written in Français)" in first.text
    assert "50,000 EUR" in first.text and "Team Member of Task Force B3, Org" in first.text
    second = await reader.press("▶")
    assert "Compost for all" in second.text and "2 of 2" in second.text and "written in" not in second.text
    funding = await reader.press("Seeking funding only")
    assert "Haies vives" in funding.text and "1 of 1" in funding.text
    await reader.press("All entries")
    region = await reader.press("Region: any")  # the first region: Africa
    assert "Compost for all" in region.text and "1 of 1" in region.text
    stage = await reader.press("Stage: any")  # idea
    assert "Compost for all" in stage.text
    nothing = await reader.press("Stage: idea")  # design
    assert "No entry fits these filters" in nothing.text
    # In French, the bot's words are French and the English entry is marked so.
    lea = ChatUser(running_bot.standin, 1004, first_name="Léa", language_code="fr")
    french = await lea.say("/catalogue B3")
    assert "Catalogue de la Task Force B3" in french.text and "Haies vives" in french.text
    assert "rédigé" not in french.text
    english = await lea.press("▶")
    assert "Compost for all" in english.text and "(rédigé en English)" in english.text
    assert ada.id == ADA


async def test_i_would_like_to_contribute_tells_the_contact_once(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await member(running_bot, "B3")
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all", document="file42")
    bob = await member(running_bot, "C1", telegram_id=1002, name="Bob Builder")
    await bob.say("/catalogue B3")
    question = await bob.press("I'd like to contribute")
    assert "Your name and a link to write to you" in question.text
    done = await bob.press("Yes, pass them on")
    assert "is told who you are" in done.text
    told = await standin.wait_for(lambda s: s.chat_id == ADA and "would like to contribute" in s.text)
    assert 'href="tg://user?id=1002"' in told.text and "Compost for all" in told.text
    again = await bob.alert(CatalogueOffer(project=project_id, step="agreed").pack())
    assert "already offered" in again
    marker = len(standin.sent)
    await bob.say("/catalogue B3")
    await bob.press("Document")
    sent = await standin.wait_for(lambda s: s.method == "sendDocument" and s.chat_id == bob.id, start=marker)
    assert sent.params["document"] == "file42"


async def test_progress_is_reported_by_the_author_and_asked_for_every_few_months(running_bot: RunningBot) -> None:
    standin, clock = running_bot.standin, running_bot.clock
    p, ada = await fran_and_ada(running_bot)
    await describe(ada)
    await ada.press("Edit")
    await ada.press("Stage")
    await ada.press("running")
    await ada.press("Submit for review")
    await review_prompt(p["fran"])
    await p["fran"].press("Accept")
    await standin.wait_for(lambda s: s.chat_id == ADA and "is accepted" in s.text)
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    card = await bob.say("/catalogue B3")
    assert "Add progress" not in [label for label, _ in card.buttons]  # neither its contact nor a Leader

    async def reminders_after(**delta: float) -> int:
        clock.advance(**delta)
        await running_bot.settled()
        return len([s for s in standin.sent if s.chat_id == ADA and "How is" in s.text])

    # Accepted on 29 November: asked on 28 February (three months, the month's last day), not before.
    assert await reminders_after(days=89) == 0
    assert await reminders_after(days=2) == 1
    assert [label for label, _ in ada.last.buttons] == ["📝 Add progress"]
    clock.advance(days=30)  # 30 March: an update, and the next question three months after it
    await ada.say("/projects")
    await ada.press("Living soils")
    asked = await ada.press("Add progress")
    assert "What is new" in asked.text
    photo = await ada.post(photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    assert photo.text == "Please type the progress update as a text message."  # and the question still waits
    assert "at most 500 characters" in (await ada.say("x" * 501)).text
    assert "on the card" in (await ada.say("First 300 ha planted.")).text
    card = await bob.say("/catalogue B3")
    assert "Latest progress" in card.text and "First 300 ha planted." in card.text
    assert await reminders_after(days=89) == 1  # 27 June: three months after the reminder, but not after the update
    assert await reminders_after(days=3) == 2  # 30 June


# ---------------------------------------------------------------- the export


async def test_the_export_has_one_row_per_entry_with_stable_keys_and_no_formula(running_bot: RunningBot) -> None:
    keys = [key for key, _name, _width in export_columns(translator("en"))]
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "C1"))
    await member(running_bot, "B3", "C1")
    await accepted(running_bot, ADA, "B3", '=HYPERLINK("http://evil")', funding=5000)
    await accepted(running_bot, ADA, "C1", "Peatland care", language="fr")
    admin, marker = ChatUser(standin, ADMIN_ID), len(standin.sent)
    await admin.say("/catalogue_export")
    csv_file, xlsx_file = await documents(standin, ADMIN_ID, 2, marker)
    raw = csv_file.files["document"]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read accents right
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == keys and len(table) == 3
    first = dict(zip(table[0], table[1], strict=True))
    assert first["title"] == '\'=HYPERLINK("http://evil")' and first["funding_amount"] == "5000"
    assert first["status"] == "in the catalogue" and first["contact_name"] == "Ada Lovelace"
    book = load_workbook(io.BytesIO(xlsx_file.files["document"]))
    sheet = book.worksheets[0]
    # The keys, then their names in the requester's language (bold, frozen above the filtered rows), as /export.
    assert [cell.value for cell in sheet[1]] == keys
    named = [cell.value for cell in sheet[2]]
    assert named[:4] == ["Entry id", "Task Forces", "Status", "Title"] and named[-1] == "Latest progress (UTC)"
    assert sheet[2][0].font.b and sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:AA4"
    assert sheet.cell(3, keys.index("title") + 1).value == '\'=HYPERLINK("http://evil")'
    assert isinstance(sheet.cell(3, keys.index("decided_utc") + 1).value, datetime)
    # A facilitator gets their task forces' entries; anyone else nothing.
    marker = len(standin.sent)
    await p["fran"].say("/catalogue_export")
    [fran_csv, _] = await documents(standin, p["fran"].id, 2, marker)
    rows_seen = list(csv.reader(io.StringIO(fran_csv.files["document"].decode("utf-8-sig"))))[1:]
    assert [row[keys.index("title")] for row in rows_seen] == ["Peatland care"]
    assert "for facilitators of a Task Force" in (await p["bob"].say("/catalogue_export")).text


# ---------------------------------------------------------------- the "Investment opportunities" PDF


async def test_the_investment_opportunities_pdf_has_a_cover_and_a_page_per_entry_seeking_funding(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    await member(running_bot, "B3", "B4")
    await accepted(running_bot, ADA, "B3", "Haies vives", funding=50000, language="fr")
    await accepted(running_bot, ADA, "B4", "Soil labs for all", funding=9000)
    await accepted(running_bot, ADA, "B3", "Compost for all")  # seeks no funding: not in it
    assert "Write /opportunities" in (await p["fran"].say("/opportunities")).text
    marker = len(standin.sent)
    await p["fran"].say("/opportunities B3")
    [sent] = await documents(standin, p["fran"].id, 1, marker)
    reader = PdfReader(io.BytesIO(sent.files["document"]))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2 and "Investment opportunities" in pages[0] and "Haies vives" in pages[0]
    assert "Compost for all" not in "".join(pages) and "Soil labs" not in "".join(pages)
    assert "50,000 EUR" in pages[1] and "Team Member of Task Force B3, Org" in pages[1] and "Ada" not in pages[1]
    assert "Only the facilitators of Task Force B" in (await p["fran"].say("/opportunities B")).text
    marker = len(standin.sent)
    lea = ChatUser(standin, ADMIN_ID, language_code="fr")
    await lea.say("/opportunities B")
    [goal] = await documents(standin, ADMIN_ID, 1, marker)
    french = [page.extract_text() for page in PdfReader(io.BytesIO(goal.files["document"])).pages]
    assert len(french) == 3 and "Soil labs for all" in french[0] and "(rédigé en English)" in french[1]


async def test_a_word_longer_than_a_line_is_split_whole_and_stays_within_the_margins(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    await member(running_bot, "B3")
    link = "https://example.org/" + "hedgerows-and-soil-carbon/" * 12  # a line and a half of 18-point title
    await accepted(running_bot, ADA, "B3", f"Hedges {link}", funding=50000)
    marker = len(standin.sent)
    await p["fran"].say("/opportunities B3")
    [sent] = await documents(standin, p["fran"].id, 1, marker)
    pdf = sent.files["document"]
    pieces = drawn(pdf)
    entry = "".join(piece.text for piece in pieces if piece.page == 2)
    # The title's lines and the summary's, joined: not a character lost.
    assert entry.startswith(f"Hedges{link}") and f"What Hedges{link} does." in entry
    assert not any(link in piece.text for piece in pieces)  # too long for a line, it was split
    assert beyond_margins(pdf, MARGIN) == []


async def test_an_entry_at_its_longest_takes_one_page_of_the_opportunities(running_bot: RunningBot) -> None:
    """Issue 24 (review B, 6): a funder is sent a page per entry; one with every field at its longest took two."""
    standin = running_bot.standin
    await seed(running_bot, Seeded(ADA, places=(("B3", Role.MEMBER, ACTIVE), ("C1", Role.MEMBER, ACTIVE))))
    await longest_entry(running_bot, ADA, "ONE", "B3")
    await longest_entry(running_bot, ADA, "TWO", "B3", "C1")
    for language in ("en", "fr", "es"):
        marker = len(standin.sent)
        await ChatUser(standin, ADMIN_ID, language_code=language).say("/opportunities B")
        [sent] = await documents(standin, ADMIN_ID, 1, marker)
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(sent.files["document"])).pages]
        assert beyond_margins(sent.files["document"], MARGIN) == [], language
        contact = translator(language)("through the Executive Secretariat")
        entries = [number for number, page in enumerate(pages) if contact in page]
        assert entries == [len(pages) - 2, len(pages) - 1], language  # after the cover, a page each
        for page, mark in zip(entries, ("TWO", "ONE"), strict=True):  # the most recently accepted first
            text, footer = pages[page].replace("\n", " ").rstrip(), f"{page + 1} / {len(pages)}"
            assert text.startswith(f"{mark} WMW") and text.endswith(footer), (language, mark)
            assert mark in text.removesuffix(footer)[-8:], (language, mark)  # its latest progress, whole, last


# ---------------------------------------------------------------- /forget, /stats


async def test_a_contact_who_forgets_leaves_the_entry_hidden_until_a_facilitator_names_another(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all")
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    assert "Compost for all" in (await bob.say("/catalogue B3")).text
    await ada.say("/forget")
    await ada.press("Delete all my data")
    assert "Compost for all" not in (await bob.say("/catalogue B3")).text
    assert running_bot.db is not None
    withdrawn = [row for row in await audit_rows(running_bot.db) if row["action"] == "project.contact_withdrawn"]
    assert [(row["actor_id"], row["subject_id"]) for row in withdrawn] == [(None, None)]
    assert "Only the facilitators" in (await bob.say(f"/project_contact {project_id} 1002")).text
    assert "Write /project_contact" in (await p["fran"].say("/project_contact 99999999999999999999 1002")).text
    named = await p["fran"].say(f"/project_contact {project_id} 1002")
    assert "Bob Builder is now its contact" in named.text
    await standin.wait_for(lambda s: s.chat_id == 1002 and "You are now the contact" in s.text)
    card = await bob.say("/catalogue B3")
    assert "Compost for all" in card.text
    assert "has its contact" in (await p["fran"].say(f"/project_contact {project_id} 1002")).text
    assert [entry.title for entry in await rows.own_projects(running_bot.db, 1002)] == ["Compost for all"]


async def test_an_offer_made_to_a_forgotten_contact_can_be_made_again_to_the_next(running_bot: RunningBot) -> None:
    """Issue 24 (review B, 2): the offer stayed while its notice was deleted with the contact's chat: the reader
    was told "its contact was told" (false) and the next contact never heard."""
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all")
    bob = await member(running_bot, "C1", telegram_id=1002, name="Bob Builder")
    await bob.say("/catalogue B3")
    await bob.press("I'd like to contribute")
    await bob.press("Yes, pass them on")
    await ada.say("/forget")
    await ada.press("Delete all my data")
    carl = await member(running_bot, "B3", telegram_id=1005, name="Carl Compost")
    assert "Carl Compost is now its contact" in (await p["fran"].say(f"/project_contact {project_id} 1005")).text
    await bob.say("/catalogue B3")
    await bob.press("I'd like to contribute")
    assert "is told who you are" in (await bob.press("Yes, pass them on")).text
    told = await standin.wait_for(lambda s: s.chat_id == carl.id and "would like to contribute" in s.text)
    assert "Bob Builder" in told.text and "Compost for all" in told.text


async def test_an_entry_in_review_when_its_contact_forgets_keeps_its_review_without_them(
    running_bot: RunningBot,
) -> None:
    """Issue 24 (review B, 3): the prompts no longer name the contact but still ask; accepted, the entry stays
    out of the catalogue until a facilitator names another contact, who is then told of it."""
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    project_id = await submitted_entry(running_bot, ada)
    prompt = await review_prompt(p["fran"])
    assert "Ada Lovelace" in prompt.text
    await ada.say("/forget")
    await ada.press("Delete all my data")
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id and "contact withdrawn" in s.text
    )
    assert "Lovelace" not in edited.text and "Living soils of the Sahel" in edited.text
    assert [label for label, _ in edited.buttons] == ["✅ Accept", "✏️ Ask for changes", "❌ Decline"]
    assert "Accepted" in await p["fran"].alert(edited.buttons[0][1], prompt.message_id or 0)
    await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "Accepted by Fran" in s.text)
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    assert "Living soils" not in (await bob.say("/catalogue B3")).text  # accepted, but without a contact
    assert "Bob Builder is now its contact" in (await p["fran"].say(f"/project_contact {project_id} 1002")).text
    await standin.wait_for(lambda s: s.chat_id == bob.id and "You are now the contact" in s.text)
    card = await bob.say("/catalogue B3")
    assert "Living soils of the Sahel" in card.text and "Team Member of Task Force B3" in card.text
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, bob.id)
    assert entry.id == project_id and entry.status is ProjectStatus.ACCEPTED


def longest(limit: int, mark: str) -> str:
    """`limit` characters in words of the widest letters, opened and closed by `mark` (to find both ends again)."""
    inner = ("WMWMWMW " * limit)[: limit - 2 * len(mark) - 2].rstrip().ljust(limit - 2 * len(mark) - 2, "W")
    return f"{mark} {inner} {mark}"


async def longest_entry(running: RunningBot, author: int, mark: str, *codes: str) -> int:
    """An entry in the catalogue with every field at its longest, for these task forces, and its longest progress."""
    db = running.db
    assert db is not None
    project_id = await accepted(running, author, codes[0], longest(LIMITS[ProjectField.TITLE], mark))
    link = "https://example.org/"
    answers: dict[ProjectField, tuple[Value, ...]] = {
        **{field: (longest(limit, mark),) for field, limit in LIMITS.items()},
        ProjectField.LINK: (link + "w" * (LIMITS[ProjectField.LINK] - len(link)),),
        ProjectField.BUDGET: (AMOUNT_LIMIT - 1, "EUR"),
        ProjectField.FUNDING: (AMOUNT_LIMIT - 1, "EUR"),
        ProjectField.END: ("2100-12-31",),
        ProjectField.DOCUMENT: ("file42", "W" * 196 + ".pdf"),
    }
    async with db.transaction() as tx:
        for field, values in answers.items():
            await rows.set_field(tx, project_id, field, values)
        await rows.set_taskforces(tx, project_id, list(codes))
        await rows.add_update(tx, project_id, author, longest(PROGRESS_LIMIT, mark), running.clock())
    return project_id


async def test_the_author_s_card_at_the_longest_keeps_the_reviewer_s_words_and_the_changes_waiting(
    running_bot: RunningBot,
) -> None:
    """Issue 24 (review B, 4): cut from its end to fit a message, the card lost them, written after the entry."""
    assert running_bot.db is not None
    for number, language in enumerate(("en", "fr", "es")):
        telegram_id = ADA + 10 * number
        await seed(running_bot, Seeded(telegram_id, places=(("B3", Role.MEMBER, ACTIVE),), name="Ada Lovelace"))
        author = ChatUser(running_bot.standin, telegram_id, first_name="Ada", language_code=language)
        project_id = await longest_entry(running_bot, telegram_id, f"T{number}", "B3")
        comment = longest(REASON_LIMIT, "WORDS")
        async with running_bot.db.transaction() as tx:
            now = running_bot.clock()
            await rows.set_status(tx, project_id, ProjectStatus.CHANGES, now, decided_by=ADMIN_ID, comment=comment)
            await rows.create(tx, telegram_id, now, revises=project_id)
        await author.say("/projects")
        card = await author.press(f"T{number} ")
        _ = translator(language)
        assert _("Status") in card.text and _("changes asked") in card.text, language
        assert comment in card.text, language
        assert _("Your changes to it are not submitted yet: Edit takes you back to them.") in card.text, language


async def test_stats_count_the_catalogue_per_task_force_and_stage(running_bot: RunningBot) -> None:
    await member(running_bot, "B3")
    await accepted(running_bot, ADA, "B3", "Compost for all", stage="running")
    await accepted(running_bot, ADA, "B3", "Hedges", stage="idea")
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    await accepted(running_bot, bob.id, "B3", "Peat care", stage="idea")
    await bob.say("/forget")
    await bob.press("Delete all my data")  # his entry leaves the catalogue until another contact is named
    admin, marker = ChatUser(running_bot.standin, ADMIN_ID), len(running_bot.standin.sent)
    await admin.say("/stats")
    counted = await running_bot.standin.wait_for(
        lambda s: s.chat_id == ADMIN_ID and "The catalogue" in s.text, start=marker
    )
    assert "B3: 1 · 0 · 0 · 1 · 0 / 0" in counted.text and "C1:" not in counted.text


# ---------------------------------------------------------------- flows found by review (issue 24)


async def test_an_old_start_a_new_one_leaves_the_draft_being_written(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await ada.say("/project B3")
    await ada.say("Compost for all")
    await ada.say("/project")
    offer, start_over = ada.button("Start a new one")
    await ada.press_data(start_over, offer.message_id or 0)
    await ada.say("Hedges for all")
    assert "already submitted or discarded" in await ada.alert(start_over, offer.message_id or 0)
    countries = await ada.press("planned")  # the draft being written goes on where it stood
    assert "In which countries" in countries.text
    assert running_bot.db is not None
    [draft] = await rows.own_projects(running_bot.db, ADA)
    assert draft.title == "Hedges for all" and draft.kind is not None and draft.kind.value == "planned"


async def test_a_stale_project_button_leaves_a_join_in_progress(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    await describe(ada)
    summary = ada.last
    await ada.press("Submit for review")
    await ada.say("/project B3")
    await ada.say("Compost for all")
    kind = ada.last
    await ada.press("planned")
    await ada.press("Save for later")
    role = await ada.say("/join C1")
    assert "C1" in role.text and "Team Member" in [label for label, _ in role.buttons]
    for label, data in summary.buttons:  # every button of the entry submitted since
        assert "already submitted or discarded" in await ada.alert(data, summary.message_id or 0), label
    assert running_bot.db is not None
    [entry] = [e for e in await rows.own_projects(running_bot.db, ADA) if e.status is ProjectStatus.REVIEW]
    assert "already submitted or discarded" in await ada.alert(ProjectResume(project=entry.id).pack())
    _, earlier = ada.button("on-going")  # an earlier question of the draft saved for later
    assert "no longer valid" in await ada.alert(earlier, kind.message_id or 0)
    joined = await ada.press("Team Member")  # the join goes on where it stood
    assert "Please check" in joined.text and "C1" in joined.text
    assert "you are registered" in (await ada.press("Confirm")).text
    [draft] = [e for e in await rows.own_projects(running_bot.db, ADA) if e.status is ProjectStatus.DRAFT]
    assert draft.kind is not None and draft.kind.value == "planned"


async def test_an_offer_from_someone_without_a_profile_is_refused_and_not_recorded(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await member(running_bot, "B3")
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all")
    nemo = ChatUser(standin, 1003, first_name="Nemo")
    await nemo.say("/catalogue B3")
    for step in ("ask", "agreed"):
        refused = await nemo.alert(CatalogueOffer(project=project_id, step=step).pack())
        assert "no profile yet" in refused and "/join" in refused, step
    await seed(running_bot, Seeded(1003, name="Nemo Nobody"))
    await nemo.press("I'd like to contribute")
    assert "is told who you are" in (await nemo.press("Yes, pass them on")).text  # nothing was recorded before
    told = await standin.wait_for(lambda s: s.chat_id == ADA and "would like to contribute" in s.text)
    assert "Nemo Nobody" in told.text


async def test_the_contact_is_not_offered_to_contribute_to_their_own_entry(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3")
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all")
    card = await ada.say("/catalogue B3")
    assert "Compost for all" in card.text
    assert not [label for label, _ in card.buttons if "contribute" in label]
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    assert [label for label, _ in (await bob.say("/catalogue B3")).buttons if "contribute" in label]
    for step in ("ask", "agreed"):
        refused = await ada.alert(CatalogueOffer(project=project_id, step=step).pack())
        assert "This entry is yours" in refused and "review" not in refused, step


async def test_a_progress_update_for_an_entry_gone_or_a_role_lost_ends_the_question(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p = people(standin)
    ada = await member(running_bot, "B3")
    project_id = await accepted(running_bot, ADA, "B3", "Compost for all")
    await ada.say("/projects")
    await ada.press("Compost for all")
    assert "What is new" in (await ada.press("Add progress")).text
    await ada.press("Withdraw")
    await ada.press("Withdraw it")
    refused = await ada.say("First 300 ha planted.")
    assert "no longer in the catalogue" in refused.text and "Nothing was saved" in refused.text
    assert "did not expect a message" in (await ada.say("First 300 ha planted.")).text  # the question is over
    # A Leader who is a Leader no more by the time they write.
    await seed(running_bot, Seeded(2002, places=(("C1", Role.LEADER, ACTIVE),), name="Gus Guide"))
    other = await accepted(running_bot, ADA, "C1", "Peatland care")
    await p["gus"].say("/catalogue C1")
    assert "What is new" in (await p["gus"].press("Add progress")).text
    await p["gus"].press_data(LeaveYes(code="C1").pack())
    assert "Progress is reported by" in (await p["gus"].say("Going well.")).text
    assert "did not expect a message" in (await p["gus"].say("Going well.")).text
    assert running_bot.db is not None
    for entry in (project_id, other):
        assert await rows.latest_update(running_bot.db, entry) is None


async def test_a_discarded_draft_s_buttons_never_reach_the_next_draft(running_bot: RunningBot) -> None:
    """SQLite gives a deleted row's id again: the discarded draft's Discard would have deleted the next one."""
    ada = await member(running_bot, "B3")
    await describe(ada)
    summary = ada.last
    assert "Nothing of it is kept" in (await ada.press("Discard")).text
    await ada.say("/project B3")
    await ada.say("Hedges for all")
    [discard] = [data for label, data in summary.buttons if label == "Discard"]
    assert "already submitted or discarded" in await ada.alert(discard, summary.message_id or 0)
    assert running_bot.db is not None
    [draft] = await rows.own_projects(running_bot.db, ADA)
    assert draft.title == "Hedges for all"


# ---------------------------------------------------------------- review findings, part A (issue 24)


async def two_task_force_entry(running: RunningBot, title: str = "Compost for all") -> int:
    """An accepted entry of Ada's that names B3 and C1."""
    project_id = await accepted(running, ADA, "B3", title)
    assert running.db is not None
    async with running.db.transaction() as tx:
        await rows.set_taskforces(tx, project_id, ["B3", "C1"])
    return project_id


async def test_a_named_contact_keeps_the_entry_s_task_forces_and_adds_only_their_own(running_bot: RunningBot) -> None:
    p = people(running_bot.standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    ada = await member(running_bot, "B3", "C1")
    project_id = await two_task_force_entry(running_bot)
    await ada.say("/forget")
    await ada.press("Delete all my data")
    bob = await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    assert "Bob Builder is now its contact" in (await p["fran"].say(f"/project_contact {project_id} 1002")).text
    await running_bot.standin.wait_for(lambda s: s.chat_id == bob.id and "You are now the contact" in s.text)
    await bob.say("/projects")
    await bob.press("Compost for all")
    await bob.press("Edit")
    await bob.press("Edit")
    question = await bob.press("Task Forces")
    assert [label for label, _ in question.buttons][:2] == ["✅ B3", "✅ C1"]  # C1 is not Bob's: removable only
    assert "✅ C1" not in [label for label, _ in (await bob.press("✅ C1")).buttons]
    assert "✅ C1" in [label for label, _ in (await bob.press("C1")).buttons]  # the entry named it: back again
    assert running_bot.db is not None
    draft = await rows.revision_of(running_bot.db, project_id)
    assert draft is not None
    forged = await bob.press_data(ProjectToggle(project=draft, code="C2").pack(), question.message_id or 0)
    assert "not an active member of Task Force C2" in forged.text  # adding needs membership
    await bob.press("Continue")
    assert "Nothing changed" in (await bob.press("Submit for review")).text  # it stays in the catalogue
    entry = await rows.get_project(running_bot.db, project_id)
    assert entry is not None and entry.status is ProjectStatus.ACCEPTED and entry.taskforces == ["B3", "C1"]


async def test_an_author_who_left_one_of_its_task_forces_still_submits_changes(running_bot: RunningBot) -> None:
    ada = await member(running_bot, "B3", "C1")
    project_id = await two_task_force_entry(running_bot)
    await ada.press_data(LeaveYes(code="C1").pack())
    await ada.say("/projects")
    await ada.press("Compost for all")
    await ada.press("Edit")
    await ada.press("Edit")
    await ada.press("Title")
    await ada.say("Compost for every field")
    assert "is submitted" in (await ada.press("Submit for review")).text
    assert running_bot.db is not None
    entry = await rows.get_project(running_bot.db, project_id)
    assert entry is not None and entry.title == "Compost for every field" and entry.taskforces == ["B3", "C1"]


async def test_reviewers_open_the_entry_s_document_from_the_prompt(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    await describe(ada)
    await ada.press("Edit")
    await ada.press("Document")
    note = standin.document(b"%PDF-1.4", "concept.pdf") | {"mime_type": "application/pdf"}
    await ada.post(document=note)
    await ada.press("Submit for review")
    prompt = await review_prompt(p["fran"])
    assert [label for label, _ in prompt.buttons] == ["✅ Accept", "✏️ Ask for changes", "❌ Decline", "📄 Document"]
    marker = len(standin.sent)
    await p["fran"].press("📄 Document")  # not in the catalogue yet: its reviewers read it all the same
    sent = await standin.wait_for(lambda s: s.method == "sendDocument" and s.chat_id == p["fran"].id, start=marker)
    assert sent.params["document"] == note["file_id"] and sent.params["caption"] == "concept.pdf"
    _, document = p["fran"].button("📄 Document")
    assert "Only the facilitators" in await p["bob"].alert(document)  # who may not decide does not get it
    assert "cannot review your own" in await ada.alert(document)


async def test_a_late_press_after_the_decider_deleted_their_data_says_it_was_decided(running_bot: RunningBot) -> None:
    p = people(running_bot.standin)
    await facilitate(p["admin"], (p["fran"], "B3"))
    await seed(running_bot, Seeded(2002, places=(("B3", Role.LEADER, ACTIVE),), name="Gus Guide"))
    ada = await member(running_bot, "B3")
    await submitted_entry(running_bot, ada)
    fran_prompt, gus_prompt = await review_prompt(p["fran"]), await review_prompt(p["gus"])
    assert "Accepted" in await p["fran"].alert(fran_prompt.buttons[0][1], fran_prompt.message_id or 0)
    await p["fran"].say("/forget")
    await p["fran"].press("Delete all my data")
    late = await p["gus"].alert(gus_prompt.buttons[0][1], gus_prompt.message_id or 0)
    assert "Already decided by —" in late and "withdrawn" not in late


async def reviewed_by_fran(running: RunningBot) -> tuple[dict[str, ChatUser], int, Sent]:
    """Ada's entry of B3 submitted, and the prompt its facilitator Fran got: the people, the entry, the prompt."""
    p, ada = await fran_and_ada(running)
    p["ada"] = ada
    project_id = await submitted_entry(running, p["ada"])
    return p, project_id, await review_prompt(p["fran"])


async def test_a_decision_the_author_withdrew_before_it_was_told_is_not_told(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p, project_id, prompt = await reviewed_by_fran(running_bot)
    ada = p["ada"]
    standin.retry_after["sendMessage"] = 3  # the notice to the author waits: Telegram asked to
    assert "Accepted" in await p["fran"].alert(prompt.buttons[0][1], prompt.message_id or 0)
    async with asyncio.timeout(10):
        while "sendMessage" in standin.retry_after:
            await asyncio.sleep(0.02)
    assert "is withdrawn" in (await ada.press_data(ProjectMine(project=project_id, action="confirm").pack())).text
    assert running_bot.db is not None
    told = "SELECT sent_at, failed_at FROM outbox WHERE kind = 'project_decided'"
    async with asyncio.timeout(10):
        while (row := await running_bot.db.fetchone(told)) is None or (row["sent_at"] or row["failed_at"]) is None:
            await asyncio.sleep(0.05)
    assert row["failed_at"] is None  # settled as nothing left to say, not failed
    assert not [s for s in standin.sent if s.chat_id == ADA and "is accepted" in s.text]


async def test_a_contact_named_for_an_entry_in_review_shows_on_its_prompts(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    p, project_id, prompt = await reviewed_by_fran(running_bot)
    ada = p["ada"]
    await ada.say("/forget")
    await ada.press("Delete all my data")
    await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id and "contact withdrawn" in s.text
    )
    await member(running_bot, "B3", telegram_id=1002, name="Bob Builder")
    marker = len(standin.sent)
    named = await p["fran"].say(f"/project_contact {project_id} 1002")
    assert "Bob Builder is now its contact" in named.text and "stays as it was: waiting for review" in named.text
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id and "Bob Builder" in s.text,
        start=marker,
    )
    assert "contact withdrawn" not in edited.text and "✅ Accept" in [label for label, _ in edited.buttons]


async def test_a_decided_prompt_keeps_the_reviewer_s_words_when_the_entry_is_at_its_longest(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p, ada = await fran_and_ada(running_bot)
    await describe(ada)
    longest = {
        "Title": "T" * 150,
        "Countries": "C" * 200,
        "Lead organisation": "L" * 200,
        "Partners": "P" * 500,
        "Summary": "S" * 1000,
        "Contribution": "K" * 300,
        "Link": "https://example.org/" + "l" * 480,
    }
    for field, answer in longest.items():
        await ada.press("Edit")
        await ada.press(field)
        assert "Please check" in (await ada.say(answer)).text, field
    await ada.press("Submit for review")
    prompt = await review_prompt(p["fran"])
    await p["fran"].press("Decline")
    reason = "Not in scope. " * 69 + "The end of the reason."  # near the 1 000 characters allowed
    marker = len(standin.sent)
    await p["fran"].say(reason)
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id, start=marker
    )
    assert edited.text.startswith("❌ Declined by Fran Facil") and reason in edited.text


async def test_a_facilitator_of_another_task_force_and_a_leader_not_yet_approved_cannot_decide(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    p = people(standin)
    await facilitate(p["admin"], (p["fran"], "C1"))
    await seed(running_bot, Seeded(2002, places=(("B3", Role.LEADER, RegistrationStatus.PENDING),), name="Gus Guide"))
    ada = await member(running_bot, "B3")
    await submitted_entry(running_bot, ada)
    prompt = await review_prompt(p["admin"])  # B3 has neither a facilitator nor an approved Leader
    assert not [s for s in standin.sent if s.chat_id in (p["fran"].id, p["gus"].id) and "to review" in s.text]
    for refused in (p["fran"], p["gus"]):
        for _, data in prompt.buttons:
            said = await refused.press_data(data, prompt.message_id or 0)
            assert "Only the facilitators of Task Force B3" in said.text, refused.id
    assert running_bot.db is not None
    [entry] = await rows.own_projects(running_bot.db, ADA)
    assert entry.status is ProjectStatus.REVIEW and entry.decided_by is None
