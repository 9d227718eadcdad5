"""End to end: announcements written, aimed, previewed, sent through the stand-in, steered."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.models import Catalogue, RegistrationStatus, Role
from bot.storage import known_users
from bot.storage.database import Database
from bot.views.announcements import AudienceToggle
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, audit_rows, bot_with, seed, start_bot_process, stop
from tests.standin import BotApiStandIn, Sent

HELLO = "Soil & carbon: the 2030 workshop opens on Monday."


MEMBER, ACTIVE, PENDING = Role.MEMBER, RegistrationStatus.ACTIVE, RegistrationStatus.PENDING
PEOPLE = (
    Seeded(501, places=(("B3", MEMBER, ACTIVE),)),
    Seeded(502, region="Europe", kind="Civil society and NGOs", places=(("B3", Role.LEADER, PENDING),)),
    Seeded(503, kind="Farmers and farmers' organisations", places=(("C1", MEMBER, ACTIVE),)),
    Seeded(504, region="Asia and Pacific", places=(("B3", MEMBER, ACTIVE), ("C1", MEMBER, ACTIVE))),
    Seeded(505, places=(("B3", MEMBER, RegistrationStatus.WITHDRAWN),)),
    Seeded(506, places=(("B3", MEMBER, ACTIVE),), announcements=False),
)


def announcements_to(standin: BotApiStandIn, chat_id: int) -> list[Sent]:
    return [s for s in standin.sent if s.chat_id == chat_id and s.method == "sendMessage" and "Soil &amp;" in s.text]


async def preview(person: ChatUser) -> tuple[Sent, Sent]:
    """Press Preview: the announcement as people get it, then the count with Send."""
    shown = await person.press("Preview ▶")
    confirm = await person.standin.wait_for(lambda s: s.chat_id == person.id and "as people will get it" in s.text)
    return shown, confirm


def count_line(sent: Sent) -> str:
    return next(line for line in sent.text.splitlines() if line.startswith("Recipients"))


async def test_an_admin_aims_previews_and_sends_each_person_gets_it_once(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # a fast scripted admin
        await _aim_preview_and_send(standin, running)


async def _aim_preview_and_send(standin: BotApiStandIn, running_bot: RunningBot) -> None:
    await seed(running_bot, *PEOPLE)
    standin.forbidden_chats.add(503)  # blocked the bot
    standin.flood_chats[501] = 2  # a 429 with retry_after 2 on their first message
    admin = ChatUser(standin, ADMIN_ID, first_name="Sec", last_name="Retariat")
    asked = await admin.say("/broadcast")
    assert "Send me the announcement" in asked.text
    page = await admin.say(HELLO)
    assert "Everyone registered" in page.text
    assert count_line(page) == "Recipients: <b>5</b>. Left out: 1 turned announcements off, 0 cannot be reached."

    await admin.press("Task Forces ›")
    await admin.press("B3")
    page = await admin.press("« Done")
    assert "Task Forces: B3" in page.text and count_line(page).startswith("Recipients: <b>3</b>.")  # 501, 502, 504
    await admin.press("Roles ›")
    await admin.press("Team Member")
    page = await admin.press("« Done")
    assert count_line(page).startswith("Recipients: <b>2</b>.")  # 501, 504: 502 applies as Leader
    await admin.press("Regions ›")
    await admin.press("Africa")
    page = await admin.press("« Done")
    assert count_line(page).startswith("Recipients: <b>1</b>.")  # 501
    page = await admin.press("Everyone")
    assert count_line(page).startswith("Recipients: <b>5</b>.")
    await admin.press("Types ›")
    await admin.press("Civil society and NGOs")
    page = await admin.press("« Done")
    assert count_line(page).startswith("Recipients: <b>1</b>.")  # 502
    await admin.press("Types ›")
    await admin.press("✅ Civil society")
    await admin.press("« Done")
    await admin.press("Task Forces ›")
    await admin.press("B3")
    await admin.press("C1")
    await admin.press("« Done")

    shown, confirm = await preview(admin)
    assert shown.text.startswith("Soil &amp; carbon") and "Sec Retariat, Executive Secretariat" in shown.text
    assert "/settings turns announcements off" in shown.text
    assert count_line(confirm).startswith("Recipients: <b>4</b>.")  # 501, 502, 503, 504 once; 506 turned off
    pressed = (await admin.press("Send")).at
    done = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "· done" in s.text, timeout=20)
    assert "Sent 3 of 4 · unreachable 1 · failed 0" in done.text
    assert announcements_to(standin, 501)[0].at - pressed >= 2.0  # its 429's retry_after, honoured

    assert [len(announcements_to(standin, chat)) for chat in (501, 502, 503, 504, 505, 506)] == [1, 1, 0, 1, 0, 0]
    assert running_bot.db is not None
    row = await running_bot.db.fetchone("SELECT unreachable_at FROM known_users WHERE telegram_id = 503")
    assert row is not None and row["unreachable_at"] is not None
    actions = [r["action"] for r in await audit_rows(running_bot.db)]
    assert "broadcast.sent" in actions and "broadcast.done" in actions

    # A later broadcast leaves the unreachable person out until they write again.
    await admin.say("/broadcast " + HELLO)
    page = admin.last
    assert "1 cannot be reached" in count_line(page)


async def test_a_facilitator_reaches_only_its_own_task_forces(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE)
    fran = ChatUser(standin, 2001, first_name="Fran", last_name="Facil")
    stranger = ChatUser(standin, 2002, first_name="Sam")
    await fran.say("/start")
    await ChatUser(standin, ADMIN_ID).say(f"/facilitator {fran.id} C1")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "You are now a facilitator" in s.text)
    refused = await stranger.say("/broadcast hello")
    assert "sent by the Executive Secretariat and the facilitators" in refused.text

    page = await fran.say("/broadcast " + HELLO)
    assert count_line(page).startswith("Recipients: <b>2</b>.")  # C1: 503 and 504, not everyone
    options = await fran.press("Task Forces ›")
    assert [label for label, _ in options.buttons] == ["✅ C1", "« Done"]
    c1 = AudienceToggle.unpack(options.buttons[0][1])
    assert c1 is not None
    b3 = AudienceToggle(broadcast=c1.broadcast, part="tf", value="B3")  # a task force Fran does not facilitate
    forged = await fran.alert(b3.pack(), options.message_id or 0)
    assert "Only the facilitators of Task Force B3" in forged
    page = await fran.press("« Done")
    assert "Task Forces: C1" in page.text and count_line(page).startswith("Recipients: <b>2</b>.")
    await preview(fran)
    await fran.press("Send")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "· done" in s.text, timeout=20)
    assert [len(announcements_to(standin, chat)) for chat in (501, 502, 503, 504)] == [0, 0, 1, 1]
    assert "Fran Facil, facilitator of C1" in announcements_to(standin, 503)[0].text


async def test_pause_resume_and_cancel(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> None:
    async with bot_with(standin, tmp_path, catalogue, messages_per_second=5) as running:
        await seed(running, *(Seeded(600 + n, places=(("A1", MEMBER, ACTIVE),)) for n in range(40)))
        admin = ChatUser(standin, ADMIN_ID)
        await admin.say("/broadcast " + HELLO)
        await preview(admin)
        await admin.press("Send")

        def delivered() -> int:
            return sum(len(announcements_to(standin, 600 + n)) for n in range(40))

        await standin.wait_for(lambda s: delivered() >= 5)
        paused = await admin.press("Pause")
        assert "· paused" in paused.text and [label for label, _ in paused.buttons] == ["Resume", "Cancel sending"]
        resume = paused.buttons[0][1]
        await asyncio.sleep(0.5)  # the rows already in flight land
        at_pause = delivered()
        await asyncio.sleep(1.5)
        assert delivered() == at_pause < 40
        listed = await admin.say("/broadcasts")
        assert "· paused" in listed.text
        await admin.press("Resume")
        await standin.wait_for(lambda s: delivered() >= at_pause + 3)
        cancelled = await admin.press("Cancel sending")
        assert "· cancelled" in cancelled.text
        await asyncio.sleep(0.5)
        at_cancel = delivered()
        await asyncio.sleep(1.5)
        assert delivered() == at_cancel < 40
        assert all(len(announcements_to(standin, 600 + n)) <= 1 for n in range(40))
        assert "finished" in await admin.alert(resume, cancelled.message_id or 0)


async def test_bad_input_gets_an_answer_and_sends_nothing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, Seeded(501, places=(("B3", MEMBER, ACTIVE),)))
    admin = ChatUser(standin, ADMIN_ID)
    await admin.say("/broadcast")
    sticker = await admin.post(
        sticker={
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    )
    assert "a text, or one photo or one document" in sticker.text
    too_long = await admin.say("x" * 4096)
    assert "at most 4003 characters" in too_long.text  # 4096 less the English footer: 81 and "Ada Lovelace"
    big = await admin.post(
        photo=[{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9, "file_size": 11_000_000}], caption="Big"
    )
    assert "too large" in big.text
    page = await admin.post(
        photo=[{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9, "file_size": 100_000}],
        caption="Our field day",
    )
    assert count_line(page).startswith("Recipients: <b>1</b>.")
    await admin.press("Regions ›")
    await admin.press("Europe")
    await admin.press("« Done")
    photo, _confirm = await preview(admin)
    assert photo.method == "sendPhoto" and photo.params["photo"] == "p" and "Our field day" in photo.text
    nobody = await admin.alert(admin.button("Send")[1], admin.last.message_id or 0)
    assert "Nobody would get it" in nobody
    cancelled = await admin.press("Cancel")
    assert "was not sent" in cancelled.text
    assert "did not expect a message" in (await admin.say("Our field day")).text  # writing is over
    assert announcements_to(standin, 501) == [] and not [s for s in standin.sent if s.chat_id == 501]


async def test_people_turn_announcements_off_and_on(running_bot: RunningBot, ada: ChatUser) -> None:
    await seed(running_bot, Seeded(ada.id, places=(("B3", MEMBER, ACTIVE),)))
    page = await ada.say("/settings")
    assert "Announcements from the Secretariat and the facilitators: <b>on</b>" in page.text
    off = await ada.press("Turn announcements off")
    assert ": <b>off</b>" in off.text
    admin = ChatUser(running_bot.standin, ADMIN_ID)
    audience = await admin.say("/broadcast " + HELLO)
    assert "1 turned announcements off" in count_line(audience)
    await ada.press("Turn announcements on")
    refreshed = await admin.press("Everyone")
    assert count_line(refreshed).startswith("Recipients: <b>1</b>.")


@pytest.mark.parametrize(
    ("language", "left_out"),
    [
        ("fr", "Laissées de côté\u00a0: 2 ont désactivé les annonces, 1 est injoignable."),
        ("es", "Quedan fuera: 2 desactivaron los anuncios, 1 no se puede contactar."),
    ],
)
async def test_the_people_left_out_are_counted_with_the_right_plural(
    running_bot: RunningBot, language: str, left_out: str
) -> None:
    """A French admin read "1 sont injoignables": one count takes the singular, two the plural."""
    off = (("B3", MEMBER, ACTIVE),)
    await seed(running_bot, Seeded(601, places=off, announcements=False), Seeded(602, places=off, announcements=False))
    await seed(running_bot, Seeded(603, places=off), Seeded(604, places=off))
    assert running_bot.db is not None
    await known_users.mark_unreachable(running_bot.db, 603, running_bot.deps.now())
    admin = ChatUser(running_bot.standin, ADMIN_ID, language_code=language)
    audience = await admin.say("/broadcast " + HELLO)
    assert left_out in audience.text


async def test_a_kill_in_the_middle_repeats_nothing_but_what_was_in_flight(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    db = await Database.open(database)
    recipients = [700 + n for n in range(60)]
    await seed(db, *(Seeded(chat, places=(("D1", MEMBER, ACTIVE),)) for chat in recipients))
    await db.close()
    settings = {"BOT_ADMINS": str(ADMIN_ID), "BOT_MESSAGES_PER_SECOND": "10"}
    process = await start_bot_process(standin, database, **settings)
    admin = ChatUser(standin, ADMIN_ID)
    try:
        await admin.say("/broadcast " + HELLO)
        await preview(admin)
        await admin.press("Send")

        def received() -> list[int]:
            return [len(announcements_to(standin, chat)) for chat in recipients]

        await standin.wait_for(lambda s: sum(received()) >= 15, timeout=20)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    at_kill = sum(received())
    assert at_kill < 60

    process = await start_bot_process(standin, database, **settings)
    try:
        done = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "· done" in s.text, timeout=30)
    finally:
        await stop(process)
    assert min(received()) == 1  # everyone has it
    assert sum(received()) - 60 <= 3  # repeated: at most what was in flight at the kill
    assert "Sent 60 of 60" in done.text


async def test_turning_announcements_off_after_send_is_honoured_and_counted(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    ada = ChatUser(standin, 1001)
    await seed(running_bot, Seeded(ada.id, places=(("B3", MEMBER, ACTIVE),)))
    await ada.say("/settings")
    admin = ChatUser(standin, ADMIN_ID)
    await admin.say("/broadcast " + HELLO)
    await preview(admin)
    standin.flood_chats[ada.id] = 3  # her announcement is answered 429: it waits 3 s for its turn
    await admin.press("Send")
    async with asyncio.timeout(5):
        while ada.id in standin.flood_chats:  # the stand-in has answered her announcement with the 429
            await asyncio.sleep(0.01)
    await ada.press("Turn announcements off")  # meanwhile
    done = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "· done" in s.text, timeout=20)
    assert "Sent 0 of 1" in done.text and "Turned announcements off meanwhile: 1" in done.text
    assert announcements_to(standin, ada.id) == []


FILE_GONE = "Bad Request: wrong file identifier/HTTP URL specified"
PHOTO = {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9, "file_size": 100_000}]}
DOCUMENT = {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "plan.pdf", "file_size": 2_000}}


@pytest.mark.parametrize(
    ("content", "method", "description", "said"),
    [
        (PHOTO, "sendPhoto", FILE_GONE, "The photo of this announcement is no longer available"),
        (DOCUMENT, "sendDocument", FILE_GONE, "The document of this announcement is no longer available"),
        (
            {"text": HELLO},
            "sendMessage",
            'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 5',
            "Telegram could not show the text of this announcement",
        ),
    ],
    ids=["photo", "document", "text"],
)
async def test_a_preview_telegram_refuses_says_why_and_the_draft_stays_editable(
    running_bot: RunningBot, content: dict[str, object], method: str, description: str, said: str
) -> None:
    standin = running_bot.standin
    await seed(
        running_bot,
        Seeded(501, places=(("B3", MEMBER, ACTIVE),)),
        Seeded(502, region="Europe", places=(("C1", MEMBER, ACTIVE),)),
    )
    admin = ChatUser(standin, ADMIN_ID)
    await admin.say("/broadcast")
    if "text" in content:
        await admin.say(str(content["text"]))
    else:
        await admin.post(caption="Our field day", **content)
    await admin.press("Regions ›")
    await admin.press("Europe")
    await admin.press("« Done")
    marker = len(standin.sent)
    standin.fail_next[method] = (400, description)
    failed = await admin.press("Preview ▶")
    assert failed.method == "sendMessage" and said in failed.text and "/cancel" in failed.text
    assert "as people will get it" not in failed.text
    if method == "sendMessage":  # what Telegram could not read is shown, escaped
        assert 'start tag "x" at byte offset 5' in failed.text.lower()
    await admin.say("/help")  # whatever the press caused has been sent by now
    assert not [s for s in standin.sent[marker:] if "went wrong" in s.text or "Sorry" in s.text]

    # The draft is still there to edit: a new text replaces what was written, the audience is kept.
    page = await admin.say("Soil & carbon: the corrected announcement.")
    assert "Regions: Europe" in page.text and count_line(page).startswith("Recipients: <b>1</b>.")
    shown, _confirm = await preview(admin)
    assert shown.method == "sendMessage" and "the corrected announcement" in shown.text
    assert running_bot.db is not None
    assert len(await running_bot.db.fetchall("SELECT id FROM broadcasts WHERE state = 'draft'")) == 1

    # /cancel drops it; afterwards a typed message is not taken for an announcement.
    cancelled = await admin.say("/cancel")
    assert "was not sent" in cancelled.text
    assert await running_bot.db.fetchone("SELECT 1 FROM broadcasts") is None
    assert "did not expect a message" in (await admin.say("hello")).text
    await running_bot.settled()
    assert not [s for s in standin.sent if s.chat_id in (501, 502)]


async def test_paid_broadcasts_go_beyond_the_free_budget_and_only_announcements_are_paid(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    standin.enforce_limits = True
    settings = {"messages_per_second": 2, "paid_broadcast": True, "chat_burst": 3}
    async with bot_with(standin, tmp_path, catalogue, **settings) as running:
        await seed(running, *(Seeded(700 + n, places=(("A1", MEMBER, ACTIVE),)) for n in range(60)))
        admin = ChatUser(standin, ADMIN_ID)
        await admin.say("/broadcast " + HELLO)
        await preview(admin)
        await admin.press("Send")
        await standin.wait_for(lambda s: sum(len(announcements_to(standin, 700 + n)) for n in range(60)) == 60)
        announcements = [sent for n in range(60) for sent in announcements_to(standin, 700 + n)]
        others = [sent for sent in standin.sent if sent not in announcements and sent.method.startswith("send")]
        assert all(sent.params.get("allow_paid_broadcast") is True for sent in announcements)
        assert others and not any(sent.params.get("allow_paid_broadcast") for sent in others)
        assert standin.peak(paid=True) > 2 * 3  # well past the free budget of 2 a second
    assert standin.too_many == 0
