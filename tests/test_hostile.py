"""What people type is always safe to show, and safe to log."""

from __future__ import annotations

import logging

import pytest

from tests.harness import ADMIN_ID, ChatUser, RunningBot


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
