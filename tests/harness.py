"""The test harness without pytest: a movable clock, the running bot, a person in a chat.

Benchmarks import it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import build_application, serve
from bot.config import Settings, load_settings
from bot.models import Catalogue
from bot.storage.database import Database
from tests.standin import BotApiStandIn, Sent, callback_update, message_update, user

ADMIN_ID = 1
TOKEN = "123:TEST"


@dataclass
class MovableClock:
    """The bot's clock in tests: starts at a fixed moment and moves only when told."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def bot_settings(standin: BotApiStandIn, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_url": standin.base_url,
        "database": database,
        "admins": str(ADMIN_ID),
        "tick_seconds": 0.2,
        "messages_per_second": 1000,
    }
    values.update(overrides)
    return load_settings(**values)


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

    async def start(self) -> None:
        self.db = await Database.open(self.settings.database)
        application = build_application(self.settings, self.catalogue, self.db, self.clock)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(application, self._stop))
        try:
            await self.standin.wait_for_poll()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):  # a bot that failed to start has nothing to stop
                await asyncio.wait_for(self._task, 20)
        if self.db is not None:
            await self.db.close()


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
        await self.standin.push(message_update(self.user, text))
        return await self.standin.wait_for(self._mine, start=marker)

    async def say_in_group(self, text: str, group_id: int = -100) -> Sent:
        marker = len(self.standin.sent)
        chat = {"id": group_id, "type": "group", "title": "Soil friends"}
        await self.standin.push(message_update(self.user, text, chat=chat))
        return await self.standin.wait_for(lambda s: s.chat_id == group_id, start=marker)

    def button(self, label: str) -> tuple[Sent, str]:
        """The newest message of this chat that has a button whose label contains `label`."""
        for sent in reversed(self.messages):
            for text, data in sent.buttons:
                if label in text:
                    return sent, data
        raise AssertionError(f"no button {label!r}; last message: {self.last.text!r} {self.last.buttons}")

    async def press(self, label: str) -> Sent:
        sent, data = self.button(label)
        return await self.press_data(data, sent.message_id or 0)

    async def press_data(self, data: str, message_id: int = 1, *, alert_only: bool = False) -> Sent:
        """Press a button (or forge one) and return the message or alert that answers it.

        With `alert_only`, wait for the answer to this very press (notifications to the
        same chat may come in between).
        """
        marker = len(self.standin.sent)
        callback_id = str(next(_callback_ids))
        await self.standin.push(callback_update(self.user, data, message_id, callback_id=int(callback_id)))

        def answers(sent: Sent) -> bool:
            alert = sent.method == "answerCallbackQuery" and sent.params.get("callback_query_id") == callback_id
            return (self._mine(sent) and not alert_only) or (alert and bool(sent.params.get("text")))

        return await self.standin.wait_for(answers, start=marker)

    async def alert(self, data: str, message_id: int = 1) -> str:
        """The text of the alert or notice that answers pressing `data`."""
        return str((await self.press_data(data, message_id, alert_only=True)).params["text"])
