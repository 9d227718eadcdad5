"""The test harness without pytest: a movable clock, the running bot, a person in a chat.

Benchmarks import it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import build_application, serve
from bot.chat.context import DEPS_KEY, Deps
from bot.config import Settings
from bot.models import Catalogue, Profile, RegistrationStatus, Role
from bot.services.clock import utc_now
from bot.storage import known_users
from bot.storage.database import Database, Reader
from bot.storage.people import save_person
from bot.storage.registrations import add_registration
from tests.standin import BotApiStandIn, Sent, callback_update, message_update, user

ADMIN_ID = 1
TOKEN = "123:TEST-secret-of-the-stand-in-0123456789"  # shaped like a real one
# A complete profile of a member of "4 per 1000", for unit tests of the rules.
FULL_PROFILE = Profile(
    name="Ada",
    organisation="Org",
    country="Kenya",
    region="Africa",
    stakeholder_type="Research and education",
    member_status="member",
    email=None,
    email_answered=True,
)


@dataclass
class MovableClock:
    """The bot's clock in tests: starts at a fixed moment and moves only when told."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class IsolatedSettings(Settings):
    """Settings from what the test gives only: BOT_* variables and a .env of the developer's change nothing."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def clean_environment(**values: str) -> dict[str, str]:
    """The environment for a `python -m bot` process: this one's without BOT_*, plus `values`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("BOT_")}, **values}


def bot_settings(standin: BotApiStandIn, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_url": standin.base_url,
        "database": database,
        "admins": str(ADMIN_ID),
        "tick_seconds": 0.2,
        "messages_per_second": 1000,
        # Tests act faster than people: a person's answers are paced only in the tests about pacing.
        "chat_burst": 1000,
    }
    values.update(overrides)
    return IsolatedSettings(**values)


class RunningBot:
    """The production Application, started as `python -m bot` starts it, in this loop."""

    def __init__(self, standin: BotApiStandIn, settings: Settings, catalogue: Catalogue) -> None:
        self.standin = standin
        self.settings = settings
        self.catalogue = catalogue
        self.clock = MovableClock()
        self.db: Database | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._application: Any = None

    async def start(self) -> None:
        self.db = await Database.open(self.settings.database)
        self._application = build_application(self.settings, self.catalogue, self.db, self.clock)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(self._application, self._stop))
        try:
            await self.standin.wait_for_poll()
        except BaseException:
            await self.stop()
            raise

    @property
    def deps(self) -> Deps:
        assert self._application is not None
        return self._application.bot_data[DEPS_KEY]  # type: ignore[no-any-return]

    async def ticks(self, count: int = 2) -> None:
        """Wait until `count` more ticks have run: whatever was due is then queued (and the sender woken)."""
        target = self.deps.ticks + count
        deadline = time.monotonic() + 10 + count * self.settings.tick_seconds
        while self.deps.ticks < target:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} ticks did not run")
            await asyncio.sleep(self.settings.tick_seconds / 4)

    async def settled(self) -> None:
        """Two ticks, then until the sender has nothing due: what was going to be sent, was."""
        await self.ticks(2)
        assert self.db is not None
        deadline = time.monotonic() + 10
        query = "SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at IS NULL"
        while await self.db.fetchone(query) is not None or self.deps.sender.busy:
            if time.monotonic() > deadline:
                raise AssertionError("the outbox did not settle")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):  # a bot that failed to start has nothing to stop
                await asyncio.wait_for(self._task, 20)
        if self.db is not None:
            await self.db.close()


@contextlib.asynccontextmanager
async def bot_with(
    standin: BotApiStandIn, folder: Path, catalogue: Catalogue, **settings: Any
) -> AsyncIterator[RunningBot]:
    """The running bot with settings of the test's own (a rate, a tick, a proxy…), stopped after."""
    running = RunningBot(standin, bot_settings(standin, folder / "bot.sqlite3", **settings), catalogue)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@dataclass(frozen=True)
class Seeded:
    telegram_id: int
    region: str = "Africa"
    kind: str = "Research and education"
    places: tuple[tuple[str, Role, RegistrationStatus], ...] = ()
    announcements: bool = True
    name: str = ""
    email: str | None = None
    username: str | None = None


async def seed(running: RunningBot | Database, *people: Seeded) -> None:
    """People as the join flow leaves them: a profile, places, a known chat (written straight to the rows,
    for tests about what is done with many people, not about joining)."""
    db = running if isinstance(running, Database) else running.db
    assert db is not None
    now = utc_now()
    async with db.transaction() as tx:
        for person in people:
            profile = Profile(
                name=person.name or f"Person {person.telegram_id}",
                organisation="Org",
                country="Kenya",
                region=person.region,
                stakeholder_type=person.kind,
                member_status="member",
                email=person.email,
                email_answered=True,
            )
            await save_person(tx, person.telegram_id, profile, now)
            await known_users.remember_user(tx, person.telegram_id, person.username, profile.name or "", "en", now)
            for code, role, status in person.places:
                region = person.region if role is Role.REPRESENTATIVE else None
                await add_registration(tx, person.telegram_id, code, role, status, region, None, now)
            if not person.announcements:
                await tx.execute("UPDATE people SET announcements = 0 WHERE telegram_id = ?", (person.telegram_id,))


