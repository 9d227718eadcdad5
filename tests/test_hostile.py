"""What people type is always safe to show, and safe to log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.standin import callback_update, message_update


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
    assert "Who sees it" in (await ada.say("/privacy")).text
    skipped = [r.getMessage() for r in caplog.records if f"update {bad_id} cannot be read" in r.getMessage()]
    assert len(skipped) == 1 and "Ada" not in skipped[0]  # once, and no personal data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
