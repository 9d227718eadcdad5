"""Telegram starts update ids again after a week without updates: the redelivery guard must not outlive that.

A person's stored update id (with their join draft, or with a Delphi question waiting for their typing)
skips an update delivered again after a kill; ids that restarted lower a week later are new updates.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.models import Catalogue
from bot.services.redelivery import REDELIVERY_WINDOW, delivered_again
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from tests.harness import ADMIN_ID, ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn
from tests.test_delphi import B2_PERSON, open_round, seeded_panel, table
from tests.test_restart import finish_joining

TYPED_ONLY = [
    {"id": "q3", "type": "number", "text": "Share of countries (%)", "min": 0, "max": 100},
    {"id": "q4", "type": "text", "text": "What is missing?"},
]


async def restart_after(running: RunningBot, ids_from: int | None = None, **moved: float) -> None:
    """Stop the bot, move its clock, start it again: Telegram delivers again what it kept (see
    `keep_confirmed`), and numbers new updates from `ids_from` (ids restarted after a quiet week)."""
    await running.stop()
    running.standin.keep_confirmed = False
    running.clock.advance(**moved)
    if ids_from is not None:
        running.standin._update_ids = itertools.count(ids_from)  # as Telegram does
    await running.start()
    await running.settled()


async def test_a_join_draft_answers_again_after_ids_restart_and_still_skips_a_redelivery(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    standin = running_bot.standin
    await ada.say("/join A1")
    await ada.press("Use “")
    standin.keep_confirmed = True  # Telegram will deliver again what the bot handles now
    assert "country" in (await ada.say("Soil Institute")).text
    marker = len(standin.sent)
    await restart_after(running_bot, hours=1)  # a kill, back within the hour: same id, same date
    answers = [s for s in standin.sent[marker:] if s.chat_id == ada.id and s.method != "editMessageReplyMarkup"]
    assert answers == []  # skipped: not taken as the country (the buttons taken off the last question are not)
    assert "region" in (await ada.say("Kenya")).text

    # A week and a day without any update: Telegram numbers the next ones from a low id again.
    await restart_after(running_bot, ids_from=1, days=8)
    asked = await ada.press("Europe")  # update id 1, below the id stored with the draft
    assert "stakeholder" in asked.text
    await finish_joining(ada)


async def test_a_delphi_question_takes_the_typed_answer_after_ids_restart(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        await seeded_panel(running)
        bea = ChatUser(standin, B2_PERSON)
        await open_round(running, ChatUser(standin, ADMIN_ID), questions=TYPED_ONLY)
        assert "Your answer: 40" in (await bea.say("40")).text
        await bea.press("Add a comment")
        standin.keep_confirmed = True
        await bea.say("Local staff.")  # the comment; the text question now waits for her typing
        await standin.wait_for(lambda s: s.chat_id == bea.id and "What is missing?" in s.text)

        await restart_after(running, hours=1)  # the comment comes again: not the next answer
        assert await table(running, "SELECT question, comment FROM delphi_answers WHERE person_id = ?", bea.id) == [
            (0, "Local staff.")
        ]

        await restart_after(running, ids_from=1, days=8)  # ids restarted; the round is still open
        assert "Your answer: Field staff." in (await bea.say("Field staff.")).text
        assert await table(
            running, "SELECT question, text FROM delphi_answers WHERE person_id = ? ORDER BY 1", bea.id
        ) == [
            (0, None),
            (1, "Field staff."),
        ]


def test_a_stored_id_counts_for_longer_than_telegram_keeps_an_update_and_less_than_a_week() -> None:
    applied = datetime(2026, 11, 1, tzinfo=UTC)
    assert delivered_again(50, 50, applied, applied + timedelta(hours=24))  # the same update, a day later
    assert delivered_again(49, 50, applied, applied + timedelta(minutes=1))
    assert not delivered_again(51, 50, applied, applied)  # a later id is new
    assert not delivered_again(3, 50, applied, applied + timedelta(days=7))  # ids restarted after a quiet week
    assert not delivered_again(3, 50, None, applied)  # nothing known of when: nothing skipped
    assert timedelta(days=1) < REDELIVERY_WINDOW < timedelta(days=7)


async def test_ids_stored_before_the_upgrade_count_from_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    with sqlite3.connect(path) as old:  # as the release before left it: ids without a time
        for script in MIGRATIONS[:8]:
            old.executescript(script)
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        old.execute("INSERT INTO schema_version VALUES (8)")
        old.execute("INSERT INTO ptb_user_data VALUES (7, ?)", (json.dumps({"join": {}, "applied_update": 90}),))
    before = datetime.now(UTC)
    database = await Database.open(path)
    try:
        row = await database.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 7")
        assert row is not None
        data = json.loads(row["data"])
        assert data["applied_update"] == 90 and datetime.fromisoformat(data["applied_at"]) >= before - timedelta(
            seconds=1
        )
        assert await database.fetchall("SELECT since_at FROM delphi_waiting") == []
    finally:
        await database.close()
