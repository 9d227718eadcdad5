"""A conversation survives the process being killed: `python -m bot` is SIGKILLed mid-flow."""

from __future__ import annotations

import signal
from pathlib import Path

from bot.storage.database import Database
from bot.storage.people import get_person
from bot.storage.registrations import registrations_of
from tests.harness import ChatUser, RunningBot, start_bot_process, stop
from tests.standin import BotApiStandIn


async def test_flow_survives_sigkill_and_restart(standin: BotApiStandIn, tmp_path: Path, ada: ChatUser) -> None:
    database = tmp_path / "bot.sqlite3"
    process = await start_bot_process(standin, database)
    await ada.say("/join A1")
    await ada.press("Use “")
    await ada.say("Soil Institute")
    process.send_signal(signal.SIGKILL)
    await process.wait()

    process = await start_bot_process(standin, database)
    try:
        country = await ada.say("Kenya")  # the organisation was kept; now the country is answered
        assert "region" in country.text
        await ada.press("Europe")
        await finish_joining(ada)
    finally:
        await stop(process)
    assert await stored(database, ada) == ("Soil Institute", "Kenya", "Europe", ["A1"])


async def finish_joining(ada: ChatUser) -> None:
    """From the stakeholder-type question to Confirm, as a Team Member who is not a member."""
    await ada.press("Private companies")
    await ada.press("Neither")
    await ada.press("Skip")
    await ada.press("Team Member")
    assert "you are registered" in (await ada.press("Confirm")).text


async def stored(database: Path, ada: ChatUser) -> tuple[object, ...]:
    """Ada's organisation, country, region and task forces, as the database has them."""
    db = await Database.open(database)
    try:
        person = await get_person(db, ada.id)
        assert person is not None
        codes = [r.taskforce for r in await registrations_of(db, ada.id)]
        return person.organisation, person.country, person.region, codes
    finally:
        await db.close()


async def test_an_answer_delivered_again_after_a_kill_is_not_applied_twice(
    standin: BotApiStandIn, tmp_path: Path, ada: ChatUser
) -> None:
    database = tmp_path / "bot.sqlite3"
    process = await start_bot_process(standin, database)
    await ada.say("/join A1")
    await ada.press("Use “")
    standin.keep_confirmed = True  # from here, Telegram will deliver again what the bot handled
    asked = await ada.say("Soil Institute")
    assert "country" in asked.text  # handled and answered, not yet confirmed
    process.send_signal(signal.SIGKILL)
    await process.wait()
    standin.keep_confirmed = False

    marker = len(standin.sent)
    process = await start_bot_process(standin, database)
    try:
        await ada.say("Kenya")  # the organisation is not taken a second time as the country
        await ada.press("Europe")
        assert not [s for s in standin.sent[marker:] if "Soil Institute" in s.text and "region" in s.text]
        await finish_joining(ada)
    finally:
        await stop(process)
    assert await stored(database, ada) == ("Soil Institute", "Kenya", "Europe", ["A1"])


async def test_a_button_of_an_earlier_question_shows_the_current_one_again(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    await ada.say("/join A1")
    first_question, keep_name = ada.button("Use “")
    await ada.press("Use “")
    await ada.say("Soil Institute")
    # The name question's button again, as a chat left on an old question after a kill would offer it.
    answer = await ada.press_data(keep_name, first_question.message_id or 0)
    assert "no longer valid" in answer.text  # said, nothing changed…
    assert "country" in answer.text and answer.method == "sendMessage"  # …and the open question comes again
    assert "region" in (await ada.say("Kenya")).text