async def audit_rows(db: Reader | None, subject_id: int | None = None) -> list[aiosqlite.Row]:
    """The audit log oldest first, of one subject when given: the bot only writes it, tests read it."""
    assert db is not None
    if subject_id is None:
        return await db.fetchall("SELECT * FROM audit_log ORDER BY id")
    return await db.fetchall("SELECT * FROM audit_log WHERE subject_id = ? ORDER BY id", (subject_id,))


async def start_bot_process(standin: BotApiStandIn, database: Path, **settings: str) -> asyncio.subprocess.Process:
    """`python -m bot` on the stand-in, so that a test can SIGKILL it; returns once it is up."""
    env = clean_environment(
        BOT_TOKEN=TOKEN,
        BOT_API_URL=standin.base_url,
        BOT_DATABASE=str(database),
        BOT_TICK_SECONDS="0.5",
        **settings,
    )
    marker = len(standin.sent)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=database.parent, stderr=asyncio.subprocess.DEVNULL
    )
    await standin.wait_for(lambda s: s.method == "setMyCommands", start=marker, timeout=30)
    return process


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, and a clean exit."""
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 20) == 0


class BotProcess:
    """`python -m bot` as an operator runs it: its exit code, and its log read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())
        self._new_line = asyncio.Event()

    @classmethod
    async def start(cls, cwd: Path, *args: str, **env: str) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=clean_environment(**env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._new_line.set()

    async def wait_for_line(self, pattern: str, timeout: float = 20.0, count: int = 1) -> str:
        """The `count`-th line that matches `pattern`, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines if re.search(pattern, line)]
            if len(found) >= count:
                return found[count - 1]
            if self.process.returncode is not None and self._reader.done():
                raise AssertionError(f"the bot exited ({self.process.returncode}) without {pattern!r}: {self.lines}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line {pattern!r} within {timeout}s: {self.lines[-10:]}")
            self._new_line.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_line.wait(), remaining)

    async def exit_code(self, timeout: float = 20.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    async def terminate(self) -> tuple[int, float]:
        """SIGTERM; the exit code and the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = await self.exit_code()
        return code, time.monotonic() - started

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.exit_code()


_callback_ids = itertools.count(1)


class ChatUser:
    """One person in a private chat with the bot: types, presses buttons, reads answers."""

    def __init__(self, standin: BotApiStandIn, user_id: int, **profile: Any) -> None:
        self.standin = standin
        self.user = user(user_id, **profile)
        self.id = user_id

    def _mine(self, sent: Sent) -> bool:
        return sent.chat_id == self.id and sent.method in (
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
        )

    @property
    def messages(self) -> list[Sent]:
        return [sent for sent in self.standin.sent if self._mine(sent)]

    @property
    def last(self) -> Sent:
        return self.messages[-1]

    async def say(self, text: str) -> Sent:
        marker = len(self.standin.sent)
        await self.standin.push(message_update(self.user, text, message_id=self.standin.next_message_id()))
        return await self.standin.wait_for(self._mine, start=marker)

    async def post(self, **content: Any) -> Sent:
        """A message that is not plain text: a photo, a document, a sticker, with or without caption."""
        marker = len(self.standin.sent)
        update = message_update(self.user, "", message_id=self.standin.next_message_id())
        message = update["message"]
        del message["text"]
        message.update(content)
        await self.standin.push(update)
        return await self.standin.wait_for(self._mine, start=marker)

    async def say_in_group(self, text: str, group_id: int = -100, chat_type: str = "group") -> Sent:
        marker = len(self.standin.sent)
        chat = {"id": group_id, "type": chat_type, "title": "Soil friends"}
        await self.standin.push(message_update(self.user, text, chat=chat))
        return await self.standin.wait_for(lambda s: s.chat_id == group_id and s.method == "sendMessage", start=marker)

    def button(self, label: str) -> tuple[Sent, str]:
        """The newest message of this chat that has a button whose label contains `label`."""
        for sent in reversed(self.messages):
            for text, data in sent.buttons:
                if label in text:
                    return sent, data
        raise AssertionError(f"no button {label!r}; last message: {self.last.text!r} {self.last.buttons}")

    async def press(self, label: str) -> Sent:
        sent, data = self.button(label)
        return await self.press_data(data, sent.message_id or 0, markup=sent.params.get("reply_markup"))

    async def press_data(
        self, data: str, message_id: int = 1, *, alert_only: bool = False, markup: dict[str, Any] | None = None
    ) -> Sent:
        """Press a button (or forge one) and return the message or alert that answers it; `markup`: the keyboard of
        the message pressed, which Telegram sends with the press.

        With `alert_only`, wait for the answer to this very press (notifications to the
        same chat may come in between).
        """
        marker = len(self.standin.sent)
        callback_id = str(next(_callback_ids))
        await self.standin.push(callback_update(self.user, data, message_id, int(callback_id), markup))

        def answers(sent: Sent) -> bool:
            alert = sent.method == "answerCallbackQuery" and sent.params.get("callback_query_id") == callback_id
            return (self._mine(sent) and not alert_only) or (alert and bool(sent.params.get("text")))

        return await self.standin.wait_for(answers, start=marker)

    async def alert(self, data: str, message_id: int = 1) -> str:
        """The text of the alert or notice that answers pressing `data`."""
        return str((await self.press_data(data, message_id, alert_only=True)).params["text"])
