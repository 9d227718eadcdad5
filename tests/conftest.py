"""Fixtures: a real SQLite file, the Bot API stand-in, and the real bot talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import SHIPPED_OBJECTIVES
from bot.models import Catalogue
from bot.services.catalogue import load_catalogue
from bot.storage.database import Database
from tests.harness import TOKEN, ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(SHIPPED_OBJECTIVES)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "unit.sqlite3")
    yield database
    await database.close()


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn(TOKEN)
    await server.start()
    yield server
    await server.stop()
    # What Telegram refuses, nobody meets: the bot sent nothing Telegram would refuse (HTML, lengths).
    assert not server.refused, f"Telegram would refuse: {server.refused}"


@pytest.fixture
async def running_bot(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> AsyncIterator[RunningBot]:
    async with bot_with(standin, tmp_path, catalogue) as running:
        yield running


@pytest.fixture
def ada(standin: BotApiStandIn) -> ChatUser:
    return ChatUser(standin, 1001, first_name="Ada", last_name="Lovelace")
