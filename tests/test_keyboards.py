"""Keyboards fit a phone: a row shows each of its labels whole (issue 23: the summary's three "Modifier …"
buttons in one row, "Objectif général F · Actions transversales" in a half-width button).

Every keyboard the bot sends in a walk through it (a newcomer from /start to a Delphi question, the
Secretariat deciding and writing an announcement), in English, French and Spanish, is read as Telegram got it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from bot.models import Catalogue, Role
from bot.services.fields import ProfileField
from bot.services.joining import EditPart
from bot.views.account import LeaveAsk, LeaveStay, PrivacyPage, TaskforceCard
from bot.views.browse import GoalPage, Goals, ObjectivePage
from bot.views.buttons import label_width, share
from bot.views.callbacks import Buttons
from bot.views.joining import (
    JoinBack,
    JoinChoice,
    JoinConfirm,
    JoinDone,
    JoinEdit,
    JoinGoal,
    JoinKeep,
    JoinRole,
    JoinTargets,
    JoinToggle,
)
from bot.views.profile import ProfileBack, ProfileEdit
from tests.harness import ADMIN_ID, ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn, Sent
from tests.test_delphi import round_file, seeded_panel, send_round

BOT = Path(__file__).resolve().parents[1] / "bot"


def test_the_budget_is_a_phones() -> None:
    """Half a row shows about 20 characters on a 360-point screen, a third about 13."""
    assert share(2) <= 20 and share(3) <= 13 and share(4) <= 10
    assert label_width("✅ A1") == 5 and label_width("☑️ A1") == 5  # an emoji is two, its variation mark nothing


def test_every_keyboard_is_built_where_the_budget_is_kept() -> None:
    """No view makes an InlineKeyboardMarkup of its own: `buttons.keyboard` is the one that splits long rows."""
    makers = []
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "InlineKeyboardMarkup"
            ):
                makers.append(f"{path.relative_to(BOT)}:{node.lineno}")
    assert makers and [maker for maker in makers if not maker.startswith("views/buttons.py:")] == []


@pytest.mark.parametrize("language", ["en", "fr", "es"])
async def test_no_row_of_any_keyboard_cuts_a_label(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue, language: str
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=1000) as running:  # a fast scripted walk
        await _walk(running, language)
    keyboards = [(sent, _rows(sent)) for sent in standin.sent if _rows(sent)]
    assert len(keyboards) > 40
    cut = [
        (sent.method, [label for label in row if label_width(label) > share(len(row))])
        for sent, rows in keyboards
        for row in rows
        if len(row) > 1 and any(label_width(label) > share(len(row)) for label in row)
    ]
    assert cut == []
    wide_rows = {len(row) for _, rows in keyboards for row in rows}
    assert {1, 2} <= wide_rows and max(wide_rows) > 2  # short labels still share a row


def _rows(sent: Sent) -> list[list[str]]:
    markup: Any = sent.params.get("reply_markup") or {}
    return [[button["text"] for button in row] for row in markup.get("inline_keyboard", [])]


async def _walk(running: RunningBot, language: str) -> None:
    standin = running.standin
    admin = ChatUser(standin, ADMIN_ID, first_name="Sec", language_code=language)
    lea = ChatUser(standin, 4001, first_name="Léa", last_name="Núñez", language_code=language)
    await admin.say("/start")
    await lea.say("/start")
    for press in (Goals(), GoalPage(goal="F"), ObjectivePage(code="F1")):
        await _tap(lea, press)
    await lea.say("/join")
    for press in (JoinGoal(goal="F"), JoinTargets(shown="on"), JoinGoal(), JoinGoal(goal="B")):
        await _tap(lea, press)
    for press in (JoinToggle(code="B3"), JoinDone(), JoinKeep()):
        await _tap(lea, press)
    await lea.say("Institut des sols")
    await lea.say("Sénégal")
    for field, value in ((ProfileField.REGION, "0"), (ProfileField.STAKEHOLDER_TYPE, "0")):
        await _tap(lea, JoinChoice(field=field, value=value))
    await _tap(lea, JoinChoice(field=ProfileField.MEMBER_STATUS, value="member"))
    await _tap(lea, JoinChoice(field=ProfileField.EMAIL, value="skip"))
    await _tap(lea, JoinRole(code="B3", role=Role.REPRESENTATIVE))
    await lea.say("Vingt ans de travail sur les sols.")
    for press in (JoinEdit(part=EditPart.PROFILE), JoinBack(), JoinConfirm()):
        await _tap(lea, press)  # the summary, Edit profile's fields, the summary again, confirmed
    await lea.say("/mytaskforces")
    await _tap(lea, TaskforceCard(code="B3"))
    await lea.say("/leave")
    for press in (LeaveAsk(code="B3"), LeaveStay(code="B3")):
        await _tap(lea, press)
    await lea.say("/profile")
    for field in (ProfileField.REGION, ProfileField.ORGANISATION):
        await _tap(lea, ProfileEdit(field=field))
        await _tap(lea, ProfileBack())
    for command in ("/privacy", "/language", "/settings", "/forget"):
        await lea.say(command)
    await _tap(lea, PrivacyPage(page="whole"))
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and bool(_rows(s)) and "B3" in s.text)  # the prompt
    await admin.say("/pending")
    await admin.say("/broadcast Bonjour")
    for index in (0, -1, 1, -1, 2, -1, 3, -1):  # each audience page, and back to the draft
        await admin.press_data(admin.last.buttons[index][1], admin.last.message_id or 0)
    marker = len(standin.sent)
    await admin.press_data(admin.last.buttons[-2][1], admin.last.message_id or 0)  # Preview: Send, Change, Cancel
    confirm = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and bool(_rows(s)), start=marker)
    await admin.press_data(confirm.buttons[-1][1], confirm.message_id or 0)
    await seeded_panel(running)  # a Delphi round for B3, Léa on its panel
    await send_round(admin, round_file(running.clock()))
    running.clock.advance(hours=2)
    await running.settled()
    await standin.wait_for(lambda s: s.chat_id == lea.id and any(label == "8" for label, _ in s.buttons))
    await lea.press("8")
    await lea.press_data(lea.last.buttons[-1][1], lea.last.message_id or 0)  # no comment: the next question


async def _tap(person: ChatUser, press: Buttons) -> Sent:
    """A press on the person's last message (the open question)."""
    return await person.press_data(press.pack(), person.last.message_id or 0)
