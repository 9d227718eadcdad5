"""Unit tests of the rules and the repositories, on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat.persistence import SQLitePersistence
from bot.models import Catalogue, RegistrationStatus, Role
from bot.services import accounts, joining, reminders
from bot.services.accounts import PlaceChoice
from bot.services.errors import Refused
from bot.services.fields import ProfileField
from bot.services.joining import EditPart, JoinDraft, JoinRules, StepKind
from bot.storage import outbox
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.people import get_person, save_person
from bot.storage.registrations import add_registration, registrations_of
from bot.views.callbacks import unpack_any
from bot.views.joining import JoinChoice, JoinEdit, JoinOver, JoinRole
from bot.views.profile import PlacePress
from tests.harness import FULL_PROFILE

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
RULES = JoinRules(cap=5)


def complete_draft(catalogue: Catalogue, codes: list[str], role: Role = Role.MEMBER) -> JoinDraft:
    draft = JoinDraft(profile=FULL_PROFILE.model_copy())
    for code in codes:
        joining.toggle(draft, code, catalogue, cap=5)
    joining.finish_selection(draft)
    for code in codes:
        joining.choose_role(draft, code, role, catalogue)
    for _code in codes if role.needs_decision else []:
        joining.answer_text(draft, "Because.", catalogue)
    return draft


def test_next_step_asks_profile_fields_in_order_then_roles(catalogue: Catalogue) -> None:
    draft = JoinDraft(suggested_name="Ada L")
    joining.preselect(draft, "B3", catalogue, cap=5)
    asked = []
    while (step := joining.next_step(draft)).kind is StepKind.PROFILE:
        asked.append(step.field)
        assert step.field is not None
        if step.field.typed:
            joining.answer_text(draft, "ada@example.org" if step.field is ProfileField.EMAIL else "Value", catalogue)
        else:
            choice = "neither" if step.field is ProfileField.MEMBER_STATUS else "0"
            joining.answer_choice(draft, step.field, choice, catalogue)
    assert asked == list(ProfileField)
    assert joining.next_step(draft) == joining.Step(StepKind.ROLE, code="B3")
    with pytest.raises(Refused) as refused:
        joining.choose_role(draft, "B3", Role.LEADER, catalogue)
    assert refused.value.reason == "role_reserved"


def test_toggle_respects_the_cap_and_what_is_held(catalogue: Catalogue) -> None:
    draft = JoinDraft(held=["A1", "A2"])
    joining.toggle(draft, "B1", catalogue, cap=3)
    for code, reason in (("B2", "cap"), ("A1", "already_joined"), ("Z1", "unknown_code")):
        with pytest.raises(Refused) as refused:
            joining.toggle(draft, code, catalogue, cap=3)
        assert refused.value.reason == reason
    joining.toggle(draft, "B1", catalogue, cap=3)
    assert draft.selected == []


def test_editing_one_field_keeps_the_others_and_only_roles_it_no_longer_allows(catalogue: Catalogue) -> None:
    draft = complete_draft(catalogue, ["C1", "C2"], Role.LEADER)
    draft.roles["C2"] = Role.MEMBER
    joining.edit(draft, EditPart.PROFILE)
    assert joining.next_step(draft).kind is StepKind.PICK_FIELD
    joining.pick_field(draft, ProfileField.COUNTRY)
    assert joining.next_step(draft).field is ProfileField.COUNTRY
    assert joining.kept_answer(draft, joining.next_step(draft)) == FULL_PROFILE.country
    joining.answer_text(draft, "Senegal", catalogue)
    assert joining.next_step(draft).kind is StepKind.SUMMARY
    assert draft.profile.country == "Senegal" and draft.profile.name == FULL_PROFILE.name
    assert draft.roles == {"C1": Role.LEADER, "C2": Role.MEMBER}

    joining.edit(draft, EditPart.PROFILE)
    joining.pick_field(draft, ProfileField.MEMBER_STATUS)
    joining.answer_choice(draft, ProfileField.MEMBER_STATUS, "neither", catalogue)
    # No longer a member: the Leader role is asked again, the Team Member role stays.
    assert joining.next_step(draft) == joining.Step(StepKind.ROLE, code="C1")
    assert draft.roles == {"C2": Role.MEMBER}


def test_back_undoes_one_answer_at_a_time_and_offers_it_again(catalogue: Catalogue) -> None:
    draft = JoinDraft(kept={"name": "Ada L"})
    assert not joining.can_go_back(draft)
    joining.toggle(draft, "B3", catalogue, cap=5)
    joining.finish_selection(draft)
    joining.keep_answer(draft, catalogue)
    joining.answer_text(draft, "Soil Institute", catalogue)
    assert joining.next_step(draft).field is ProfileField.COUNTRY
    joining.back(draft, catalogue)
    step = joining.next_step(draft)
    assert step.field is ProfileField.ORGANISATION and joining.kept_answer(draft, step) == "Soil Institute"
    joining.back(draft, catalogue)
    joining.back(draft, catalogue)
    assert joining.next_step(draft).kind is StepKind.SELECT and draft.selected == ["B3"]
    assert not joining.can_go_back(draft)
    with pytest.raises(Refused):
        joining.back(draft, catalogue)


def test_back_from_a_field_picked_on_the_summary_changes_nothing(catalogue: Catalogue) -> None:
    draft = complete_draft(catalogue, ["C1"])
    before = draft.profile.model_copy()
    joining.edit(draft, EditPart.PROFILE)
    joining.pick_field(draft, ProfileField.EMAIL)
    joining.back(draft, catalogue)
    assert joining.next_step(draft).kind is StepKind.SUMMARY and draft.profile == before


def test_a_draft_saved_before_kept_answers_keeps_its_suggested_name() -> None:
    draft = JoinDraft.model_validate({"suggested_name": "Ada L", "selected": ["B3"]})
    assert draft.kept == {"name": "Ada L"}


def test_copies_of_an_unchanged_question_all_answer_it_and_a_new_question_only_its_message(
    catalogue: Catalogue,
) -> None:
    draft = JoinDraft()
    joining.asking(draft, None, lowest_new=11)  # /join typed as message 10: the selection goes out
    assert joining.is_current(draft, 11) and not joining.is_current(draft, 10)  # before its id is known
    joining.asked(draft, 11)
    joining.asking(draft, None, lowest_new=13)  # a text where a button is due: a copy, nothing changed
    assert joining.is_current(draft, 13)
    joining.asked(draft, 13)
    joining.toggle(draft, "A1", catalogue, cap=5)
    joining.asking(draft, 11, lowest_new=12)  # toggled on the first message: still the same question
    assert [m for m in range(9, 16) if joining.is_current(draft, m)] == [11, 13, 14, 15]
    joining.finish_selection(draft)
    joining.asking(draft, 11, lowest_new=12)  # the next question, in the first message: the copy is stale
    assert [m for m in range(9, 16) if joining.is_current(draft, m)] == [11, 14, 15]
    assert joining.question_message(draft) == 11
    for copy in range(20, 30):  # copies pile up: the latest few keep answering
        joining.asking(draft, None, lowest_new=copy)
        joining.asked(draft, copy)
    assert not joining.is_current(draft, 11) and joining.is_current(draft, 25)
    old = JoinDraft.model_validate({"question_floor": 40})  # saved before copies were recorded
    assert joining.is_current(old, 40) and not joining.is_current(old, 39)


async def test_submit_saves_and_rechecks_the_cap(db: Database, catalogue: Catalogue) -> None:
    results = await joining.submit(db, 7, complete_draft(catalogue, ["A1", "B1"]), catalogue, RULES, NOW)
    assert [(r.code, r.status) for r in results] == [
        ("A1", RegistrationStatus.ACTIVE),
        ("B1", RegistrationStatus.ACTIVE),
    ]
    with pytest.raises(Refused) as refused:
        await joining.submit(db, 7, complete_draft(catalogue, ["C1", "C2", "C3", "C4"]), catalogue, RULES, NOW)
    assert refused.value.reason == "cap"
    with pytest.raises(Refused):
        await joining.submit(db, 7, complete_draft(catalogue, ["A1"]), catalogue, RULES, NOW)
    assert len(await registrations_of(db, 7)) == 2


async def test_leadership_submitted_by_a_non_member_is_refused(db: Database, catalogue: Catalogue) -> None:
    draft = complete_draft(catalogue, ["D1"], Role.REPRESENTATIVE)
    draft.profile.member_status = "neither"
    with pytest.raises(Refused):
        await joining.submit(db, 8, draft, catalogue, RULES, NOW)
    assert await get_person(db, 8) is None


async def test_one_place_per_task_force_is_enforced_by_the_database(db: Database) -> None:
    async with db.transaction() as tx:
        await save_person(tx, 9, FULL_PROFILE, NOW)
        await add_registration(tx, 9, "A1", Role.MEMBER, RegistrationStatus.ACTIVE, None, None, NOW)
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await add_registration(tx, 9, "A1", Role.LEADER, RegistrationStatus.PENDING, None, "x", NOW)
    assert len(await registrations_of(db, 9)) == 1


async def test_update_field_validates_and_demotes(db: Database, catalogue: Catalogue) -> None:
    await joining.submit(db, 10, complete_draft(catalogue, ["E1"], Role.LEADER), catalogue, RULES, NOW)
    with pytest.raises(Refused) as refused:
        await accounts.update_field(db, 10, ProfileField.EMAIL, "not-an-address", catalogue, NOW, typed=True)
    assert refused.value.reason == "bad_email"
    saved = await accounts.update_field(db, 10, ProfileField.MEMBER_STATUS, "neither", catalogue, NOW, typed=False)
    assert saved.demoted == ["E1"]
    [registration] = await registrations_of(db, 10)
    assert registration.role is Role.MEMBER and registration.status is RegistrationStatus.ACTIVE


async def test_reminder_is_due_once(db: Database) -> None:
    await joining.begin(db, 11, NOW, timedelta(hours=24))
    await joining.begin(db, 11, NOW + timedelta(hours=1), timedelta(hours=24))
    assert await reminders.queue_join_reminders(db, NOW + timedelta(hours=23)) == 0
    assert await reminders.queue_join_reminders(db, NOW + timedelta(hours=24)) == 1
    assert await reminders.queue_join_reminders(db, NOW + timedelta(days=9)) == 0
    [item] = await outbox.due(db, NOW + timedelta(days=9), 10)
    assert (item.chat_id, item.kind) == (11, "join_reminder")


async def test_abandoning_cancels_the_reminder(db: Database) -> None:
    await joining.begin(db, 12, NOW, timedelta(hours=24))
    await joining.abandon(db, 12, NOW)
    assert await reminders.queue_join_reminders(db, NOW + timedelta(days=2)) == 0


async def test_migrations_upgrade_an_older_database_and_keep_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    with sqlite3.connect(path) as old:  # a database as the first release left it
        old.executescript(MIGRATIONS[0])
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        old.execute("INSERT INTO schema_version VALUES (1)")
        old.execute(
            "INSERT INTO people VALUES (1, 'Ada', 'Org', 'Kenya', 'Africa', 'Research and education',"
            " 'member', NULL, 'en', '2026-01-01', '2026-01-01')"
        )
    for _ in range(2):
        database = await Database.open(path)
        assert tuple(await database.fetchone("SELECT version FROM schema_version") or ()) == (len(MIGRATIONS),)
        assert await get_person(database, 1) is not None
        await database.close()


async def test_persistence_round_trip(db: Database) -> None:
    persistence = SQLitePersistence(db)
    await persistence.update_conversation("chat", (5, 5), "joining")
    await persistence.update_user_data(5, {"join": {"selected": ["A1"]}})
    await persistence.update_callback_data(([("k", 1.5, {"a": 1})], {"x": "k"}))
    fresh = SQLitePersistence(db)
    assert await fresh.get_conversations("chat") == {(5, 5): "joining"}
    assert await fresh.get_user_data() == {5: {"join": {"selected": ["A1"]}}}
    assert await fresh.get_callback_data() == ([("k", 1.5, {"a": 1})], {"x": "k"})
    await persistence.update_conversation("chat", (5, 5), None)
    assert await fresh.get_conversations("chat") == {}


def test_join_and_account_buttons_read_back_and_look_alikes_are_nobodys() -> None:
    """The size of every family is the all-families test's; here, that what these features pack is what they
    get back, and that data differing by a field, a value or a leading zero is stale or forged."""
    for press in (
        JoinRole(code="B3", role=Role.LEADER),
        JoinChoice(field=ProfileField.REGION, value="3"),
        JoinEdit(part=EditPart.ROLES),
        JoinOver(),
        PlacePress(choice=PlaceChoice.APPLY, registration=12, region=4),
    ):
        assert unpack_any(press.pack()) == press
    for garbage in (
        None,
        "",
        "v2:jl",
        "v2:jl:B3",
        "v2:jl:B3:king",
        "v2:jt:a1",
        "é" * 40,
        "v2:ly:A1:extra",
        "v2:pl:a:012:4",
    ):
        assert unpack_any(garbage) is None
