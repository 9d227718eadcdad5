"""What people type is always safe to show, and safe to log."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.standin import callback_update, message_update
from tests.test_join_flow import fill_profile


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("/join <b>x", "There is no Task Force &lt;B&gt;X."),
        ("/start join_<i>", "There is no Task Force &lt;I&gt;."),
        ("/leave <b>", "There is no Task Force &lt;B&gt;."),
        ("/start join_" + "<b>" * 40, "There is no Task Force " + "&lt;B&gt;" * 21),
    ],
    ids=["join", "deep-link", "leave", "long-deep-link"],
)
async def test_typed_html_is_escaped_in_the_refusal(
    running_bot: RunningBot, ada: ChatUser, typed: str, refusal: str
) -> None:
    answer = await ada.say(typed)
    assert answer.text.startswith(refusal)
    assert "went wrong" not in answer.text


async def test_an_over_long_echo_is_cut(running_bot: RunningBot, ada: ChatUser) -> None:
    answer = await ada.say("/join " + "Z" * 5000)
    assert "There is no Task Force ZZZ" in answer.text and "…" in answer.text and len(answer.text) < 300


async def test_members_of_an_html_code_is_refused_in_words(running_bot: RunningBot) -> None:
    admin = ChatUser(running_bot.standin, ADMIN_ID)
    assert "There is no Task Force &lt;B&gt;" in (await admin.say("/members <b>")).text


async def test_withdrawing_a_person_with_html_in_their_name(running_bot: RunningBot) -> None:
    eve = ChatUser(running_bot.standin, 1005, first_name="Eve <i>", last_name="</b>")
    await eve.say("/start")
    answer = await ChatUser(running_bot.standin, ADMIN_ID).say("/withdraw 1005 B3")
    assert answer.text == "Eve &lt;i&gt; &lt;/b&gt; is not registered in Task Force B3."


async def test_a_newline_in_button_data_cannot_forge_a_log_line(
    running_bot: RunningBot, ada: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = "x\nERROR bot: FORGEDLOGLINE admin 1 approved everything"
    await ada.alert(forged)
    await ada.say("/help\nERROR bot: FORGED")
    lines = [record.getMessage() for record in caplog.records]
    assert any("FORGEDLOGLINE" in line for line in lines)  # logged, escaped…
    assert not any("\n" in line for line in lines if "FORGED" in line)  # …on one line


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(
    "broken",
    [
        lambda u: {"message": {k: v for k, v in message_update(u, "hi")["message"].items() if k != "date"}},
        lambda u: {
            "callback_query": {k: v for k, v in callback_update(u, "x", 1)["callback_query"].items() if k != "id"}
        },
        lambda u: {"poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0}},
    ],
    ids=["message-without-date", "callback-without-id", "poll-missing-fields"],
)
async def test_an_update_that_cannot_be_read_is_skipped_and_the_next_is_handled(
    running_bot: RunningBot, ada: ChatUser, caplog: pytest.LogCaptureFixture, broken: Any
) -> None:
    caplog.set_level(logging.INFO)
    assert "/mytaskforces" in (await ada.say("/help")).text
    bad_id = await running_bot.standin.push(broken(ada.user))
    assert "Only the Secretariat" in (await ada.say("/privacy")).text
    skipped = [r.getMessage() for r in caplog.records if f"update {bad_id} cannot be read" in r.getMessage()]
    assert len(skipped) == 1 and "Ada" not in skipped[0]  # once, and no personal data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_flood_gets_one_notice_and_does_not_stall_anyone_else(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    flooder, bystander = ChatUser(standin, 1101, first_name="Flo"), ChatUser(standin, 1102, first_name="Bea")
    for n in range(60):
        await standin.push(message_update(flooder.user, f"message {n}"))
    forger = ChatUser(standin, 1103, first_name="Fred")
    for n in range(300):
        await standin.push(callback_update(forger.user, f"zz:forged:{n}", 1, callback_id=90_000 + n))
    assert "/mytaskforces" in (await bystander.say("/help")).text
    await running_bot.settled()
    notices = [m for m in flooder.messages if "faster than I can read" in m.text]
    assert len(notices) == 1
    assert len(flooder.messages) == 21  # twenty answers, then the one notice; the rest dropped


async def test_a_flood_wait_on_one_chat_holds_that_chat_only(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    ada, bob = ChatUser(standin, 1201, first_name="Ada"), ChatUser(standin, 1202, first_name="Bob")
    standin.flood_chats[ada.id] = 2
    started = time.monotonic()
    ada_waits = asyncio.create_task(ada.say("/help"))
    await asyncio.sleep(0.2)  # Ada's answer has met its flood wait
    bob_answer = await bob.say("/help")
    ada_answer = await ada_waits
    assert bob_answer.at - started < 1.0
    assert 2.0 <= ada_answer.at - started < 4.0 and "/mytaskforces" in ada_answer.text


@pytest.mark.parametrize("failure", [(502, "Bad Gateway"), (500, "Internal Server Error")])
async def test_an_outcome_telegram_did_not_take_is_delivered_later(
    running_bot: RunningBot, ada: ChatUser, failure: tuple[int, str]
) -> None:
    await ada.say("/join B3")
    await fill_profile(ada, member="Neither")
    await ada.press("Team Member")
    running_bot.standin.fail_next["editMessageText"] = failure  # the Confirm's answer is lost on the way
    marker = len(running_bot.standin.sent)
    await ada.press_data(ada.button("Confirm")[1], ada.button("Confirm")[0].message_id or 0, alert_only=False)
    told = await running_bot.standin.wait_for(
        lambda s: s.chat_id == ada.id and "you are registered" in s.text, start=marker
    )
    assert told.method == "sendMessage"  # through the sender, as a new message
    assert not [s for s in running_bot.standin.sent[marker:] if "went wrong" in s.text]
