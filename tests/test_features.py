"""The features, as the wiring sees them: each declared once, and what they declare holds together.

A refusal reason with no sentence would read as a stale button's; a reason declared twice would
let one feature's words silently replace another's; a command in the menu that no handler takes
would answer "unknown command".
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler, ConversationHandler

from bot.app import FEATURES, build_application, conversation
from bot.chat.feature import ConversationPart, Feature
from bot.i18n import SUPPORTED, translator
from bot.models import Catalogue
from bot.storage.database import Database
from bot.views import words
from tests.harness import bot_settings
from tests.standin import BotApiStandIn

BOT = Path(__file__).resolve().parent.parent / "bot"
# Raised where it is made; a Refused returned as a value (a preview's outcome) has a view of its own.
RAISED = re.compile(r"raise Refused\(\s*\"([a-z_]+)\"")


def test_each_feature_is_named_once() -> None:
    names = Counter(feature.name for feature in FEATURES)
    assert [name for name, count in names.items() if count > 1] == []


def test_each_refusal_reason_is_declared_once_in_every_language() -> None:
    for language in SUPPORTED:
        _ = translator(language)
        declared = Counter([*words.common_refusals(_), *(r for f in FEATURES for r in f.refusals(_))])
        assert [reason for reason, count in declared.items() if count > 1] == [], language


def test_every_reason_the_bot_raises_has_its_sentence() -> None:
    raised = {reason for path in BOT.rglob("*.py") for reason in RAISED.findall(path.read_text())}
    _ = translator("en")
    declared = {*words.common_refusals(_), *(r for f in FEATURES for r in f.refusals(_))}
    assert raised, "the search for raised reasons found none"
    assert sorted(raised - declared) == []


def test_each_command_is_declared_once() -> None:
    _ = translator("en")
    names = Counter(command.name for feature in FEATURES for command in feature.commands(_))
    assert [name for name, count in names.items() if count > 1] == []


async def test_every_command_in_the_menu_has_its_handler(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    db = await Database.open(tmp_path / "features.sqlite3")
    try:
        application = build_application(bot_settings(standin, tmp_path / "features.sqlite3"), catalogue, db)
    finally:
        await db.close()
    handlers: list[Any] = []
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler):
                states = [h for hs in handler.states.values() for h in hs]
                handlers += [*handler.entry_points, *states, *handler.fallbacks]
            else:
                handlers.append(handler)
    handled = {name for h in handlers if isinstance(h, CommandHandler) for name in h.commands}
    _ = translator("en")
    declared = {command.name for feature in FEATURES for command in feature.commands(_)}
    assert sorted(declared - handled) == []


def test_two_features_cannot_name_the_same_conversation_state() -> None:
    async def nothing(update: object, context: object) -> None:
        return None

    def part() -> ConversationPart:
        return ConversationPart(states={"writing": [CommandHandler("x", nothing)]})

    with pytest.raises(ValueError, match="writing"):
        conversation((Feature("one", conversation=part), Feature("two", conversation=part)))


async def test_the_names_kept_in_databases_stay_as_they_were(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    """A person in the middle of a flow when the bot is upgraded finds it again: the conversation's name and
    states are stored in PTB's persistence rows, so renaming one strands everyone who was in it."""
    db = await Database.open(tmp_path / "names.sqlite3")
    try:
        application = build_application(bot_settings(standin, tmp_path / "names.sqlite3"), catalogue, db)
    finally:
        await db.close()
    conversations = [h for group in application.handlers.values() for h in group if isinstance(h, ConversationHandler)]
    assert [c.name for c in conversations] == ["chat"]
    assert set(conversations[0].states) == {
        "joining",
        "editing",
        "reason",
        "withdraw_reason",
        "broadcasting",
        "describing",
        "reviewing",
        "progressing",
    }
