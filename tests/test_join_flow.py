"""End to end: people join task forces through the real bot and the Bot API stand-in."""

from __future__ import annotations

from bot.storage import repositories as repo
from tests.conftest import RunningBot, ChatUser


async def fill_profile(person: ChatUser, member: str = "Member") -> None:
    await person.press("Use “")
    await person.say("Soil Institute")
    await person.say("Kenya")
    await person.press("Africa")
    await person.press("Research and education")
    await person.press(member)
    await person.say("ada@example.org")


async def test_newcomer_joins_by_deep_link_as_team_member(running_bot: RunningBot, ada: ChatUser) -> None:
    first = await ada.say("/start join_B3")
    assert "full name" in first.text
    await fill_profile(ada, member="Neither")
    role_question = ada.last
    assert "B3" in role_question.text
    assert [label for label, _ in role_question.buttons if "Cancel" not in label] == ["Team Member"]
    summary = await ada.press("Team Member")
    assert "Please check" in summary.text and "Soil Institute" in summary.text
    done = await ada.press("Confirm")
    assert "you are registered" in done.text and "B3" in done.text

    assert running_bot.db is not None
    person = await repo.get_person(running_bot.db, ada.id)
    assert person is not None and person.name == "Ada Lovelace" and person.region == "Africa"
    [registration] = await repo.registrations_of(running_bot.db, ada.id)
    assert (registration.taskforce, registration.role.value, registration.status.value) == ("B3", "member", "active")
    mine = await ada.say("/mytaskforces")
    assert "B3" in mine.text and "Team Member" in mine.text and "active" in mine.text
