"""End to end: /export's two files read back cell by cell, /stats' figures and its chart."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from matplotlib.image import imread
from openpyxl import load_workbook

from bot.models import RegistrationStatus, Role
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, audit_rows, seed
from tests.standin import BotApiStandIn, Sent
from tests.test_languages import french_typography_faults

ACTIVE, PENDING = RegistrationStatus.ACTIVE, RegistrationStatus.PENDING
PEOPLE = (
    Seeded(
        501,
        name="Awa Ndiaye",
        email="awa@example.sn",
        username="awa_n",
        places=(("B3", Role.MEMBER, ACTIVE), ("C1", Role.LEADER, PENDING)),
    ),
    Seeded(502, name='=HYPERLINK("http://evil")', region="Europe", places=(("B3", Role.MEMBER, ACTIVE),)),
    Seeded(503, name="Zoë", region="Latin America", places=(("C1", Role.REPRESENTATIVE, ACTIVE),)),
)
ODD_NAME = Seeded(504, name="Ana & <Bo>\x07", places=(("E2", Role.MEMBER, ACTIVE),))


async def documents(standin: BotApiStandIn, chat_id: int, count: int, start: int) -> list[Sent]:
    await standin.wait_for(
        lambda s: len([d for d in standin.sent[start:] if d.chat_id == chat_id and d.method == "sendDocument"]) >= count
    )
    return [d for d in standin.sent[start:] if d.chat_id == chat_id and d.method == "sendDocument"]


async def test_the_export_holds_every_registration_cell_by_cell(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE, ODD_NAME)
    admin = ChatUser(standin, ADMIN_ID)
    marker = len(standin.sent)
    told = await admin.say("/export")
    assert "Preparing the export of 5 registrations" in told.text
    csv_file, xlsx_file = await documents(standin, ADMIN_ID, 2, marker)

    raw = csv_file.files["document"]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for accents
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    assert header[:4] == ["Task Force", "Telegram id", "Name", "Organisation"]
    as_dicts = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["Task Force"], r["Name"], r["Role"], r["Status"]) for r in as_dicts] == [
        ("B3", "Awa Ndiaye", "Team Member", "active"),
        ("B3", '\'=HYPERLINK("http://evil")', "Team Member", "active"),
        ("C1", "Awa Ndiaye", "Global Leader", "awaiting a decision"),
        ("C1", "Zoë", "Regional Representative", "active"),
        ("E2", "Ana & <Bo>\x07", "Team Member", "active"),
    ]
    awa = as_dicts[0]
    assert (awa["E-mail"], awa["Telegram username"], awa["Region"]) == ("awa@example.sn", "@awa_n", "Africa")
    assert as_dicts[3]["Region represented"] == "Latin America"

    book = load_workbook(io.BytesIO(xlsx_file.files["document"]))
    assert book.sheetnames == ["All", "B3", "C1", "E2"]
    everything = book["All"]
    assert everything.freeze_panes == "A2" and everything.auto_filter.ref == "A1:S6"
    values = [[cell.value for cell in row] for row in everything.iter_rows()]
    assert values[0] == header
    assert values[2][2] == '\'=HYPERLINK("http://evil")'
    assert isinstance(values[1][14], datetime)  # registered: a date cell, not text
    assert [row[2] for row in book["C1"].iter_rows(min_row=2, values_only=True)] == ["Awa Ndiaye", "Zoë"]
    assert book["E2"]["C2"].value == "Ana & <Bo>"  # escaped, and the control character XML cannot hold dropped
    assert book["E2"].freeze_panes == "A2" and book["E2"].auto_filter.ref == "A1:S2"
    assert everything.column_dimensions["C"].width == 28

    assert running_bot.db is not None
    assert "export" in [row["action"] for row in await audit_rows(running_bot.db)]


async def test_a_facilitator_exports_its_own_and_others_nothing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE)
    fran = ChatUser(standin, 2001, first_name="Fran")
    await fran.say("/start")
    await ChatUser(standin, ADMIN_ID).say(f"/facilitator {fran.id} C1")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "You are now a facilitator" in s.text)
    marker = len(standin.sent)
    await fran.say("/export")
    csv_file, _xlsx = await documents(standin, fran.id, 2, marker)
    rows = list(csv.reader(io.StringIO(csv_file.files["document"].decode("utf-8-sig"))))[1:]
    assert {row[0] for row in rows} == {"C1"} and len(rows) == 2

    stranger = ChatUser(standin, 2002)
    for command in ("/export", "/stats"):
        refused = await stranger.say(command)
        assert "for facilitators of a Task Force" in refused.text
    assert not [s for s in standin.sent if s.chat_id == stranger.id and s.method in ("sendDocument", "sendPhoto")]


async def test_stats_give_the_figures_and_a_chart(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE, Seeded(505, places=(("B3", Role.MEMBER, RegistrationStatus.WITHDRAWN),)))
    admin = ChatUser(standin, ADMIN_ID)
    marker = len(standin.sent)
    text = await admin.say("/stats")
    assert "People: 4" in text.text
    assert "Places held: 3 active, 1 application waiting" in text.text
    assert "Global Leader seats: 0 of 24 filled · open: A1," in text.text
    assert "Regional Representative seats: 1 of 120 filled" in text.text
    assert "By region: Africa 2 · Europe 1 · Latin America 1" in text.text
    assert "\nB3: 0 · 0 · 2 / 0 / 1" in text.text and "\nC1: 0 · 1 · 0 / 1 / 0" in text.text
    picture = await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendPhoto", start=marker)
    png = picture.files["photo"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = imread(io.BytesIO(png))
    assert pixels.shape[1] == 900 and pixels.shape[0] > 1000  # 6 in × 150 dpi wide, tall enough for 24 bars


async def test_the_secretariat_reads_figures_and_announcements_in_french_typography(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE)
    admin = ChatUser(standin, ADMIN_ID, first_name="Sec", language_code="fr")
    shown = [await admin.say("/stats")]
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendPhoto")
    shown.append(await admin.say("/broadcast Bonjour à toutes et à tous"))
    shown.append(await admin.press("Régions ›"))
    texts = [sent.text + "\n" + "\n".join(label for label, _ in sent.buttons) for sent in shown]
    assert "Personnes\u00a0: 3" in texts[0] and "Destinataires\u00a0: <b>3</b>." in texts[1]
    assert {text: french_typography_faults(text) for text in texts if french_typography_faults(text)} == {}


SCOPED = (
    *PEOPLE,
    Seeded(506, region="Asia and Pacific", kind="Private companies", places=(("E2", Role.MEMBER, ACTIVE),)),
    Seeded(507, region="North America", places=(("B3", Role.MEMBER, RegistrationStatus.WITHDRAWN),)),
    Seeded(508, region="Europe", kind="Private companies", places=(("E2", Role.MEMBER, ACTIVE),)),
)


async def stats_of(person: ChatUser) -> tuple[str, bytes]:
    """/stats' text and its chart, for `person`."""
    marker = len(person.standin.sent)
    text = await person.say("/stats")
    picture = await person.standin.wait_for(lambda s: s.chat_id == person.id and s.method == "sendPhoto", start=marker)
    return text.text, picture.files["photo"]


