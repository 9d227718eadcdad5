"""Start and stop as an operator meets them, through the real entry point (`python -m bot`).

Each failure at start is one line naming what to fix, exit code 2; a network that is
not there yet is waited for; SIGTERM stops within a second, even mid back-off. The
token never appears in the log, and no aiohttp session is left unclosed.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.harness import TOKEN, BotProcess
from tests.standin import BotApiStandIn

SECRET_TOKEN = "123:SECRET-PART-OF-THE-TOKEN-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_clean(bot: BotProcess) -> None:
    log = "\n".join(bot.lines)
    assert "SECRET-PART" not in log and TOKEN not in log
    assert "Unclosed" not in log and "Traceback" not in log


async def test_help_and_version_touch_neither_network_nor_database(tmp_path: Path) -> None:
    for flag, expected in (("--help", "README"), ("--version", "taskforce-bot ")):
        bot = await BotProcess.start(tmp_path, flag)
        assert await bot.exit_code() == 0
        assert any(expected in line for line in bot.lines)
    assert list(tmp_path.iterdir()) == []  # no database, no lock file


async def test_every_settings_error_is_named_at_once(tmp_path: Path) -> None:
    bot = await BotProcess.start(tmp_path, BOT_TOKEN="", BOT_MAX_TASKFORCES="many", BOT_DIGEST_HOUR="30")
    assert await bot.exit_code() == 2
    assert [line.split(":")[1].strip() for line in bot.lines] == ["BOT_TOKEN", "BOT_MAX_TASKFORCES", "BOT_DIGEST_HOUR"]


async def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path, standin: BotApiStandIn) -> None:
    bot = await BotProcess.start(
        tmp_path, BOT_TOKEN=SECRET_TOKEN, BOT_API_URL=standin.base_url + "/", BOT_DATABASE=str(tmp_path / "b.db")
    )
    assert await bot.exit_code() == 2
    assert bot.lines == [
        f"taskforce-bot: BOT_TOKEN: the Bot API at 127.0.0.1:{standin.port} rejected the token of bot 123"
    ]


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        ("missing/bot.db", "the folder .* does not exist"),
        (".", "is a folder, not a file"),
        ("garbage.db", "is not an SQLite database"),
        ("newer.db", r"written by a newer version of the bot \(schema 99, this bot knows \d+\)"),
    ],
)
async def test_an_unusable_database_is_one_line(tmp_path: Path, database: str, reason: str) -> None:
    (tmp_path / "garbage.db").write_text("this is not SQLite\n" * 100)
    with sqlite3.connect(tmp_path / "newer.db") as newer:
        newer.executescript(
            "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);"
        )
    bot = await BotProcess.start(tmp_path, BOT_TOKEN=SECRET_TOKEN, BOT_DATABASE=str(tmp_path / database))
    assert await bot.exit_code(timeout=10) == 2
    [line] = bot.lines
    assert line.startswith("taskforce-bot: BOT_DATABASE: ")
    assert re.search(reason, line)


async def test_a_database_in_use_by_another_bot_is_refused(tmp_path: Path, standin: BotApiStandIn) -> None:
    env = {"BOT_TOKEN": TOKEN, "BOT_API_URL": standin.base_url, "BOT_DATABASE": str(tmp_path / "bot.db")}
    first = await BotProcess.start(tmp_path, **env)
    try:
        await first.wait_for_line("bot started as @taskforce_test_bot on 127.0.0.1")
        second = await BotProcess.start(tmp_path, **env)
        assert await second.exit_code(timeout=10) == 2
        assert second.lines == [f"taskforce-bot: BOT_DATABASE: {tmp_path / 'bot.db'}: is in use by another running bot"]
    finally:
        assert (await first.terminate())[0] == 0


async def test_a_bot_started_before_the_network_comes_up_by_itself(tmp_path: Path) -> None:
    port = free_port()
    bot = await BotProcess.start(
        tmp_path, BOT_TOKEN=TOKEN, BOT_API_URL=f"http://127.0.0.1:{port}/bot", BOT_DATABASE=str(tmp_path / "b.db")
    )
    standin = BotApiStandIn(TOKEN)
    try:
        await bot.wait_for_line(rf"cannot reach the Bot API at 127.0.0.1:{port}: connection refused; next try in 1 s")
        await bot.wait_for_line(r"next try in 2 s")
        await standin.start(port)
        await bot.wait_for_line("bot started as @taskforce_test_bot", timeout=10)
        code, seconds = await bot.terminate()
        assert code == 0 and seconds < 1.0
    finally:
        await bot.kill()
        await standin.stop()
    assert_clean(bot)
    assert len([line for line in bot.lines if "cannot reach" in line]) == 2  # one line per attempt


async def test_a_5xx_at_start_is_retried(tmp_path: Path, standin: BotApiStandIn) -> None:
    standin.fail_next["getMe"] = (502, "Bad Gateway")
    bot = await BotProcess.start(
        tmp_path, BOT_TOKEN=TOKEN, BOT_API_URL=standin.base_url, BOT_DATABASE=str(tmp_path / "b.db")
    )
    try:
        await bot.wait_for_line(r"cannot reach the Bot API at .*Bad Gateway.*next try in 1 s")
        await bot.wait_for_line("bot started as @taskforce_test_bot")
    finally:
        assert (await bot.terminate())[0] == 0
    assert_clean(bot)


async def test_sigterm_during_the_back_off_stops_within_a_second(tmp_path: Path) -> None:
    bot = await BotProcess.start(
        tmp_path,
        BOT_TOKEN=TOKEN,
        BOT_API_URL=f"http://127.0.0.1:{free_port()}/bot",
        BOT_DATABASE=str(tmp_path / "b.db"),
    )
    await bot.wait_for_line(r"next try in 2 s")  # now waiting two seconds
    code, seconds = await bot.terminate()
    assert code == 0 and seconds < 1.0
    assert_clean(bot)


async def test_an_outage_after_start_is_a_line_per_retry_and_sigterm_still_stops_at_once(tmp_path: Path) -> None:
    standin = BotApiStandIn(TOKEN)
    await standin.start()
    bot = await BotProcess.start(
        tmp_path, BOT_TOKEN=TOKEN, BOT_API_URL=standin.base_url, BOT_DATABASE=str(tmp_path / "b.db")
    )
    try:
        await bot.wait_for_line("bot started as")
        await standin.stop()  # the Bot API goes away
        await bot.wait_for_line(r"WARNING .*cannot reach the Bot API at 127.0.0.1", count=3, timeout=15)
        await asyncio.sleep(0.5)  # in the middle of PTB's growing back-off
        code, seconds = await bot.terminate()
        assert code == 0 and seconds < 1.0
    finally:
        await bot.kill()
    assert_clean(bot)
    # Every line is a log line of its own (no traceback), and none is an error.
    assert all(re.match(r"\d{4}-\d\d-\d\d [\d:,]+ (INFO|WARNING) ", line) for line in bot.lines), bot.lines
