"""End to end: /export's two files read back cell by cell, /stats' figures and its chart."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from matplotlib.image import imread
from openpyxl import load_workbook

from bot.i18n import translator
from bot.models import RegistrationStatus, Role
from bot.services.reports import Statistics, TaskforceFigures
from bot.storage.reports import Figures
from bot.views.reports import chart_figure
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


def table_of(document: Sent) -> list[dict[str, str]]:
    """A CSV export as rows keyed by its heading: the columns' keys."""
    raw = document.files["document"]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for accents
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


async def test_the_export_holds_every_registration_cell_by_cell(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE, ODD_NAME)
    admin = ChatUser(standin, ADMIN_ID)
    marker = len(standin.sent)
    told = await admin.say("/export")
    assert "Preparing the export of 5 registrations" in told.text
    csv_file, people_file, xlsx_file = await documents(standin, ADMIN_ID, 3, marker)

    as_dicts = table_of(csv_file)
    assert list(as_dicts[0])[:4] == ["taskforce", "telegram_id", "name", "organisation"]
    assert [(r["taskforce"], r["name"], r["role"], r["status"]) for r in as_dicts] == [
        ("B3", "Awa Ndiaye", "Team Member", "active"),
        ("B3", '\'=HYPERLINK("http://evil")', "Team Member", "active"),
        ("C1", "Awa Ndiaye", "Global Leader", "awaiting a decision"),
        ("C1", "Zoë", "Regional Representative", "active"),
        ("E2", "Ana & <Bo>\x07", "Team Member", "active"),
    ]
    awa = as_dicts[0]
    assert (awa["email"], awa["telegram_username"], awa["region"]) == ("awa@example.sn", "@awa_n", "Africa")
    assert as_dicts[3]["region_represented"] == "Latin America"
    assert [(r["telegram_id"], r["taskforces"]) for r in table_of(people_file)] == [
        ("501", "B3, C1"),
        ("502", "B3"),
        ("503", "C1"),
        ("504", "E2"),
    ]

    book = load_workbook(io.BytesIO(xlsx_file.files["document"]))
    assert book.sheetnames == ["All", "People", "B3", "C1", "E2"]
    everything = book["All"]
    assert everything.freeze_panes == "A3" and everything.auto_filter.ref == "A2:U7"
    values = [[cell.value for cell in row] for row in everything.iter_rows()]
    assert values[0] == list(as_dicts[0]) and values[1][:3] == ["Task Force", "Telegram id", "Name"]
    assert values[3][2] == '\'=HYPERLINK("http://evil")'
    assert isinstance(values[2][14], datetime)  # registered: a date cell, not text
    assert [row[2] for row in book["C1"].iter_rows(min_row=3, values_only=True)] == ["Awa Ndiaye", "Zoë"]
    assert book["E2"]["C3"].value == "Ana & <Bo>"  # escaped, and the control character XML cannot hold dropped
    assert book["E2"].freeze_panes == "A3" and book["E2"].auto_filter.ref == "A2:U3"
    assert everything.column_dimensions["C"].width == 28

    assert running_bot.db is not None
    assert "export" in [row["action"] for row in await audit_rows(running_bot.db)]


async def test_exports_have_the_same_columns_in_every_language_and_a_row_per_person(running_bot: RunningBot) -> None:
    """Issue 23: the columns were named in the requester's language, so a French and an English export could
    not be read by one tool; and nothing listed each person once, with how to reach them."""
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE)
    assert running_bot.db is not None
    await running_bot.db.write("UPDATE known_users SET chosen_language = 'es' WHERE telegram_id = 503")
    admin = ChatUser(standin, ADMIN_ID)
    exports = {}
    for language, name in (("en", "English"), ("fr", "Français")):
        await admin.say("/language")
        await admin.press(name)
        marker = len(standin.sent)
        await admin.say("/export")
        exports[language] = await documents(standin, admin.id, 3, marker)
    books = {who: load_workbook(io.BytesIO(files[2].files["document"])) for who, files in exports.items()}
    for index in (0, 1):  # the registrations and the people: same keys, same order
        keys = [list(table_of(files[index])[0]) for files in exports.values()]
        assert keys[0] == keys[1]
    for sheet in (0, 1):
        rows = [[cell.value for cell in book.worksheets[sheet][1]] for book in books.values()]
        assert rows[0] == rows[1]
    assert books["en"].worksheets[0]["N2"].value == "Status" and books["fr"].worksheets[0]["N2"].value == "Statut"
    assert books["fr"].worksheets[0]["L3"].value == "Membre d'équipe"
    people = {row["telegram_id"]: row for row in table_of(exports["fr"][1])}
    assert (people["501"]["email"], people["501"]["language"], people["501"]["taskforces"]) == (
        "awa@example.sn",
        "en",
        "B3, C1",
    )
    assert (people["503"]["language"], people["503"]["name"]) == ("es", "Zoë")


async def test_a_facilitator_exports_its_own_and_others_nothing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *PEOPLE)
    fran = ChatUser(standin, 2001, first_name="Fran")
    await fran.say("/start")
    await ChatUser(standin, ADMIN_ID).say(f"/facilitator {fran.id} C1")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "You are now a facilitator" in s.text)
    marker = len(standin.sent)
    await fran.say("/export")
    csv_file, people_file, _xlsx = await documents(standin, fran.id, 3, marker)
    rows = table_of(csv_file)
    assert {row["taskforce"] for row in rows} == {"C1"} and len(rows) == 2
    assert [(row["telegram_id"], row["taskforces"]) for row in table_of(people_file)] == [("501", "C1"), ("503", "C1")]

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
        "<b>Per Task Force</b> (active Leader · Representatives · Team Members / waiting / left, withdrawn"
        " or not accepted)\nC1: 0 · 1 · 0 / 1 / 0"
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
    csv_file, _people, _xlsx = await documents(standin, gus.id, 3, marker)
    rows = table_of(csv_file)
    assert sorted((row["taskforce"], row["telegram_id"]) for row in rows) == [
        ("B3", "501"),
        ("B3", "502"),
        ("B3", "507"),
        ("E2", "506"),
        ("E2", "508"),
    ]


def test_the_charts_count_axis_has_whole_numbers_only() -> None:
    """A few members: matplotlib would mark 0.5 and 1.5 on the count axis, and nobody is half a member."""
    few = TaskforceFigures("B3", active={Role.LEADER: 0, Role.REPRESENTATIVE: 1, Role.MEMBER: 1})
    none = TaskforceFigures("C1")
    figures = Figures(people=2, places=[], representatives=[], by_region=[], by_type=[], joins_by_week=[],
                      unreachable=0)  # fmt: skip
    figure = chart_figure(translator("en"), Statistics(figures, [few, none], regions=5))
    figure.canvas.draw()
    [axes] = figure.axes
    ticks = [tick for tick in axes.get_xticks() if axes.get_xlim()[0] <= tick <= axes.get_xlim()[1]]
    assert len(ticks) >= 2
    assert all(float(tick).is_integer() for tick in ticks), ticks
