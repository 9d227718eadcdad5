"""The background sender: Telegram's limits kept, a flood wait or an error delays one row, notices first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path

from bot.models import Catalogue, Lane
from bot.storage import outbox
from bot.storage.database import to_text
from tests.harness import ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn, Sent


async def queue(running: RunningBot, chats: Iterable[int], lane: Lane = Lane.NOTICE) -> None:
    """Rows as any feature queues them (a join reminder: it needs no registration), then a wake-up."""
    assert running.db is not None
    async with running.db.transaction() as tx:
        for chat in chats:
            await outbox.enqueue(tx, chat, "join_reminder", running.clock(), lane=lane)
    running.deps.sender.wake()


def reminders(standin: BotApiStandIn, chat: int | None = None) -> list[Sent]:
    return [s for s in standin.sent if "did not finish" in s.text and (chat is None or s.chat_id == chat)]


async def delivered(standin: BotApiStandIn, count: int, timeout: float = 30) -> None:
    await standin.wait_for(lambda s: len(reminders(standin)) >= count, timeout=timeout)


async def test_at_the_default_rate_telegram_never_answers_429(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    standin.enforce_limits = True
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=29, chat_burst=3) as running:
        await queue(running, [*range(5000, 5060), *[7000] * 8])  # 60 people, and 8 rows for one chat
        await delivered(standin, 10)
        # Meanwhile 20 people are answered: the sender leaves them room, the sum stays under the limit.
        answers = await asyncio.gather(*(ChatUser(standin, 8000 + n).say("/help") for n in range(20)))
        await delivered(standin, 68)
    assert standin.too_many == 0
    assert all("/mytaskforces" in answer.text for answer in answers)
    one_chat = [s.at for s in reminders(standin, 7000)]
    assert one_chat[-1] - one_chat[0] >= 4.5  # a burst, then about one a second


async def test_answers_never_wait_behind_the_broadcast_budget(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """Telegram's 30 a second counts messages to people who did not just write; answers come on top."""
    standin.enforce_limits = True
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=29, chat_burst=3) as running:
        await queue(running, range(5000, 5300), lane=Lane.BULK)  # ten seconds of the budget
        await delivered(standin, 30)
        answers = await asyncio.gather(*(ChatUser(standin, 8000 + n).say("/help") for n in range(45)))
        while standin.peak(unsolicited=True) < 29:  # the budget is used in full meanwhile
            await asyncio.sleep(0.1)
        assert standin.peak() >= 29 + 45 - 5  # the answers came on top of it, within the same second or so
    assert all("/mytaskforces" in answer.text for answer in answers)
    assert standin.too_many == 0 and standin.peak(unsolicited=True) <= 30


async def test_a_group_at_its_20_a_minute_holds_back_its_own_rows_only(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    standin.enforce_limits = True
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=29, chat_burst=3) as running:
        await queue(running, [-100] * 45)  # more than a batch of rows to one group, all due
        await delivered(standin, 19)  # the 20th place of the minute is kept for an answer in the group
        await queue(running, [5000])
        person = await standin.wait_for(lambda s: s.chat_id == 5000, timeout=10)
        assert len(reminders(standin, -100)) == 19  # the group waits for its minute; the person did not
    assert person.text and standin.too_many == 0


async def test_beyond_the_limits_telegram_answers_429_and_every_row_still_arrives(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """The control for the test above: the stand-in does enforce, and the sender copes."""
    standin.enforce_limits = True
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=1000, chat_burst=3) as running:
        await queue(running, range(5000, 5080))
        await delivered(standin, 80)
    assert standin.too_many > 0
    assert sorted(s.chat_id or 0 for s in reminders(standin)) == list(range(5000, 5080))  # each once


