"""Backups that restore: taken while the bot works, checked, kept by a schedule, put back by the operator."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import backups
from bot.services.clock import utc_now
from bot.storage import audit
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from tests.harness import ADMIN_ID, ChatUser, Seeded, bot_with, clean_environment, seed, start_bot_process, stop
from tests.standin import BotApiStandIn
from tests.test_broadcast import HELLO, announcements_to, preview


async def keep(command: str, path: Path, database: Path) -> tuple[int, str]:
    """`python -m bot backup|restore PATH`: its exit code and what it said."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, str(path),
        env=clean_environment(BOT_DATABASE=str(database)), cwd=database.parent,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    said, _ = await process.communicate()
    return process.returncode or 0, said.decode()


async def test_a_backup_taken_mid_broadcast_restores_and_the_broadcast_carries_on(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    db = await Database.open(database)
    recipients = [700 + n for n in range(60)]
    await seed(db, *(Seeded(chat, places=(("D1", Role.MEMBER, RegistrationStatus.ACTIVE),)) for chat in recipients))
    await db.close()
    settings = {"BOT_ADMINS": str(ADMIN_ID), "BOT_MESSAGES_PER_SECOND": "10"}
    process = await start_bot_process(standin, database, **settings)
    admin = ChatUser(standin, ADMIN_ID)

    def received() -> list[int]:
        return [len(announcements_to(standin, chat)) for chat in recipients]

    copy = tmp_path / "offsite" / "copy.sqlite3"
    copy.parent.mkdir()
    try:
        await admin.say("/broadcast " + HELLO)
        await preview(admin)
        await admin.press("Send")
        await standin.wait_for(lambda s: sum(received()) >= 10, timeout=20)
        before_backup = sum(received())
        assert await keep("backup", copy, database) == (0, f"taskforce-bot: {database} copied to {copy} and checked\n")
    finally:
        process.send_signal(signal.SIGKILL)  # the machine is lost
        await process.wait()
    after_backup = sum(received())
    assert after_backup < 60

    elsewhere = tmp_path / "new-machine" / "bot.sqlite3"
    elsewhere.parent.mkdir()
    code, said = await keep("restore", copy, elsewhere)
    warning = "WARNING: a /forget made after the backup may be undone: no file was replaced to tell"
    assert code == 0 and said == f"taskforce-bot: {copy} restored as {elsewhere}; {warning}\n"
    process = await start_bot_process(standin, elsewhere, **settings)
    try:
        done = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "· done" in s.text, timeout=30)
    finally:
        await stop(process)
    assert min(received()) == 1  # everyone has it
    # Served twice: only what went between the backup and the loss, and what was in flight at the backup.
    assert sum(received()) - 60 <= after_backup - before_backup + 3
    assert "Sent 60 of 60" in done.text


async def test_restore_refuses_while_a_bot_runs_and_a_damaged_file_and_changes_nothing(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    copy = tmp_path / "copy.sqlite3"
    process = await start_bot_process(standin, database)
    try:
        assert (await keep("backup", copy, database))[0] == 0
        code, said = await keep("restore", copy, database)
        assert code == 2 and said == f"taskforce-bot: restore: {database}: a bot is running on it; stop it first\n"
    finally:
        await stop(process)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(copy.read_bytes()[:4096])  # a copy cut short
    code, said = await keep("restore", damaged, database)
    assert code == 2 and said.startswith(f"taskforce-bot: restore: {damaged}: ")
    not_ours = tmp_path / "other.sqlite3"
    sqlite3.connect(not_ours).execute("CREATE TABLE t (x)").connection.close()
    code, said = await keep("restore", not_ours, database)
    assert code == 2 and said.endswith("no schema version: not this bot's database\n")
    assert sorted(path.name for path in tmp_path.iterdir() if "replaced" in path.name) == []

    code, said = await keep("restore", copy, database)
    [kept] = [path for path in tmp_path.iterdir() if ".replaced-" in path.name and path.suffix != ".lock"]
    assert code == 0 and said.endswith(f"the file it replaced is {kept}\n")


async def test_the_day_s_backup_is_taken_checked_and_a_failure_told_to_the_admins_once(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    folder = tmp_path / "saved"
    async with bot_with(standin, tmp_path, catalogue, backup_dir=folder, backup_hour=0) as running:
        await running.ticks(2)
        today = running.clock.now.date()
        [taken] = folder.iterdir()
        assert taken.name == f"taskforce-{today.isoformat()}.sqlite3"
        with sqlite3.connect(taken) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)
        running.clock.advance(days=1)
        taken.parent.rename(tmp_path / "moved")
        folder.write_text("a file where the folder should be")  # the next backup cannot be written
        await running.ticks(3)
        running.clock.advance(minutes=30)
        await running.ticks(3)
        await running.settled()
    told = [s for s in standin.sent if s.chat_id == ADMIN_ID and "backup" in s.text]
    assert len(told) == 1 and "failed" in told[0].text


def test_seven_days_and_four_weeks_are_kept() -> None:
    today = date(2026, 11, 30)  # a Monday
    days = [today - timedelta(days=n) for n in range(60)]
    kept = backups.kept(days)
    daily = {today - timedelta(days=n) for n in range(7)}
    # Of the older ones, the newest of each of 4 weeks (Monday to Sunday): the 23rd (its week's others are
    # dailies), then the Sundays 22, 15 and 8 November. About five weeks back in all.
    weeks = {date(2026, 11, 23), date(2026, 11, 22), date(2026, 11, 15), date(2026, 11, 8)}
    assert kept == daily | weeks


async def test_a_database_of_every_earlier_schema_is_upgraded_with_its_data_and_the_bot_starts(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    for version in range(1, len(MIGRATIONS)):
        folder = tmp_path / f"schema-{version}"
        folder.mkdir()
        written_then(folder / "bot.sqlite3", version)
        async with bot_with(standin, folder, catalogue) as running:
            assert running.db is not None
            assert tuple(await running.db.fetchone("SELECT version FROM schema_version") or ()) == (len(MIGRATIONS),)
            ada = ChatUser(standin, 601)
            mine = await ada.say("/mytaskforces")
            assert "B3" in mine.text and "C1" in mine.text, version
            person = await running.db.fetchone("SELECT name, region FROM people WHERE telegram_id = 601")
            assert person is not None and tuple(person) == ("Ada Lovelace", "Africa"), version


def written_then(database: Path, version: int) -> None:
    """A database as the bot of schema `version` left it: its migrations, and a person with two places
    written in the columns the first schema has (which every later one keeps)."""
    with sqlite3.connect(database) as connection:
        for script in MIGRATIONS[:version]:
            connection.executescript(script)
        connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO schema_version VALUES (?)", (version,))
        at = "2025-01-15T10:00:00+00:00"
        language = ", language" if version < 11 else ""  # written at joining until schema 11 dropped it
        connection.execute(
            "INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type, member_status,"
            f" email, created_at, updated_at{language}) VALUES (601, 'Ada Lovelace', 'Soil Institute', 'Kenya',"
            f" 'Africa', 'Research and education', 'member', 'ada@example.org', ?, ?{', ?' if language else ''})",
            (at, at, "en") if language else (at, at),
        )
        for code, status in (("B3", "active"), ("C1", "pending")):
            connection.execute(
                "INSERT INTO registrations (person_id, taskforce, role, status, created_at, updated_at)"
                " VALUES (601, ?, 'member', ?, ?, ?)",
                (code, status, at, at),
            )
        connection.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, taskforce) VALUES (?, 601, 'joined', 601, 'B3')",
            (at,),
        )


