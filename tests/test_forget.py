"""/forget forgets: nothing that identifies the person, or that they wrote, or that was written
about them, stays in any table, nor in the raw database and WAL files."""

from __future__ import annotations

from pathlib import Path

from bot.models import Catalogue
from tests.harness import ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn
from tests.test_facilitation import facilitate, people

ADA_ID = 777001
TRACES = ("Ada", "Lovelace", "adalove", "Soil Institute", "ada@example.org", "MOTIVATION-XYZ", "lacks experience")


async def test_forget_leaves_no_trace_in_any_table_nor_in_the_files(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    # Ada goes through two joins and a /forget in a few seconds: more than a person's flood limit.
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running_bot:
        await forget_after_a_full_history(running_bot)


async def forget_after_a_full_history(running_bot: RunningBot) -> None:
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    p = people(standin)
    ada = ChatUser(standin, ADA_ID, first_name="Ada", last_name="Lovelace", username="adalove")
    await facilitate(p["admin"], (p["fran"], "B3"), (p["fran"], "B2"))
    await running_bot.ticks()  # the digest clock starts
    # A Leader application with a motivation, rejected with a reason that names her…
    await ada.say("/join B3")
    await ada.press("Use “")
    for answer in ("Soil Institute", "Kenya"):
        await ada.say(answer)
    for choice in ("Africa", "Research and education", "Member"):
        await ada.press(choice)
    await ada.say("ada@example.org")
    await ada.press("Global Leader")
    await ada.say("MOTIVATION-XYZ")
    await ada.press("Confirm")
    await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "MOTIVATION-XYZ" in s.text)
    await p["fran"].press("Reject")
    await p["fran"].say("Ada Lovelace lacks experience.")
    await standin.wait_for(lambda s: s.chat_id == ADA_ID and "not accepted" in s.text)
    # …and a Team Member place, in the next day's digest to the facilitator.
    await ada.say("/join B2")
    await ada.press("Team Member")
    await ada.press("Confirm")
    running_bot.clock.advance(days=1)
    await standin.wait_for(lambda s: s.chat_id == p["fran"].id and "New Team Members" in s.text)

    await ada.say("/forget")
    assert "deleted" in (await ada.press("Delete all my data")).text
    await running_bot.settled()

    for table in [row["name"] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            for value in tuple(row):
                assert value != ADA_ID and str(ADA_ID) not in str(value), (table, tuple(row))
                assert not any(trace in str(value) for trace in TRACES), (table, tuple(row))
    assert running_bot.settings.database.exists()
    for path in (running_bot.settings.database, running_bot.settings.database.with_name("bot.sqlite3-wal")):
        raw = path.read_bytes() if path.exists() else b""
        assert not [trace for trace in TRACES if trace.encode() in raw], path
    registrations = await db.fetchall("SELECT status FROM registrations WHERE person_id IS NULL")
    assert sorted(row["status"] for row in registrations) == ["rejected", "withdrawn"]  # counted, anonymously
