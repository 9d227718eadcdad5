"""The bot's requests through aiohttp: JSON and multipart bodies, and the Bot API's refusals."""

from __future__ import annotations

import asyncio
from io import BytesIO

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.transport import AiohttpRequest
from tests.harness import TOKEN, ChatUser, RunningBot
from tests.standin import BotApiStandIn


async def make_bot(standin: BotApiStandIn) -> Bot:
    bot = Bot(TOKEN, base_url=standin.base_url, request=AiohttpRequest(), get_updates_request=AiohttpRequest())
    await bot.initialize()
    return bot


async def test_requests_without_files_go_as_one_json_document(standin: BotApiStandIn) -> None:
    bot = await make_bot(standin)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Région Afrique", callback_data="r:AF")]])
    try:
        message = await bot.send_message(42, "Bienvenue « ici »", reply_markup=keyboard, disable_notification=True)
    finally:
        await bot.shutdown()
    sent = standin.sent[-1]
    assert sent.content_type == "application/json"
    assert sent.params == {
        "chat_id": 42,
        "text": "Bienvenue « ici »",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "Région Afrique", "callback_data": "r:AF"}]]},
    }
    assert message.message_id == sent.message_id and message.reply_markup == keyboard


async def test_the_stand_in_reads_form_bodies_as_ptb_sends_them_by_default(standin: BotApiStandIn) -> None:
    bot = Bot(TOKEN, base_url=standin.base_url)  # PTB's own HTTPXRequest: form fields, JSON-encoded values
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Région Afrique", callback_data="r:AF")]])
    await bot.initialize()
    try:
        await bot.send_message(42, "Bienvenue « ici »", reply_markup=keyboard)
    finally:
        await bot.shutdown()
    sent = standin.sent[-1]
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert sent.chat_id == 42 and sent.text == "Bienvenue « ici »"
    assert sent.buttons == [("Région Afrique", "r:AF")]


async def test_documents_and_photos_go_as_multipart(standin: BotApiStandIn) -> None:
    bot = await make_bot(standin)
    try:
        await bot.send_document(42, BytesIO(b"code;title\nA1;NDCs\n"), filename="members.csv", caption="Members")
        await bot.send_photo(42, BytesIO(b"\x89PNG fake"), caption="Balance")
    finally:
        await bot.shutdown()
    document, photo = standin.sent[-2:]
    assert document.method == "sendDocument" and document.params["caption"] == "Members"
    assert document.content_type == photo.content_type == "multipart/form-data"
    assert document.files["document"] == b"code;title\nA1;NDCs\n" and document.chat_id == 42
    assert photo.method == "sendPhoto" and photo.files["photo"] == b"\x89PNG fake"


async def test_refusals_map_to_telegram_errors(standin: BotApiStandIn) -> None:
    bot = await make_bot(standin)
    standin.forbidden_chats.add(7)
    try:
        with pytest.raises(Forbidden):
            await bot.send_message(7, "hello")
        standin.retry_after["sendMessage"] = 3
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(8, "hello")
        assert "Retry in 3" in str(retry.value)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(8, "x" * 4097)
        assert standin.refused == [("sendMessage", "Bad Request: message is too long")]
        standin.refused.clear()  # refused on purpose
    finally:
        await bot.shutdown()


async def test_an_answer_slower_than_the_timeouts_is_a_timeout(standin: BotApiStandIn) -> None:
    bot = Bot(TOKEN, base_url=standin.base_url, request=AiohttpRequest(read_timeout=0.2, write_timeout=0.1))
    await bot.initialize()
    standin.delays["sendMessage"] = 1.0
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hello")
    finally:
        await bot.shutdown()
    assert asyncio.get_running_loop().time() - started < 0.8


async def test_the_bot_waits_out_a_429_and_answers(running_bot: RunningBot, ada: ChatUser) -> None:
    running_bot.standin.retry_after["sendMessage"] = 1
    answer = await ada.say("/help")
    assert "/mytaskforces" in answer.text


async def test_a_reminder_to_someone_who_blocked_the_bot_is_not_retried(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join C4")
    running_bot.standin.forbidden_chats.add(ada.id)
    running_bot.clock.advance(hours=25)
    assert running_bot.db is not None
    query = "SELECT sent_at, failed_at FROM outbox WHERE chat_id = ? AND kind = 'join_reminder'"
    for _ in range(50):
        row = await running_bot.db.fetchone(query, (ada.id,))
        if row is not None and row["failed_at"] is not None:
            break
        await asyncio.sleep(0.1)
    assert row is not None and row["failed_at"] is not None and row["sent_at"] is None  # refused for good
    await running_bot.settled()
    assert await running_bot.db.fetchone("SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL") is None
    assert not [m for m in ada.messages if "did not finish" in m.text]
