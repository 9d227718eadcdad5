"""End to end: what the public site shows beyond the Strategic Plan is published in the chat, by whoever answers
for it: an entry of the catalogue by its task force's facilitators, a Delphi round's figures by the Secretariat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import Catalogue
from bot.project_models import ProjectStatus
from bot.storage import projects as rows
from bot.views.project_catalogue import CataloguePublic
from tests.harness import ADMIN_ID, ChatUser, RunningBot, audit_rows, bot_with
from tests.standin import BotApiStandIn
from tests.test_delphi import SCALE_ONLY, answer_first_question, grouped_round
from tests.test_facilitation import facilitate, people
from tests.test_projects import ADA, accepted, member


@pytest.fixture
async def running_bot(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> AsyncIterator[RunningBot]:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=1000) as running:
        yield running


async def public_at(running: RunningBot, project_id: int) -> object:
    assert running.db is not None
    project = await rows.get_project(running.db, project_id)
    assert project is not None
    return project.public_at


async def test_a_facilitator_puts_an_entry_on_the_public_page_and_takes_it_off(running_bot: RunningBot) -> None:
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    who = people(standin)
    await member(running_bot, "B3")
    entry = await accepted(running_bot, ADA, "B3", "Compost for all")
    await facilitate(who["admin"], (who["fran"], "B3"), (who["gus"], "C1"))
    card = await who["fran"].say("/catalogue B3")
    labels = [label for label, _ in card.buttons]
    assert "🌐 Put on the public page" in labels and "▶" not in labels
    marker = len(standin.sent)
    alert = await who["fran"].press("Put on the public page")
    assert alert.params["text"] == "It is on the public page, for as long as it stays in the catalogue."
    assert await public_at(running_bot, entry) is not None
    edited = await standin.wait_for(
        lambda s: s.method == "editMessageReplyMarkup" and s.params.get("message_id") == card.message_id, start=marker
    )
    assert "🌐 Take off the public page" in [label for label, _ in edited.buttons]
    assert [label for label, _ in edited.buttons if "public" not in label] == [
        label for label in labels if "public" not in label
    ]  # the rest of the card's keyboard kept: its page and filters
    assert [row["action"] for row in await audit_rows(db)].count("project.published") == 1

    # Nobody else: a member sees no such button, and a forged press, or another task force's facilitator's, is refused.
    reader = await member(running_bot, "B3", telegram_id=1003, name="Rea Der")
    assert all("public" not in label for label, _ in (await reader.say("/catalogue B3")).buttons)
    for outsider in (reader, who["gus"]):
        refused = await outsider.alert(CataloguePublic(project=entry, public="off").pack())
        assert refused == "Only the facilitators of Task Force B3 and the Secretariat can do this."
    assert await public_at(running_bot, entry) is not None

    # Back to review (its author changed what funders read): off the public page, until published again.
    async with db.transaction() as tx:
        await rows.set_status(tx, entry, ProjectStatus.REVIEW, running_bot.clock(), submitted=True)
    assert await public_at(running_bot, entry) is None
    stale = await who["fran"].alert(CataloguePublic(project=entry, public="on").pack())
    assert stale == "This button is no longer valid. Nothing was changed."
    async with db.transaction() as tx:
        await rows.set_status(tx, entry, ProjectStatus.ACCEPTED, running_bot.clock(), decided_by=ADMIN_ID)
    assert await public_at(running_bot, entry) is None
    # The Secretariat may too, and taking it off is audited.
    await who["admin"].alert(CataloguePublic(project=entry, public="on").pack())
    taken_off = await who["admin"].alert(CataloguePublic(project=entry, public="off").pack())
    assert taken_off == "It is no longer on the public page." and await public_at(running_bot, entry) is None
    assert [row["action"] for row in await audit_rows(db)].count("project.unpublished") == 1


async def test_the_secretariat_publishes_a_closed_rounds_figures(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        admin = await grouped_round(running, SCALE_ONLY)
        await answer_first_question(ChatUser(standin, 700), "8")
        assert running.db is not None
        too_soon = await admin.say("/delphi_publish implementation-2030 1")
        assert "still open: its figures can be published once it closes" in too_soon.text
        panellist = ChatUser(standin, 701)
        assert "for the Executive Secretariat" in (await panellist.say("/delphi_publish implementation-2030 1")).text
        assert "Write /delphi_publish &lt;study&gt; &lt;round&gt;" in (await admin.say("/delphi_publish x")).text
        assert "There is no Delphi study nothing" in (await admin.say("/delphi_publish nothing 1")).text
        await admin.say("/delphi_close implementation-2030")
        assert "has no round 2" in (await admin.say("/delphi_publish implementation-2030 2")).text
        done = await admin.say("/delphi_publish implementation-2030 1")
        assert "is published: its figures show on the public pages of the Task Forces B3" in done.text
        assert "fewer than 5 panellists merged" in done.text and "comments are never shown" in done.text
        published = await running.db.fetchone("SELECT published_at FROM delphi_rounds")
        assert published is not None and published["published_at"] is not None
        off = await admin.say("/delphi_unpublish implementation-2030 1")
        assert "is no longer on the public site" in off.text
        published = await running.db.fetchone("SELECT published_at FROM delphi_rounds")
        assert published is not None and published["published_at"] is None
        actions = [row["action"] for row in await audit_rows(running.db)]
        assert actions.count("delphi.published") == 1 and actions.count("delphi.unpublished") == 1