async def test_stats_count_a_facilitators_task_forces_only(running_bot: RunningBot) -> None:
    """Issue 19 (6): /stats from any facilitator failed in SQL; its figures are those of their scope."""
    standin, db = running_bot.standin, running_bot.db
    assert db is not None
    await seed(running_bot, *SCOPED)
    await db.write("UPDATE known_users SET unreachable_at = '2026-11-01' WHERE telegram_id IN (503, 508)")
    admin = ChatUser(standin, ADMIN_ID)
    fran, gus = ChatUser(standin, 2001, first_name="Fran"), ChatUser(standin, 2002, first_name="Gus")
    for person, command in ((fran, "C1"), (gus, "B3"), (gus, "E2")):
        await person.say("/start")
        assert "now facilitates" in (await admin.say(f"/facilitator {person.id} {command}")).text

    text, png = await stats_of(fran)  # C1: Awa (pending) and Zoë
    assert "your Task Forces" in text
    assert "People: 2" in text and "Places held: 1 active, 1 application waiting" in text
    assert "Unreachable (blocked the bot): 1" in text
    assert "Global Leader seats: 0 of 1 filled · open: C1" in text
    assert "Regional Representative seats: 1 of 5 filled" in text
    assert "By region: Africa 1 · Latin America 1" in text
    assert "By stakeholder type: Research and education 2" in text
    assert text.endswith(
        "<b>Per Task Force</b> (active Leader · Representatives · Team Members / waiting / withdrawn"
        " or rejected)\nC1: 0 · 1 · 0 / 1 / 0"
    )
    assert imread(io.BytesIO(png)).shape[:2] == (450, 900)  # one bar: the smallest chart

    text, png = await stats_of(gus)  # B3 and E2: Awa, the HYPERLINK person, 506 and 508 (507 withdrew)
    assert "People: 4" in text and "Places held: 4 active, 0 applications waiting" in text
    assert "Unreachable (blocked the bot): 1" in text
    assert "Global Leader seats: 0 of 2 filled · open: B3, E2" in text
    assert "By region: Europe 2 · Africa 1 · Asia and Pacific 1" in text
    assert "By stakeholder type: Private companies 2 · Research and education 2" in text
    assert "\nB3: 0 · 0 · 2 / 0 / 1\nE2: 0 · 0 · 2 / 0 / 0" in text and "C1:" not in text
    assert imread(io.BytesIO(png)).shape[:2] == (450, 900)

    text, png = await stats_of(admin)  # everything: every profile, every task force
    assert "all Task Forces" in text
    assert "People: 6" in text and "Places held: 5 active, 1 application waiting" in text
    assert "Unreachable (blocked the bot): 2" in text
    assert "By region: Europe 2 · Africa 1 · Asia and Pacific 1 · Latin America 1 · North America 1" in text
    assert "\nB3: 0 · 0 · 2 / 0 / 1\nB4:" in text and "\nC1: 0 · 1 · 0 / 1 / 0" in text
    assert imread(io.BytesIO(png)).shape[0] > 1000

    marker = len(standin.sent)  # /export is scoped the same way: both task forces of Gus, nothing else
    assert "Preparing the export of 5 registrations" in (await gus.say("/export")).text
    csv_file, _xlsx = await documents(standin, gus.id, 2, marker)
    rows = list(csv.reader(io.StringIO(csv_file.files["document"].decode("utf-8-sig"))))[1:]
    assert sorted((row[0], row[1]) for row in rows) == [
        ("B3", "501"),
        ("B3", "502"),
        ("B3", "507"),
        ("E2", "506"),
        ("E2", "508"),
    ]
