"""End to end: what Telegram would refuse never leaves the bot (issue 19).

The stand-in parses HTML as TDLib does (tests/telegram_html.py): an unescaped `<` in a
usage text or a name, or a message longer than Telegram's limit once parsed, is
refused there as Telegram refuses it. Alerts are plain text: escaping shows there.
"""

from __future__ import annotations

import re

import pytest

from bot.models import RegistrationStatus, Role
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, seed
from tests.standin import BotApiStandIn, Sent
from tests.telegram_html import CAPTION_LIMIT, TEXT_LIMIT, parse_html, shown_length
from tests.test_broadcast import preview
from tests.test_facilitation import apply, facilitate, prompt_for

MEMBER, ACTIVE = Role.MEMBER, RegistrationStatus.ACTIVE
LONG_FIRST, LONG_LAST = "Maximiliana " + "é" * 52, "de la Tierra " + "ñ" * 51  # Telegram's longest: 64 each


def shown(sent: Sent) -> str:
    """What the person reads: the message as Telegram parses it."""
    return parse_html(sent.text).text


USAGES = {
    "en": ("Write /facilitator <user id or @username> <CODE>", "Write /withdraw <user id or @username> <CODE>."),
    "fr": ("Écrivez /facilitator <identifiant ou @utilisateur> <CODE>", "Écrivez /withdraw <identifiant"),
    "es": ("Escriba /facilitator <identificador o @usuario> <CÓDIGO>", "Escriba /withdraw <identificador"),
}
NO_FACILITATOR = {
    "en": "Assign one with /facilitator <user id or @username> <CODE>.",
    "fr": "/facilitator <identifiant ou @utilisateur> <CODE>",
    "es": "/facilitator <identificador o @usuario> <CÓDIGO>",
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
async def test_usage_texts_reach_the_admin_in_every_language(running_bot: RunningBot, language: str) -> None:
    admin = ChatUser(running_bot.standin, ADMIN_ID, first_name="Sec", language_code=language)
    facilitator_usage, withdraw_usage = USAGES[language]
    for command in ("/facilitator", "/facilitator 2001", "/facilitator remove 2001 B3 now"):
        assert facilitator_usage in shown(await admin.say(command))
    assert withdraw_usage in shown(await admin.say("/withdraw 2001"))
    assert NO_FACILITATOR[language] in shown(await admin.say("/facilitators"))


async def _announce(author: ChatUser, text: str, standin: BotApiStandIn, *, asked: bool = False) -> Sent:
    """Write (after /broadcast asked for it, or with the command), preview and send `text`; the preview."""
    await author.say(text if asked else "/broadcast " + text)
    shown_to_author, _confirm = await preview(author)
    await author.press("Send")
    await standin.wait_for(lambda s: s.chat_id == author.id and "· done" in s.text, timeout=20)
    return shown_to_author


def announcement_to(standin: BotApiStandIn, chat_id: int) -> Sent:
    [sent] = [s for s in standin.sent if s.chat_id == chat_id and "/settings" in s.text]
    return sent


async def test_authors_named_with_markup_characters_are_signed_as_written(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, Seeded(501, places=(("C1", MEMBER, ACTIVE),)))
    admin = ChatUser(standin, ADMIN_ID, first_name="Ana", last_name="<3")
    preview_text = await _announce(admin, "Field day on Monday.", standin)
    assert "Ana <3, Executive Secretariat" in shown(preview_text)
    assert "Ana <3, Executive Secretariat" in shown(announcement_to(standin, 501))

    lab = ChatUser(standin, 2001, first_name="R&D", last_name="Team &lt;soil&gt;")
    await facilitate(admin, (lab, "C1"))
    preview_text = await _announce(lab, "Samples are due.", standin)
    assert "R&D Team &lt;soil&gt;, facilitator of C1" in shown(preview_text)  # shown as typed, not decoded
    assert [s for s in standin.sent if s.chat_id == 501 and "Samples are due" in s.text]


def told_limit(sent: Sent) -> int:
    found = re.search(r"at most (\d+) characters", sent.text)
    assert found, sent.text
    return int(found.group(1))


async def test_the_longest_text_an_admin_with_the_longest_name_may_write_goes_out(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, Seeded(501, places=(("C1", MEMBER, ACTIVE),)))
    admin = ChatUser(standin, ADMIN_ID, first_name=LONG_FIRST, last_name=LONG_LAST)
    await admin.say("/broadcast")
    limit = told_limit(await admin.say("x" * TEXT_LIMIT))
    assert told_limit(await admin.say("x" * (limit + 1))) == limit
    preview_text = await _announce(admin, "y" * limit, standin, asked=True)
    # Exact: the footer (a name cut at 100 characters) fills the message to Telegram's limit, not beyond.
    assert shown_length(preview_text.text) == TEXT_LIMIT
    assert shown_length(announcement_to(standin, 501).text) == TEXT_LIMIT


async def test_the_longest_caption_a_facilitator_may_write_goes_out(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    codes = ("A1", "B3", "C1", "D1", "D2")
    await seed(running_bot, Seeded(501, places=(("C1", MEMBER, ACTIVE),)))
    admin = ChatUser(standin, ADMIN_ID, first_name="Sec")
    fran = ChatUser(standin, 2001, first_name=LONG_FIRST, last_name=LONG_LAST)
    await facilitate(admin, *((fran, code) for code in codes))
    await fran.say("/broadcast")
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9, "file_size": 100}]
    limit = told_limit(await fran.post(photo=photo, caption="z" * CAPTION_LIMIT))
    page = await fran.post(photo=photo, caption="z" * limit)
    assert "Recipients" in page.text
    shown_to_author, _confirm = await preview(fran)
    assert shown_to_author.method == "sendPhoto"
    assert shown_length(shown_to_author.text) == CAPTION_LIMIT
    await fran.press("Send")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "· done" in s.text, timeout=20)
    got = announcement_to(standin, 501)
    assert got.method == "sendPhoto" and shown_length(got.text) <= CAPTION_LIMIT


async def decided_late(running_bot: RunningBot, first_name: str, last_name: str) -> str:
    """The alert Gus gets pressing his prompt after Fran (named so) decided the application."""
    standin = running_bot.standin
    admin = ChatUser(standin, ADMIN_ID, first_name="Sec")
    fran = ChatUser(standin, 2001, first_name=first_name, last_name=last_name)
    gus = ChatUser(standin, 2002, first_name="Gus", last_name="Guide")
    ada = ChatUser(standin, 1001)
    await facilitate(admin, (fran, "B3"), (gus, "B3"))
    await apply(ada, "B3")
    await prompt_for(fran, standin)
    gus_prompt = await prompt_for(gus, standin)
    await fran.press("Approve")
    await standin.wait_for(lambda s: s.method == "editMessageText" and s.chat_id == gus.id and "Approved by" in s.text)
    return await gus.alert(gus_prompt.buttons[0][1], gus_prompt.message_id or 0)


async def test_an_alert_names_the_decider_as_written(running_bot: RunningBot) -> None:
    late = await decided_late(running_bot, "Fran", "Facil <3 & co")
    assert late.startswith("Already decided by Fran Facil <3 & co on ")
    assert "&lt;" not in late and "&amp;" not in late


async def test_an_alert_with_a_long_name_is_cut_to_fit(running_bot: RunningBot) -> None:
    late = await decided_late(running_bot, "&" * 64, "<" * 64)
    assert late.startswith("Already decided by " + "&" * 63 + "… on ")  # cut as an echo is, not escaped
    assert len(late) <= 200
