"""End to end: people join task forces through the real bot and the Bot API stand-in."""

from __future__ import annotations

import re
from html import escape

from bot.i18n import SUPPORTED
from bot.models import Role
from bot.storage.people import get_person
from bot.storage.registrations import registrations_of
from bot.views.browse import ObjectivePage
from bot.views.joining import JoinConfirm, JoinDone, JoinGoal, JoinRole, JoinToggle
from tests.harness import ADMIN_ID, ChatUser, RunningBot, bot_with
from tests.standin import Sent, callback_update, message_update


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
    assert [label for label, _ in role_question.buttons] == ["Team Member", "« Back", "Cancel"]
    summary = await ada.press("Team Member")
    assert "Please check" in summary.text and "Soil Institute" in summary.text
    done = await ada.press("Confirm")
    assert "you are registered" in done.text and "B3" in done.text

    assert running_bot.db is not None
    person = await get_person(running_bot.db, ada.id)
    assert person is not None and person.name == "Ada Lovelace" and person.region == "Africa"
    [registration] = await registrations_of(running_bot.db, ada.id)
    assert (registration.taskforce, registration.role.value, registration.status.value) == ("B3", "member", "active")
    mine = await ada.say("/mytaskforces")
    assert "B3" in mine.text and "Team Member" in mine.text and "active" in mine.text
    # Texts are HTML: every message and edit must say so, or people would see the tags.
    written = [s for s in running_bot.standin.sent if s.method in ("sendMessage", "editMessageText")]
    assert {s.method for s in written} == {"sendMessage", "editMessageText"}
    assert all(s.params.get("parse_mode") == "HTML" for s in written)


async def join_as_member_of(person: ChatUser, code: str, member: str = "Member") -> None:
    await person.say(f"/join {code}")
    await fill_profile(person, member=member)


async def test_browse_goals_objectives_and_join_from_an_objective_page(running_bot: RunningBot, ada: ChatUser) -> None:
    goals = await ada.say("/taskforces")
    assert "Goal F · Crosscutting actions" in goals.text
    goal = await ada.press("B · An enabling environment")
    assert "B3" in goal.text and "GAFOLUP Helpdesk" in goal.text
    page = await ada.press("B3 · GAFOLUP Helpdesk")
    assert "Baseline 2020" in page.text and "Help-desk active in 5 regions." in page.text
    assert "Help-desk active globally" in page.text
    back = await ada.press("« Goal B")
    assert "B1" in back.text
    await ada.press("B3 · GAFOLUP")
    question = await ada.press("Join Task Force B3")
    assert "full name" in question.text


async def test_every_objective_page_fits_a_message_in_every_language(running_bot: RunningBot) -> None:
    for index, language in enumerate(SUPPORTED):
        for number, objective in enumerate(running_bot.catalogue.objectives):
            # A reader per page: 24 pages in a second from one person would be a flood.
            reader = ChatUser(running_bot.standin, 3000 + 100 * index + number, language_code=language)
            page = await reader.press_data(ObjectivePage(code=objective.code).pack())
            assert escape(objective.target_2050(language)) in page.text
            assert escape(objective.baseline_2020(language)) in page.text
            assert len(page.text) <= 4096


