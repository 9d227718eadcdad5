"""Running it for real, through `python -m bot`: the webhook, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.chat.http import CONTACT_WITHIN
from bot.config import SettingsError, load_settings
from bot.models import Catalogue
from tests.harness import TOKEN, BotProcess, ChatUser, bot_with
from tests.standin import BotApiStandIn, message_update, user
from tests.test_join_flow import fill_profile
from tests.test_lifecycle import free_port

PUBLIC = "https://bot.example.org:8443"


async def get(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.text()


async def post(url: str, body: object, **headers: str) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers) as response:
        return response.status


@pytest.fixture
async def listen() -> str:
    return f"127.0.0.1:{free_port()}"


async def started(standin: BotApiStandIn, folder: Path, **env: str) -> BotProcess:
    bot = await BotProcess.start(
        folder,
        BOT_TOKEN=TOKEN,
        BOT_API_URL=standin.base_url,
        BOT_DATABASE=str(folder / "bot.sqlite3"),
        BOT_TICK_SECONDS="0.2",
        **env,
    )
    await bot.wait_for_line("bot started as")
    return bot


@pytest.fixture
async def webhook_bot(standin: BotApiStandIn, tmp_path: Path, listen: str) -> AsyncIterator[BotProcess]:
    standin.webhook_routes[PUBLIC] = f"http://{listen}"
    bot = await started(standin, tmp_path, BOT_HTTP_LISTEN=listen, BOT_WEBHOOK_URL=f"{PUBLIC}/telegram")
    yield bot
    assert (await bot.terminate())[0] == 0


async def test_a_newcomer_joins_through_the_webhook(standin: BotApiStandIn, webhook_bot: BotProcess) -> None:
    assert standin.webhook is not None and standin.webhook["url"] == f"{PUBLIC}/telegram"
    assert len(standin.webhook["secret_token"]) >= 32
    ada = ChatUser(standin, 501)
    assert "full name" in (await ada.say("/start join_B3")).text
    await fill_profile(ada, member="Neither")
    await ada.press("Team Member")
    assert "you are registered" in (await ada.press("Confirm")).text
    assert standin.polls == 0 and standin.webhook_posts >= 9


async def test_a_post_without_the_secret_is_refused_and_changes_nothing(
    standin: BotApiStandIn, webhook_bot: BotProcess, listen: str
) -> None:
    forged = message_update(user(7, "Mallory"), "/start")
    forged["update_id"] = 9000
    url = f"http://{listen}/telegram"
    assert await post(url, forged) == 403
    assert await post(url, forged, **{"X-Telegram-Bot-Api-Secret-Token": "guessed"}) == 403
    await asyncio.sleep(0.5)
    assert not [s for s in standin.sent if s.chat_id == 7]
    # The same update with the secret is handled: the refusal was the secret's doing.
    assert await post(url, forged, **{"X-Telegram-Bot-Api-Secret-Token": standin.webhook["secret_token"]}) == 200  # type: ignore[index]
    await standin.wait_for(lambda s: s.chat_id == 7)


async def test_polling_again_removes_the_webhook(standin: BotApiStandIn, tmp_path: Path, listen: str) -> None:
    standin.webhook_routes[PUBLIC] = f"http://{listen}"
    bot = await started(standin, tmp_path, BOT_HTTP_LISTEN=listen, BOT_WEBHOOK_URL=f"{PUBLIC}/telegram")
    assert (await bot.terminate())[0] == 0
    assert standin.webhook is not None  # kept while the bot is down: Telegram holds the updates meanwhile
    bot = await started(standin, tmp_path)
    try:
        assert standin.webhook is None
        ada = ChatUser(standin, 502)
        assert "full name" in (await ada.say("/start join_B3")).text
    finally:
        await bot.terminate()


async def test_health_is_ok_then_503_with_the_reason_when_the_database_takes_no_write(
    standin: BotApiStandIn, tmp_path: Path, listen: str
) -> None:
    bot = await started(standin, tmp_path, BOT_HTTP_LISTEN=listen)
    try:
        assert await get(f"http://{listen}/healthz") == (200, "ok\n")
        # File modes do not bind root (CI) nor a descriptor already open: another program holding the
        # write lock is what the bot meets when its file stops taking writes.
        holder = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            status, reason = await get(f"http://{listen}/healthz")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert status == 503 and reason.startswith("database: ")
        await asyncio.sleep(0.5)
        assert await get(f"http://{listen}/healthz") == (200, "ok\n")
    finally:
        await bot.terminate()


async def test_health_names_an_unreached_bot_api_and_a_stopped_sender(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue, listen: str
) -> None:
    async with bot_with(standin, tmp_path, catalogue, http_listen=listen) as running:
        assert await get(f"http://{listen}/healthz") == (200, "ok\n")
        running.deps.metrics.last_contact = time.monotonic() - CONTACT_WITHIN - 1
        await running.deps.sender.stop()
        status, reasons = await get(f"http://{listen}/healthz")
    assert status == 503
    assert reasons.splitlines() == [f"Bot API: last answer {CONTACT_WITHIN + 1:.0f} s ago", "sender: not running"]


async def test_metrics_are_scraped_and_parsed(standin: BotApiStandIn, tmp_path: Path, listen: str) -> None:
    bot = await started(standin, tmp_path, BOT_HTTP_LISTEN=listen)
    try:
        ada = ChatUser(standin, 503)
        await ada.say("/start join_B3")
        await ada.say("/help")
        standin.forbidden_chats.add(503)
        status, text = await get(f"http://{listen}/metrics")
    finally:
        await bot.terminate()
    assert status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("taskforce_updates_total", (("kind", "message"),))] == 2
    assert samples[("taskforce_update_seconds_count", ())] == 2
    assert samples[("taskforce_bot_api_requests_total", (("method", "sendMessage"), ("status", "200")))] >= 2
    assert samples[("taskforce_bot_api_requests_total", (("method", "getMe"), ("status", "200")))] >= 1
    assert ("taskforce_outbox_waiting", (("lane", "bulk"),)) in samples
    assert samples[("taskforce_errors_total", ())] == 0
    assert samples[("taskforce_delphi_rounds_open", ())] == 0
    # No label holds anything about a person: no id, name or text typed.
    labels = {value for (_name, pairs) in samples for _key, value in pairs}
    assert not {value for value in labels if "503" in value or "Ada" in value or "join" in value}


def test_a_webhook_address_without_a_port_is_https_s_443_and_other_ports_are_refused() -> None:
    settings = load_settings(token=TOKEN, http_listen="127.0.0.1:8080", webhook_url="https://bot.example.org/telegram")
    assert settings.webhook_path == "/telegram"
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_URL: Telegram posts only to the ports 443, 80, 88, 8443"):
        load_settings(token=TOKEN, http_listen="127.0.0.1:8080", webhook_url="https://bot.example.org:8080/telegram")
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_URL: needs BOT_HTTP_LISTEN"):
        load_settings(token=TOKEN, webhook_url="https://bot.example.org/telegram")
