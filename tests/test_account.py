"""End to end: a registered person sees and edits the profile, leaves, and forgets."""

from __future__ import annotations

from bot.i18n import SUPPORTED, translator
from bot.models import RegistrationStatus, Role
from bot.services.fields import ProfileField
from bot.storage.people import get_person
from bot.storage.registrations import registrations_of
from bot.views.account import PrivacyPage, privacy_short
from bot.views.fields import field_label
from bot.views.profile import ProfileChoice, ProfileClear, ProfileListing
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, audit_rows, seed
from tests.standin import callback_update
from tests.test_join_flow import join_as_member_of


async def register(person: ChatUser, code: str, role: str = "Team Member", member: str = "Member") -> None:
    await join_as_member_of(person, code, member=member)
    await person.press(role)
    if role != "Team Member":
        await person.say("I know this field well.")
    await person.press("Confirm")


async def test_profile_edit_typed_and_chosen_fields(running_bot: RunningBot, ada: ChatUser) -> None:
    await register(ada, "B1")
    page = await ada.say("/profile")
    assert "Organisation: Soil Institute" in page.text
    question = await ada.press("Organisation")
    assert "Which organisation" in question.text and "Send the new value, or /cancel." in question.text
    photo = await ada.post(photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
    assert photo.text == "Send the new value, or /cancel."  # the question still waits for the typed value
    too_long = await ada.say("y" * 201)
    assert "at most 200 characters" in too_long.text
    saved = await ada.say("Soil Alliance")
    assert "Saved: Organisation" in saved.text
    # The profile card comes again, with its buttons, ready for the next change.
    assert "Organisation: Soil Alliance" in saved.text and "Region" in [label for label, _ in saved.buttons]
    regions = await ada.press("Region")
    assert "✓ Africa" in [label for label, _ in regions.buttons]  # the current answer is marked
    saved = await ada.press("Europe")
    assert "Saved: Region" in saved.text and "Region: Europe" in saved.text
    assert running_bot.db is not None
    person = await get_person(running_bot.db, ada.id)
    assert person is not None and (person.organisation, person.region) == ("Soil Alliance", "Europe")


async def test_every_profile_question_has_back_and_cancel(running_bot: RunningBot, ada: ChatUser) -> None:
    """The region question had neither (issue 23)."""
    await seed(running_bot, Seeded(ada.id))
    await ada.say("/profile")
    for field in ProfileField:
        question = await ada.press(field_label(translator("en"), field))
        assert [label for label, _ in question.buttons][-2:] == ["« Back", "Cancel"], field
        card = await ada.press("« Back")
        assert (card.message_id, "<b>Your profile</b>") == (question.message_id, card.text.split("\n")[0])
    await ada.press("Stakeholder type")
    cancelled = await ada.press("Cancel")
    assert "Nothing changed: your profile stays as it was." in cancelled.text and cancelled.buttons == []


async def test_a_region_typed_not_pressed_is_taken_and_its_buttons_go(running_bot: RunningBot, ada: ChatUser) -> None:
    """Typing the region answered "I did not understand" and left the question's buttons live (issue 23)."""
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    await seed(running_bot, Seeded(ada.id))
    await ada.say("/profile")
    question = await ada.press("Region")
    marker = len(standin.sent)
    saved = await ada.say("europe")
    assert "Saved: Region" in saved.text and "Region: Europe" in saved.text
    await standin.wait_for(
        lambda s: s.method == "editMessageReplyMarkup" and s.params.get("message_id") == question.message_id,
        start=marker,
    )
    stale = await ada.alert(ProfileChoice(field=ProfileField.REGION, value="0").pack(), question.message_id or 0)
    assert "no longer valid" in stale
    again = await ada.press("Region")
    told = await ada.say("Atlantis")  # no such choice: said, and the question stays open
    assert "answer with the buttons" in told.text
    assert "Saved: Region" in (await ada.press_data(again.buttons[0][1], again.message_id or 0)).text
    person = await get_person(db, ada.id)
    assert person is not None and person.region == "Africa"  # the first region of the list, pressed at last


async def test_an_e_mail_given_can_be_removed(running_bot: RunningBot, ada: ChatUser) -> None:
    await register(ada, "B1")
    assert running_bot.db is not None
    await ada.say("/profile")
    question = await ada.press("E-mail")
    assert [label for label, _ in question.buttons] == ["Remove my e-mail", "« Back", "Cancel"]
    forged = await ada.alert(ProfileClear(field=ProfileField.NAME).pack(), question.message_id or 0)
    assert "no longer valid" in forged
    removed = await ada.press("Remove my e-mail")
    assert "Removed: E-mail" in removed.text
    person = await get_person(running_bot.db, ada.id)
    assert person is not None and person.email is None and person.organisation == "Soil Institute"
    assert "profile.cleared" in [row["action"] for row in await audit_rows(running_bot.db)]
    again = await ada.say("/profile")
    assert "ada@example.org" not in again.text
    question = await ada.press("E-mail")
    assert [label for label, _ in question.buttons] == ["« Back", "Cancel"]  # nothing left to remove
    saved = await ada.say("ada@soil.example")
    assert "Saved: E-mail" in saved.text


async def test_being_listed_on_the_public_page_is_asked_off_by_default_and_revocable(
    running_bot: RunningBot, ada: ChatUser
) -> None:
    db = running_bot.db
    assert db is not None
    await seed(running_bot, Seeded(ada.id, places=(("B1", Role.LEADER, RegistrationStatus.ACTIVE),)))
    page = await ada.say("/profile")
    assert "Public page: not listed" in page.text
    question = await ada.press("Public page")
    assert "by your name and your organisation" in question.text and "/forget removes it" in question.text
    assert [label for label, _ in question.buttons] == ["✅ List me", "🚫 Do not list me", "« Back"]
    back = await ada.press("« Back")
    assert "Public page: not listed" in back.text and back.message_id == question.message_id
    await ada.press("Public page")
    listed = await ada.press("List me")
    assert "the public page lists you by name and organisation" in listed.text
    assert "Public page: listed by name and organisation" in listed.text
    person = await get_person(db, ada.id)
    assert person is not None and person.listed
    await ada.press("Public page")
    unlisted = await ada.press("Do not list me")
    assert "does not list you" in unlisted.text and "Public page: not listed" in unlisted.text
    person = await get_person(db, ada.id)
    assert person is not None and not person.listed
    actions = [row["action"] for row in await audit_rows(db, ada.id)]
    assert actions.count("profile.listed") == 1 and actions.count("profile.unlisted") == 1
    # Someone without a profile is told so, and nothing is written.
    bob = ChatUser(running_bot.standin, 1002, first_name="Bob")
    assert "no profile yet" in await bob.alert(ProfileListing(choice="on").pack())
    assert await get_person(db, bob.id) is None
    # /forget takes the consent away with the rest: a profile made again starts unlisted.
    await ada.press("Public page")
    await ada.press("List me")
    await ada.say("/forget")
    await ada.press("Delete all my data")
    assert await get_person(db, ada.id) is None
    await seed(running_bot, Seeded(ada.id))
    person = await get_person(db, ada.id)
    assert person is not None and not person.listed


async def test_leaving_the_members_demotes_a_leadership_application(running_bot: RunningBot, ada: ChatUser) -> None:
    await register(ada, "B2", role="Regional Representative")
    standin = running_bot.standin
    prompt = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "Application:" in s.text)
    await ada.say("/profile")
    await ada.press("Member of")
    saved = await ada.press("Neither")
    assert "now a Team Member in: B2" in saved.text
    closed = await standin.wait_for(lambda s: s.method == "editMessageText" and s.message_id == prompt.message_id)
    assert "now a Team Member" in closed.text and closed.buttons == []
    assert "withdrawn this application" in await ChatUser(standin, ADMIN_ID).alert(prompt.buttons[0][1])
    assert running_bot.db is not None
    [registration] = await registrations_of(running_bot.db, ada.id)
    assert (registration.role.value, registration.status.value) == ("member", "active")