async def test_the_task_forces_are_chosen_a_goal_at_a_time(running_bot: RunningBot, ada: ChatUser) -> None:
    """The list was 24 objective lines and a 6-row keyboard (about 38 lines of a phone): now the goals, then
    one goal's objectives, with their targets on demand and what is chosen always in sight (issue 23)."""
    goals = await ada.say("/join")
    assert [label for label, _ in goals.buttons][:6] == [
        "A · Methods and tools for the ground",
        "B · An enabling environment",
        "C · Awareness and partnerships",
        "D · An online platform",
        "E · Assessing impact (MRV)",
        "F · Crosscutting actions",
    ]
    assert "A1" not in goals.text and len(goals.text.splitlines()) <= 10
    goal_b = await ada.press("B · ")
    assert goal_b.message_id == goals.message_id  # edited in place
    assert "<b>Goal B · An enabling environment</b>" in goal_b.text and "<b>B3</b> GAFOLUP Helpdesk" in goal_b.text
    assert "A1" not in goal_b.text and "Help-desk active in 5 regions." not in goal_b.text
    assert [label for label, _ in goal_b.buttons][:4] == ["B1", "B2", "B3", "B4"]
    targets = await ada.press("Targets 2030 and 2050")
    assert "<b>Target 2030</b>: Help-desk active in 5 regions." in targets.text
    assert "<b>Target 2050</b>: Help-desk active globally" in targets.text
    await ada.press("Hide the targets")
    assert "✅ B3" in [label for label, _ in (await ada.press("B3")).buttons]
    goals_again = await ada.press("« All goals")
    assert "✅ 1 · B · An enabling environment" in [label for label, _ in goals_again.buttons]
    assert "Chosen: 1 of at most 5." in goals_again.text and "✅ B3" in goals_again.text
    await ada.press("F · ")
    await ada.press("F1")
    forged = await ada.press_data(JoinGoal(goal="Z").pack(), goals.message_id or 0)  # no goal Z: nothing changes
    assert "no longer valid" in forged.text and "<b>F1</b>" in forged.text
    name = await ada.press("Continue")
    assert "Joining B3, F1" in name.text and "full name" in name.text


async def test_non_member_is_told_leadership_is_reserved(running_bot: RunningBot, ada: ChatUser) -> None:
    await join_as_member_of(ada, "C1", member="Neither")
    assert "reserved for people whose organisation is a member or partner" in ada.last.text
    alert = await ada.press_data(JoinRole(code="C1", role=Role.LEADER).pack(), ada.last.message_id or 0)
    assert alert.method == "answerCallbackQuery" and "reserved" in alert.params["text"]
    assert running_bot.db is not None
    assert await registrations_of(running_bot.db, ada.id) == []
    summary = await ada.press("Team Member")
    assert "Team Member" in summary.text


async def test_member_applies_as_leader_with_a_motivation(running_bot: RunningBot, ada: ChatUser) -> None:
    await join_as_member_of(ada, "A5", member="Partner")
    labels = [label for label, _ in ada.last.buttons]
    assert labels[:3] == ["Global Leader", "Regional Representative", "Team Member"]
    motivation = await ada.press("Global Leader")
    assert "why do you apply as <b>Global Leader</b>" in motivation.text
    too_long = await ada.say("x" * 1001)
    assert "at most 1000 characters" in too_long.text
    summary = await ada.say("Twenty years of carbon market work.")
    assert "Twenty years" in summary.text
    done = await ada.press("Confirm")
    assert "Global Leader (awaiting a decision)" in done.text
    assert running_bot.db is not None
    [registration] = await registrations_of(running_bot.db, ada.id)
    assert (registration.role.value, registration.status.value) == ("leader", "pending")
    assert registration.motivation == "Twenty years of carbon market work."


