"""End to end: bad input gets a polite answer and changes nothing; errors reach the admins."""

from __future__ import annotations

from bot.models import Role
from bot.services.fields import ProfileField
from bot.views.account import LeaveYes
from bot.views.browse import Goals, ObjectivePage
from bot.views.callbacks import VERSION
from bot.views.joining import JoinResume, JoinRole, JoinToggle
from bot.views.profile import ProfileChoice
from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.standin import callback_update
from tests.test_join_flow import fill_profile


async def test_unknown_command_and_stray_text(running_bot: RunningBot, ada: ChatUser) -> None:
    assert "do not know that command" in (await ada.say("/frobnicate")).text
    assert "did not expect a message" in (await ada.say("hello")).text


async def test_unknown_code_by_command_and_deep_link(running_bot: RunningBot, ada: ChatUser) -> None:
    assert "There is no Task Force Z9" in (await ada.say("/join Z9")).text
    assert "There is no Task Force" in (await ada.say("/start join_Q")).text


async def test_text_where_a_button_is_expected_is_asked_again(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join E2")
    await fill_profile(ada, member="Neither")
    again = await ada.say("Team Member please")
    assert "answer with the buttons" in again.text and "which role suits you" in again.text
    assert again.buttons[0][0] == "Team Member"


async def test_forged_and_stale_buttons_change_nothing(running_bot: RunningBot, ada: ChatUser) -> None:
    stale = (
        JoinToggle(code="A1"),  # no join open
        LeaveYes(code="A1"),  # not in A1
        ObjectivePage(code="Z9"),  # no such objective
        ProfileChoice(field=ProfileField.REGION, value="99"),  # no profile, no such region
    )
    for press in stale:  # this version's buttons, pressed where they no longer apply
        answer = await ada.press_data(press.pack())
        assert answer.method == "answerCallbackQuery", press
        assert "earlier version" not in answer.params["text"], press
    for data in ("zz:top", "j:t:A1", "lv:y:A1", "b:o:Z9", "pf:c:region:99", "x" * 80):  # no version mark: older
        answer = await ada.press_data(data)
        assert answer.method == "answerCallbackQuery", data
        assert "earlier version of the bot" in answer.params["text"], data
    for data in (f"{VERSION}:zz:top", f"{VERSION}:ly:a1", f"{VERSION}:la:A1:extra"):  # this version's, no family's
        assert "no longer valid" in (await ada.press_data(data)).params["text"], data
    await ada.say("/join A1")
    await ada.press("Use “")
    forged = await ada.press_data(JoinRole(code="A1", role=Role.LEADER).pack(), ada.last.message_id or 0)
    assert "no longer valid" in forged.params["text"]
    assert running_bot.db is not None
    assert await running_bot.db.fetchone("SELECT 1 FROM registrations") is None
    assert await running_bot.db.fetchone("SELECT 1 FROM people") is None


async def test_a_double_tap_is_answered_without_an_error(running_bot: RunningBot, ada: ChatUser) -> None:
    standin = running_bot.standin
    await ada.say("/taskforces")
    goal = await ada.press("B · An enabling environment")
    data = next(d for label, d in goal.buttons if label.startswith("B3"))
    page = await ada.press_data(data, goal.message_id or 0)
    assert "Baseline 2020" in page.text
    marker = len(standin.sent)
    await standin.push(callback_update(ada.user, data, goal.message_id or 0))  # the second tap: nothing to change
    await standin.wait_for(lambda s: s.method == "answerCallbackQuery", start=marker)
    await ada.say("/help")  # whatever the second tap caused has been sent by now
    later = standin.sent[marker:]
    assert not [s for s in later if "went wrong" in s.text or s.chat_id == ADMIN_ID]


async def test_start_in_the_middle_of_a_flow_keeps_the_draft(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join F1")
    await ada.press("Use “")
    welcome = await ada.say("/start")
    assert "Welcome" in welcome.text
    resumed = await ada.say("Soil Institute")  # still answers the organisation question
    assert "country" in resumed.text


async def test_commands_in_a_group_point_to_the_private_chat(running_bot: RunningBot, ada: ChatUser) -> None:
    answer = await ada.say_in_group("/join@taskforce_test_bot A1")  # addressed to the bot by name
    assert "private chat" in answer.text
    assert running_bot.db is not None
    assert await running_bot.db.fetchone("SELECT 1 FROM reminders") is None


async def test_an_error_apologises_and_alerts_the_admins_once_a_minute(running_bot: RunningBot, ada: ChatUser) -> None:
    standin = running_bot.standin
    for _ in range(2):
        standin.fail_next["editMessageText"] = (400, "Bad Request: message can't be edited")
        marker = len(standin.sent)
        await ada.press_data(Goals().pack())
        apology = await standin.wait_for(lambda s: s.chat_id == ada.id and "Sorry" in s.text, start=marker)
        assert "Traceback" not in apology.text
    alerts = [s for s in standin.sent if s.chat_id == ADMIN_ID]
    assert len(alerts) == 1 and "BadRequest" in alerts[0].text
    running_bot.clock.advance(minutes=2)
    standin.fail_next["editMessageText"] = (400, "Bad Request: message can't be edited")
    marker = len(standin.sent)
    await ada.press_data(Goals().pack())
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID, start=marker)
    assert len([s for s in standin.sent if s.chat_id == ADMIN_ID]) == 2


async def test_the_command_menu_is_set(running_bot: RunningBot) -> None:
    names = running_bot.standin.menu()
    assert {
        "start",
        "taskforces",
        "join",
        "mytaskforces",
        "profile",
        "leave",
        "cancel",
        "privacy",
        "forget",
        "help",
    } <= set(names)


async def test_help_and_privacy(running_bot: RunningBot, ada: ChatUser) -> None:
    assert "/mytaskforces" in (await ada.say("/help")).text
    assert "Only the Secretariat" in (await ada.say("/privacy")).text


async def test_unfinished_join_is_reminded_once_after_a_day(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join B4")
    running_bot.clock.advance(hours=23)
    await running_bot.settled()
    assert not [m for m in ada.messages if "did not finish" in m.text]
    running_bot.clock.advance(hours=2)
    reminder = await running_bot.standin.wait_for(lambda s: s.chat_id == ada.id and "did not finish" in s.text)
    running_bot.clock.advance(days=3)
    await running_bot.settled()
    assert len([m for m in ada.messages if "did not finish" in m.text]) == 1
    resumed = await ada.press_data(JoinResume().pack(), reminder.message_id or 0)
    assert "full name" in resumed.text
    assert running_bot.db is not None
    rows = await running_bot.db.fetchall("SELECT sent_at FROM reminders WHERE telegram_id = ?", (ada.id,))
    assert len(rows) == 1 and rows[0]["sent_at"] is not None


async def test_a_restart_neither_loses_nor_repeats_the_reminder(running_bot: RunningBot, ada: ChatUser) -> None:
    from tests.harness import RunningBot as Bot

    await ada.say("/join A6")
    await running_bot.stop()
    for restart in range(2):
        again = Bot(running_bot.standin, running_bot.settings, running_bot.catalogue)
        again.clock.advance(hours=25 + restart)
        await again.start()
        try:
            if restart == 0:
                await running_bot.standin.wait_for(lambda s: s.chat_id == ada.id and "did not finish" in s.text)
            else:
                await again.settled()
        finally:
            await again.stop()
    assert len([m for m in ada.messages if "did not finish" in m.text]) == 1
    await running_bot.start()  # the fixture stops it once more


async def test_an_old_button_in_the_middle_of_a_join_brings_the_open_question_back(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    await ada.say("/join B3")
    await ada.press("Use")
    marker = len(running_bot.standin.sent)
    alert = await ada.alert("j:t:A2")  # a join button made before the version mark
    assert "earlier version of the bot" in alert
    offered = await running_bot.standin.wait_for(lambda s: s.chat_id == ada.id and bool(s.buttons), start=marker)
    assert [label for label, _ in offered.buttons] == ["Continue", "Cancel"]
    carried = await ada.press("Continue")
    assert "organisation" in carried.text.lower()  # the open question of the B3 join, nothing lost