async def test_a_flood_wait_holds_its_chat_and_the_unsolicited_messages_for_exactly_its_time(
    running_bot: RunningBot,
) -> None:
    """Answers to people who just wrote are not held: they count against their own chat only."""
    standin = running_bot.standin
    standin.flood_chats[7001] = 2
    await queue(running_bot, [7001])
    while 7001 in standin.flood_chats:  # until Telegram has said: wait 2 s
        await asyncio.sleep(0.005)
    refused_at = time.monotonic()
    await queue(running_bot, [7002, 7003])
    answer = await ChatUser(standin, 7004).say("/help")
    await delivered(standin, 3)
    held = [reminders(standin, chat)[0].at - refused_at for chat in (7001, 7002, 7003)]
    assert answer.at - refused_at < 1.0
    assert all(1.9 <= wait < 3.0 for wait in held), held


async def test_a_blocked_person_is_marked_unreachable_until_they_write_again(running_bot: RunningBot) -> None:
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    ada = 1001
    await db.write(
        "INSERT INTO known_users (telegram_id, full_name, first_seen) VALUES (?, 'Ada', '2026-01-01')", (ada,)
    )
    standin.forbidden_chats.add(ada)
    await queue(running_bot, [ada])
    await running_bot.settled()
    row = await db.fetchone("SELECT failed_at, failure FROM outbox WHERE chat_id = ?", (ada,))
    assert row is not None and row["failed_at"] is not None and row["failure"].startswith("unreachable:")
    marked = await db.fetchone("SELECT unreachable_at FROM known_users WHERE telegram_id = ?", (ada,))
    assert marked is not None and marked["unreachable_at"] is not None
    standin.forbidden_chats.clear()
    await ChatUser(standin, ada).say("/help")
    await running_bot.settled()
    row = await db.fetchone("SELECT unreachable_at FROM known_users WHERE telegram_id = ?", (ada,))
    assert row is not None and row["unreachable_at"] is None


async def test_a_server_error_is_retried_later_and_counted(running_bot: RunningBot) -> None:
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    standin.fail_next["sendMessage"] = (500, "Internal Server Error")
    await queue(running_bot, [7010])
    await delivered(standin, 1, timeout=10)  # the retry, about two seconds later
    row = await db.fetchone("SELECT attempts, sent_at, failure FROM outbox WHERE chat_id = 7010")
    assert row is not None and row["attempts"] == 1 and row["sent_at"] is not None and row["failure"] is None


async def test_a_notice_overtakes_a_long_bulk_queue(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=25) as running:
        await queue(running, range(10_000, 10_300), lane=Lane.BULK)
        await delivered(standin, 10)
        queued_at = time.monotonic()
        await queue(running, [424242])
        notice = await standin.wait_for(lambda s: s.chat_id == 424242, timeout=5)
    assert notice.at - queued_at < 1.5
    assert len([s for s in reminders(standin) if s.at < notice.at]) < 60  # of 300 bulk rows


async def test_a_row_whose_payload_does_not_fit_its_kind_fails_and_the_others_still_go(
    running_bot: RunningBot,
) -> None:
    """Rows written by SQL (a migration, an older version) are validated before rendering: a misfit is failed
    with its reason, nothing is sent for it, and the sender goes on."""
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    misfits = {
        7021: '{"round": "the first"}',  # not a number
        7022: None,  # a kind that carries a payload, without one
        7023: "not JSON",
    }
    for chat, params in misfits.items():
        await db.write(
            "INSERT INTO outbox (chat_id, kind, params, created_at, lane) VALUES (?, 'delphi_reminder', ?, ?, ?)",
            (chat, params, to_text(running_bot.clock()), int(Lane.NOTICE)),
        )
    await queue(running_bot, [7024])
    await delivered(standin, 1, timeout=10)
    await running_bot.settled()
    rows = await db.fetchall(
        "SELECT chat_id, sent_at, failure FROM outbox WHERE chat_id IN (7021, 7022, 7023) ORDER BY chat_id"
    )
    assert [row["chat_id"] for row in rows] == sorted(misfits)
    for row in rows:
        assert row["sent_at"] is None and row["failure"].startswith("bad payload: "), tuple(row)
    assert rows[0]["failure"].startswith("bad payload: round: ")
    assert not [s for s in standin.sent if s.chat_id in misfits]