async def test_an_application_says_who_decides_it_and_the_region_applied_for(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    """ "The Facilitator will review your application" stood right under "Facilitators: none named yet", and a
    Representative's region was nowhere (issue 23): the Secretariat decides while no facilitator is named."""
    await join_as_member_of(ada, "C1")
    await ada.press("Regional Representative")
    summary = await ada.say("I know the soils of the region.")
    assert "C1</b> Advocacy &amp; Awareness: Regional Representative for Africa" in summary.text
    done = await ada.press("Confirm")
    assert "Regional Representative for Africa (awaiting a decision)" in done.text
    assert "Facilitators: none named yet" in done.text
    assert "Until Task Force C1 has a Facilitator, the Executive Secretariat decides on your application." in done.text
    assert "Facilitator will review" not in done.text

    fran = ChatUser(running_bot.standin, 2001, first_name="Fran")
    await fran.say("/start")
    await ChatUser(running_bot.standin, ADMIN_ID).say(f"/facilitator {fran.id} B2")
    await ada.say("/join B2")
    await ada.press("Global Leader")
    await ada.say("Ten years of soil carbon monitoring.")
    done = await ada.press("Confirm")
    assert "Your application goes to the Facilitators of Task Force B2, who decide." in done.text
    assert "Executive Secretariat decides" not in done.text


async def test_the_cap_counts_what_is_already_held(standin, tmp_path, catalogue, ada: ChatUser) -> None:  # type: ignore[no-untyped-def]
    async with bot_with(standin, tmp_path, catalogue, max_taskforces=2) as running:
        await ada.say("/join")
        await ada.press("A · ")
        await ada.press("A1")
        await ada.press("A2")
        alert = await ada.press("A3")
        assert alert.method == "answerCallbackQuery"
        assert "at most 2 Task Forces at a time: you hold 0 and have selected 2" in alert.params["text"]
        await ada.press("Continue")
        await fill_profile(ada, member="Neither")
        await ada.press("Team Member")
        await ada.press("Team Member")
        await ada.press("Confirm")
        refused = await ada.say("/join D1")
        assert "at most 2 Task Forces at a time: you hold 2 and have selected 0" in refused.text
        assert running.db is not None
        assert len(await registrations_of(running.db, ada.id)) == 2


async def test_selection_edit_and_cancel(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join")
    nothing = await ada.press("Continue")
    assert "select at least one" in nothing.params["text"]
    await ada.press("D · ")
    await ada.press("D2")
    await ada.press("Continue")
    await fill_profile(ada, member="Neither")
    await ada.press("Team Member")
    selection = await ada.press("Edit Task Forces")  # the goals, each with what is chosen in it
    assert "✅ 1 · D · An online platform" in [label for label, _ in selection.buttons]
    assert "✅ D2" in selection.text
    await ada.press("E · ")
    await ada.press("E1")
    await ada.press("Continue")
    role = ada.last
    assert "E1" in role.text  # D2 keeps its role; only E1 is asked
    await ada.press("Team Member")
    cancelled = await ada.press("Cancel")
    assert "Nothing was saved" in cancelled.text
    assert running_bot.db is not None
    assert await get_person(running_bot.db, ada.id) is None
    stale = await ada.press_data(JoinConfirm().pack(), cancelled.message_id or 0)
    assert "already finished or cancelled" in stale.params["text"]


async def test_a_button_of_a_cancelled_join_never_answers_the_new_one(running_bot: RunningBot) -> None:
    """As it happened: cancel a join, start another, press the first one's button, type the name."""
    awa = ChatUser(running_bot.standin, 1301, first_name="Awa", last_name="Ndiaye", language_code="fr")
    first = await awa.say("/join B3")
    _, keep_name = awa.button("Utiliser")
    await awa.press("Annuler")
    second = await awa.say("/join B3")
    assert second.message_id != first.message_id
    stale = await awa.press_data(keep_name, first.message_id or 0)
    assert "plus valable" in stale.text and "nom complet" in stale.text  # said, and the name asked again
    asked = await awa.say("Awa Ndiaye")
    assert "organisation" in asked.text.lower()
    await awa.say("ONG Sol Vivant")
    assert running_bot.db is not None
    draft = (await running_bot.db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 1301"))["data"]
    assert '"name": "Awa Ndiaye"' in draft and '"organisation": "ONG Sol Vivant"' in draft


async def test_typing_a_button_label_counts_as_pressing_it(running_bot: RunningBot) -> None:
    """Any case, any supported language, the start of a longer label: as if the button was pressed."""
    rosa = ChatUser(running_bot.standin, 1302, first_name="Rosa", last_name="Pérez", language_code="en")
    await rosa.say("/join B3")
    await rosa.press("Use “")
    await rosa.say("Instituto de Suelos")
    await rosa.say("Mexico")
    assert "stakeholder" in (await rosa.say("latin america")).text.lower()
    assert "member" in (await rosa.say("RESEARCH AND EDUCATION")).text.lower()
    await rosa.say("neither")
    assert "role" in (await rosa.say("skip")).text.lower()  # the e-mail question's Skip
    summary = await rosa.say("miembro de equipo")  # the Spanish label of Team Member
    assert "Please check before you confirm" in summary.text
    assert "Region: Latin America and the Caribbean" in summary.text and "E-mail: (none)" in summary.text
    assert "you are registered" in (await rosa.say("confirm")).text


async def test_a_photo_where_text_is_expected_is_told_what_to_type(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join B3")
    await ada.press("Use “")
    photo = message_update(ada.user, "", message_id=running_bot.standin.next_message_id())
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    marker = len(running_bot.standin.sent)
    await running_bot.standin.push(photo)
    answer = await running_bot.standin.wait_for(lambda s: s.chat_id == ada.id, start=marker)
    assert answer.text.startswith("Please type your organisation: text is expected here.")


async def test_join_in_the_middle_of_a_join_asks_to_carry_on_or_start_over(running_bot: RunningBot) -> None:
    awa = ChatUser(running_bot.standin, 1303, first_name="Awa", last_name="Ndiaye", language_code="fr")
    await awa.say("/join B3")
    await awa.press("Utiliser")
    await awa.say("ONG Sol Vivant")
    asked = await awa.say("/start join_C1")
    assert "B3" in asked.text and "recommencer\u202f?" in asked.text
    carried = await awa.press("Reprendre")
    assert "pays" in carried.text.lower()  # the open question of the B3 join, nothing lost
    await awa.say("/join C1")
    over = await awa.press("Recommencer")
    assert "nom complet" in over.text  # a new join, from its first question…
    assert running_bot.db is not None
    draft = await running_bot.db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 1303")
    assert draft is not None and '"selected": ["C1"]' in draft["data"]  # …of C1


async def test_a_question_answered_by_typing_loses_its_buttons(running_bot: RunningBot, ada: ChatUser) -> None:
    name_question = await ada.say("/join B3")
    assert [label for label, _ in name_question.buttons if label.startswith("Use")]
    marker = len(running_bot.standin.sent)
    organisation_question = await ada.say("Ada King")  # typed instead of "Use …"
    dropped = await running_bot.standin.wait_for(
        lambda s: s.method == "editMessageReplyMarkup" and s.params.get("message_id") == name_question.message_id,
        start=marker,
    )
    assert dropped.buttons == []
    await ada.say("Soil Institute")
    await running_bot.standin.wait_for(
        lambda s: (
            s.method == "editMessageReplyMarkup" and s.params.get("message_id") == organisation_question.message_id
        )
    )


async def test_a_leader_application_is_called_an_application(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/join B3")
    await fill_profile(ada, member="Member")
    await ada.press("Global Leader")
    await ada.say("Ten years of soil carbon monitoring.")
    done = await ada.press("Confirm")
    assert "Thank you, your application is sent." in done.text
    assert "registered" not in done.text


async def test_a_returning_person_is_greeted_briefly_and_the_selection_counts(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    first = await ada.say("/start")
    assert "Welcome to the Task Forces" in first.text
    await ada.say("/join B3")
    await fill_profile(ada, member="Neither")
    await ada.press("Team Member")
    await ada.press("Confirm")
    again = await ada.say("/start")
    assert again.text.startswith("Welcome back, Ada Lovelace! Your Task Forces: B3.") and len(again.text) < 200
    selection = await ada.say("/join")
    assert "Chosen: 1 of at most 5." in selection.text and "☑️ B3" in selection.text
    await ada.press("A · ")
    assert "Chosen: 2 of at most 5." in (await ada.press("A1")).text


async def test_each_step_says_how_far_it_is_and_its_total_never_moves(running_bot: RunningBot, ada: ChatUser) -> None:
    """Four parts in every join and seven questions in its profile: it read "step 1 of 2", "1 of 3", "2 of 3",
    "3 of 4" as each task force chosen and each Leader role added questions (issue 23)."""
    linked = await ada.say("/start join_B3")  # the task force is given: the first part is passed over
    assert "<i>Joining B3 · GAFOLUP Helpdesk · step 2 of 4 · your profile, question 1 of 7</i>" in linked.text
    await ada.say("/cancel")
    listed = await ada.say("/join")
    assert "<i>Step 1 of 4 · Task Forces</i>" in listed.text
    await ada.press("A · ")
    await ada.press("A1")
    assert "<i>Step 1 of 4 · Task Forces</i>" in (await ada.press("A2")).text
    name = await ada.press("Continue")
    assert "<i>Joining A1, A2 · step 2 of 4 · your profile, question 1 of 7</i>" in name.text
    await fill_profile(ada, member="Member")
    assert "step 3 of 4 · your roles" in ada.last.text
    await ada.press("Global Leader")  # A1's role adds its motivation…
    await ada.press("Team Member")
    assert "step 3 of 4 · your roles" in ada.last.text and "why do you apply" in ada.last.text
    summary = await ada.say("Ten years of soil carbon monitoring.")  # …and the total stays
    assert "step 4 of 4 · check and confirm" in summary.text
    shown = "\n".join(sent.text for sent in ada.messages)
    assert set(re.findall(r"[Ss]tep \d of (\d+)", shown)) == {"4"}
    questions = re.findall(r"question (\d) of (\d+)", shown)
    assert {total for _, total in questions} == {"7"} and sorted({int(n) for n, _ in questions}) == list(range(1, 8))


async def test_join_under_an_objective_page_keeps_the_page(running_bot: RunningBot, ada: ChatUser) -> None:
    page = await ada.press_data(ObjectivePage(code="B3").pack())
    marker = len(running_bot.standin.sent)
    first = await ada.press("Join")
    assert first.method == "sendMessage" and "Joining B3" in first.text
    assert not [
        s
        for s in running_bot.standin.sent[marker:]
        if s.method == "editMessageText" and s.message_id == page.message_id
    ]


async def test_back_and_one_field_edits_offer_the_earlier_answers(running_bot: RunningBot, ada: ChatUser) -> None:
    await ada.say("/start join_B3")
    assert "« Back" not in [label for label, _ in ada.last.buttons]  # the first step has none
    await ada.press("Use “")
    await ada.say("Soil Institute")
    await ada.say("Kenya")
    again = await ada.press("« Back")
    assert "which country" in again.text and "Use “Kenya”" in [label for label, _ in again.buttons]
    await ada.press("Use “Kenya”")
    await ada.press("Africa")
    await ada.press("Research and education")
    region_again = await ada.press("« Back")
    assert "✓ Research and education" in [label for label, _ in region_again.buttons]
    await ada.press("Research and education")
    await ada.press("Member")
    await ada.say("ada@example.org")
    await ada.press("Global Leader")
    await ada.say("Twenty years of soil carbon work.")
    motivation = await ada.press("« Back")
    assert "why do you apply" in motivation.text
    summary = await ada.press("Keep what I wrote")
    assert "Twenty years" in summary.text

    fields = await ada.press("Edit profile")
    assert "Organisation: Soil Institute" in [label for label, _ in fields.buttons]
    organisation = await ada.press("Organisation: Soil Institute")
    assert "Use “Soil Institute”" in [label for label, _ in organisation.buttons]
    summary = await ada.say("Soil Lab")
    assert "Please check" in summary.text and "Soil Lab" in summary.text and "Global Leader" in summary.text
    await ada.press("Confirm")

    assert running_bot.db is not None
    person = await get_person(running_bot.db, ada.id)
    assert person is not None and (person.organisation, person.country) == ("Soil Lab", "Kenya")
    [registration] = await registrations_of(running_bot.db, ada.id)
    assert (registration.role.value, registration.motivation) == ("leader", "Twenty years of soil carbon work.")


async def test_every_copy_of_the_open_question_answers_it_and_presses_never_multiply_copies(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    """Issue 19 (12), as it happened under load: someone types where a button is due and, while the copy
    of the question the bot sends back is on its way (Telegram answers sendMessage slowly), taps the
    question still on screen, then the copy as soon as it shows, again and again. Each tap was called
    "no longer valid" and sent one more copy, stale in its turn."""
    standin = running_bot.standin
    question = await ada.say("/join")
    assert "Which Task Forces" in question.text and question.message_id is not None
    await ada.press("A · ")  # goal A's objectives, in the same message

    def copies() -> list[Sent]:
        return [s for s in ada.messages if s.method == "sendMessage" and "Chosen:" in s.text]

    standin.delays["sendMessage"] = 0.5  # the copy's answer is slow: Telegram has it, the bot has no id yet
    typed = standin.next_message_id()
    copy_id = typed + 1  # the next message of the chat: the copy
    marker = len(standin.sent)
    await standin.push(message_update(ada.user, "hello", message_id=typed))
    await standin.wait_for(  # the handler is under way: the question's buttons go, the copy is being sent
        lambda s: s.method == "editMessageReplyMarkup" and s.params.get("message_id") == question.message_id,
        start=marker,
    )
    for callback_id, data, message_id in (
        (9001, JoinToggle(code="A1").pack(), question.message_id),  # the tap crossed the removal of its buttons
        (9002, JoinToggle(code="A2").pack(), copy_id),  # the copy, before the bot knows its id
        (9003, JoinToggle(code="A3").pack(), copy_id),
        (9004, JoinToggle(code="A3").pack(), copy_id),  # a double tap: A3 on, then off
    ):
        await standin.push(callback_update(ada.user, data, message_id, callback_id=callback_id))
    await standin.wait_for(lambda s: s.method == "answerCallbackQuery" and s.params.get("callback_query_id") == "9004")
    await ada.say("/help")  # one person's updates run in order: whatever the taps caused is sent by now
    assert [sent.message_id for sent in copies()] == [question.message_id, copy_id]  # one copy, no more
    assert not [sent for sent in standin.sent[marker:] if "no longer valid" in sent.text]
    edited = [s for s in ada.messages if s.method == "editMessageText" and s.params.get("message_id") == copy_id]
    labels = [label for label, _ in edited[-1].buttons]
    assert "✅ A1" in labels and "✅ A2" in labels and "A3" in labels  # every tap applied once, in order

    # A question that is no longer open still never answers: its button says so and the open one comes again.
    name_question = await ada.press_data(JoinDone().pack(), copy_id)
    assert "full name" in name_question.text and name_question.message_id == copy_id
    stale = await ada.press_data(JoinToggle(code="A4").pack(), question.message_id)
    assert "no longer valid" in stale.text and "full name" in stale.text
    organisation = await ada.press("Use “")
    assert "organisation" in organisation.text.lower()
    assert running_bot.db is not None
    draft = (await running_bot.db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = ?", (ada.id,)))["data"]
    assert '"selected": ["A1", "A2"]' in draft


async def test_a_code_typed_in_lower_case_or_unknown_in_the_middle_of_a_join(running_bot: RunningBot) -> None:
    awa = ChatUser(running_bot.standin, 1304, first_name="Awa", last_name="Ndiaye")
    await awa.say("/join B3")
    await awa.press("Use")
    await awa.say("ONG Sol Vivant")
    asked = await awa.say("/join c1")
    assert "start over?" in asked.text
    over = await awa.press("Start over")
    assert "full name" in over.text
    assert running_bot.db is not None
    draft = await running_bot.db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = 1304")
    assert draft is not None and '"selected": ["C1"]' in draft["data"]  # "/join c1" is C1
    await awa.press("Use")
    unknown = await awa.say("/join zz")  # no button can name it: Start over starts from the list
    assert "start over?" in unknown.text
    listed = await awa.press("Start over")
    assert "Sorry" not in listed.text and "Task Force" in listed.text
