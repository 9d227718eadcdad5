"""End to end: what Telegram would refuse never leaves the bot (issue 19).

The stand-in parses HTML as TDLib does (tests/telegram_html.py): an unescaped `<` in a
usage text or a name, or a message longer than Telegram's limit once parsed, is
refused there as Telegram refuses it. Alerts are plain text: escaping shows there.
"""

from __future__ import annotations

import pytest

from bot.models import RegistrationStatus, Role
from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.standin import Sent
from tests.telegram_html import parse_html

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