async def test_a_restore_forgets_again_whoever_used_forget_after_the_backup(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The backup knows Ada and Bob; after it Ada uses /forget, Bob too and then comes back. Restored, the
    backup would bring both back as they were: the restore forgets them again, and nobody else."""
    database, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    db = await Database.open(database)
    ada, bob, cem = (Seeded(chat, name=name) for chat, name in ((701, "Ada Lovelace"), (702, "Bob"), (703, "Cem")))
    await seed(db, ada, bob, cem)
    async with db.transaction() as tx:
        await audit.record(tx, utc_now(), ADMIN_ID, "test.before_backup")
    await db.close()
    assert (await keep("backup", copy, database))[0] == 0
    process = await start_bot_process(standin, database)
    try:
        for chat in (ada, bob):
            user = ChatUser(standin, chat.telegram_id)
            await user.say("/forget")
            assert "deleted" in (await user.press("Delete all my data")).text
        await ChatUser(standin, bob.telegram_id).say("/start")  # back, a new person to the bot
    finally:
        await stop(process)

    code, said = await keep("restore", copy, database)
    assert code == 0 and said.endswith("; 2 who used /forget since the backup forgotten again\n"), said
    db = await Database.open(database)
    try:
        assert [row["telegram_id"] for row in await db.fetchall("SELECT telegram_id FROM people")] == [703]
        assert [row["telegram_id"] for row in await db.fetchall("SELECT telegram_id FROM known_users")] == [703]
        assert not await db.fetchall("SELECT 1 FROM registrations WHERE person_id IN (701, 702)")
    finally:
        await db.close()
    # Restored over another bot's database, which knows Cem only: it says nothing of who used /forget, so
    # nobody is forgotten and the operator reads why.
    other = tmp_path / "other" / "bot.sqlite3"
    other.parent.mkdir()
    db = await Database.open(other)
    await seed(db, cem)
    async with db.transaction() as tx:
        await audit.record(tx, utc_now(), ADMIN_ID, "test.elsewhere")
    await db.close()
    code, said = await keep("restore", copy, other)
    assert code == 0 and "WARNING: a /forget made after the backup may be undone" in said, said
    assert said.endswith("is not this backup's later state\n")
    db = await Database.open(other)
    try:
        assert [row["telegram_id"] for row in await db.fetchall("SELECT telegram_id FROM people")] == [701, 702, 703]
    finally:
        await db.close()


async def test_a_restore_over_a_damaged_database_is_done_and_says_what_it_could_not_check(tmp_path: Path) -> None:
    """A damaged file is the usual reason to restore: it cannot tell who used /forget, and the restore stands."""
    database, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    db = await Database.open(database)
    await seed(db, Seeded(701))
    await db.close()
    assert (await keep("backup", copy, database))[0] == 0
    database.write_bytes(b"not a database any more" * 200)
    code, said = await keep("restore", copy, database)
    assert code == 0 and "WARNING: a /forget made after the backup may be undone" in said, said
    db = await Database.open(database)
    try:
        assert [row["telegram_id"] for row in await db.fetchall("SELECT telegram_id FROM people")] == [701]
    finally:
        await db.close()