async def test_leave_by_command_and_by_button(running_bot: RunningBot, ada: ChatUser) -> None:
    await register(ada, "C2")
    await ada.say("/mytaskforces")
    card = await ada.press("C2 · ")
    assert "Your role: Team Member (active)" in card.text and "Members: 1 (Africa 1)" in card.text
    assert "none named yet" in card.text and "1. to map relevant on-going actions" in card.text
    question = await ada.press("Leave C2")
    assert "really want to leave Task Force C2" in question.text
    assert [label for label, _ in question.buttons] == ["Leave C2", "Stay in C2"]
    kept = await ada.press("Stay in C2")
    assert "Nothing changed: you stay in Task Force C2" in kept.text
    await ada.say("/leave C2")
    left = await ada.press("Leave C2")
    assert "You have left Task Force C2" in left.text
    again = await ada.say("/leave C2")  # checked before asking
    assert "not registered in Task Force C2" in again.text and not again.buttons
    mine = await ada.say("/mytaskforces")  # she left: nobody withdrew her (issue 23)
    assert "Team Member · left" in mine.text and "withdrawn" not in mine.text
    unknown = await ada.say("/leave ZZ9")
    assert "There is no Task Force" in unknown.text


async def test_leave_alone_offers_a_button_for_each_task_force_held(running_bot: RunningBot, ada: ChatUser) -> None:
    """/leave without a code answered with instructions that led to three more taps (issue 23)."""
    places = (("C2", Role.MEMBER, RegistrationStatus.ACTIVE), ("B2", Role.LEADER, RegistrationStatus.PENDING))
    await seed(running_bot, Seeded(ada.id, places=places))  # an application holds a place too
    which = await ada.say("/leave")
    assert "Which Task Force do you want to leave?" in which.text
    assert sorted(label.split(" · ")[0] for label, _ in which.buttons) == ["Leave B2", "Leave C2"]
    question = await ada.press("Leave B2 · ")
    assert question.message_id == which.message_id and "really want to leave Task Force B2" in question.text
    left = await ada.press("Leave B2")
    assert "You have left Task Force B2" in left.text
    assert [label for label, _ in (await ada.say("/leave")).buttons] == ["Leave C2 · Soil Regeneration"]
    await ada.press("Leave C2 · ")
    await ada.press("Leave C2")
    nothing = await ada.say("/leave")
    assert "You are in no Task Force now" in nothing.text and nothing.buttons == []
    assert running_bot.db is not None
    assert {r.status.value for r in await registrations_of(running_bot.db, ada.id)} == {"withdrawn"}


async def test_forget_deletes_the_person_and_keeps_anonymous_history(running_bot: RunningBot, ada: ChatUser) -> None:
    await register(ada, "D3")
    question = await ada.say("/forget")
    assert "Delete your data?" in question.text
    kept = await ada.press("Keep my data")
    assert "Nothing changed: your data is kept" in kept.text
    await ada.say("/forget")
    done = await ada.press("Delete all my data")
    assert "Your data has been deleted" in done.text
    db = running_bot.db
    assert db is not None
    assert await get_person(db, ada.id) is None
    rows = await db.fetchall("SELECT person_id, status FROM registrations")
    assert [(row["person_id"], row["status"]) for row in rows] == [(None, "withdrawn")]
    audit = await audit_rows(db)
    assert audit and all(ada.id not in (row["actor_id"], row["subject_id"]) for row in audit)
    assert all(row["detail"] is None or "I know" not in row["detail"] for row in audit)
    assert await db.fetchone("SELECT 1 FROM ptb_user_data WHERE user_id = ?", (ada.id,)) is None
    mine = await ada.say("/mytaskforces")
    assert "not joined any Task Force" in mine.text


async def test_privacy_answers_in_a_few_lines_the_rest_one_tap_away(running_bot: RunningBot, ada: ChatUser) -> None:
    """It was 1 330 (en) to 1 559 (fr) characters at once (issue 23)."""
    standin = running_bot.standin
    short = await ada.say("/privacy")
    assert "Executive Secretariat" in short.text and "/forget deletes it" in short.text
    assert len(short.text) < 500 and "<b>For how long</b>" not in short.text
    assert [label for label, _ in short.buttons] == ["More ›"]
    whole = await ada.press("More ›")
    assert (whole.method, whole.message_id) == ("editMessageText", short.message_id)  # in place
    assert "<b>What is stored</b>" in whole.text and "<b>For how long</b>" in whole.text
    assert [label for label, _ in whole.buttons] == ["« Back"]
    marker = len(standin.sent)
    await standin.push(callback_update(ada.user, PrivacyPage(page="whole").pack(), short.message_id or 0, 7001))
    await standin.wait_for(lambda s: s.method == "answerCallbackQuery" and s.params["callback_query_id"] == "7001")
    await ada.say("/help")  # whatever the stale press caused is sent by now: nothing
    assert [s.method for s in standin.sent[marker:] if s.chat_id == ada.id] == ["sendMessage"]
    back = await ada.press("« Back")
    assert (back.text, back.message_id) == (short.text, short.message_id)
    assert all(len(privacy_short(translator(language))) < 500 for language in SUPPORTED)
