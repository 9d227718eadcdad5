"""The public site, through the running bot's own server: its pages, languages, links, counts and refusals."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.i18n import SUPPORTED, translator
from bot.models import Catalogue, RegistrationStatus, Role
from bot.project_models import ProjectStatus
from bot.services.clock import utc_now
from bot.storage import announcements as announcement_rows
from bot.storage import projects as project_rows
from bot.storage import registrations as registration_rows
from bot.storage.database import Database, Reader
from bot.views.site import STYLESHEET
from bot.web.site import preferred_language
from tests.harness import TOKEN, BotProcess, ChatUser, RunningBot, Seeded, bot_with, seed
from tests.standin import BotApiStandIn
from tests.test_delphi import CHOICE, SCALE_ONLY, answer, answer_first_question, grouped_round
from tests.test_languages import french_typography_faults
from tests.test_lifecycle import free_port
from tests.test_projects import ADA, accepted, member

ACTIVE = RegistrationStatus.ACTIVE
PUBLIC_URL = "https://taskforces.example.org"
BOT = "taskforce_test_bot"  # the stand-in's getMe


@dataclass
class Site:
    running: RunningBot
    address: str  # where the site listens: http://127.0.0.1:port

    async def get(self, path: str, **headers: str) -> tuple[int, str, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.address + path, headers=headers, allow_redirects=False) as response,
        ):
            return response.status, await response.text(), response.headers

    async def page(self, path: str) -> str:
        """The page once the site has caught up with the database: made from its version (the page's ETag)."""
        assert self.running.db is not None
        row = await self.running.db.fetchone("SELECT version FROM site_state")
        assert row is not None
        deadline = time.monotonic() + 10
        while True:
            status, body, headers = await self.get(path)
            assert status == 200, (path, status)
            if headers["ETag"] == f'"{row[0]}"':
                return body
            assert time.monotonic() < deadline, f"{path} still made from {headers['ETag']}, not {row[0]}"
            await asyncio.sleep(0.05)


@pytest.fixture
async def site(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> AsyncIterator[Site]:
    listen = f"127.0.0.1:{free_port()}"
    async with bot_with(
        standin, tmp_path, catalogue, site=True, site_listen=listen, public_url=PUBLIC_URL, flood_limit=1000
    ) as running:
        yield Site(running, f"http://{listen}")


def section(page: str, name: str) -> str:
    """A section of a page, from its id to the next section (or the end of the content)."""
    start = page.index(f'id="{name}"')
    ends = [i for i in (page.find("<section id=", start + 1), page.find("</main>", start)) if i > 0]
    return page[start : min(ends)]


class Visible(HTMLParser):
    """The text a reader meets: text nodes, and the attributes read aloud or shown (alt, aria-label, title)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.texts += [value for key, value in attrs if key in ("alt", "aria-label", "title") and value]
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data)


def visible(page: str) -> Visible:
    parser = Visible()
    parser.feed(page)
    return parser


async def public(running: RunningBot, author: int, code: str, title: str, **fields: Any) -> int:
    """An entry of the catalogue its facilitators put on the public site (rows as the button leaves them)."""
    entry = await accepted(running, author, code, title, **fields)
    assert running.db is not None
    async with running.db.transaction() as tx:
        await project_rows.set_public(tx, entry, running.clock())
    return entry


def members(
    code: str, count: int, start: int, region: str = "Africa", kind: str = "Research and education"
) -> list[Seeded]:
    return [Seeded(start + n, region=region, kind=kind, places=((code, Role.MEMBER, ACTIVE),)) for n in range(count)]


# ---------------------------------------------------------------- languages and the plan


@pytest.mark.parametrize(
    ("header", "language"),
    [("fr-CA,fr;q=0.9,en;q=0.8", "fr"), ("de-DE,de;q=0.9,es;q=0.5,en;q=0.4", "es"), ("en;q=0.1, es", "es"),
     ("", "en"), ("de", "en"), ("fr;q=0, es;q=0.2", "es"), ("fr;q=abc, es", "es")],
)  # fmt: skip
def test_the_readers_language_comes_from_accept_language(header: str, language: str) -> None:
    assert preferred_language(header) == language


async def test_the_overview_shows_the_plan_with_a_join_button_per_objective_in_each_language(
    site: Site, catalogue: Catalogue
) -> None:
    status, _, headers = await site.get("/", **{"Accept-Language": "es-419,es;q=0.9"})
    assert (status, headers["Location"], headers["Vary"]) == (302, "/es/", "Accept-Language")
    for language in SUPPORTED:
        page = await site.page(f"/{language}/")
        assert f'<html lang="{language}"' in page
        found = visible(page)
        joins = [link for link in found.links if link.startswith("https://t.me/")]
        assert joins[:24] == [f"https://t.me/{BOT}?start=join_{o.code}" for o in catalogue.objectives]
        for objective in catalogue.objectives:
            assert f"/{language}/{objective.code}" in found.links
            for text in (objective.text, objective.baseline_2020, objective.target_2030, objective.target_2050):
                assert text(language) in found.texts
        for other in SUPPORTED:
            assert f'<link rel="alternate" hreflang="{other}" href="{PUBLIC_URL}/{other}/">' in page
        assert f'<img src="/{language}/taskforces.svg"' in page
    assert "Rejoindre sur Telegram" in await site.page("/fr/")


JOIN = re.compile(r'<a class="join" href="[^"]*start=join_(\w+)"([^>]*)>(.*?)</a>', re.S)
HIDDEN = re.compile(r'<span class="visually-hidden">(.*?)</span>', re.S)
TAG = re.compile(r"<[^>]+>")


def said_in_order(words: list[str], name: list[str]) -> bool:
    """Every word of `words` in `name`, in their order: what speech input needs of a link (WCAG 2.5.3)."""
    rest = iter(name)
    return all(word in rest for word in words)


async def test_a_join_buttons_name_is_its_visible_words_then_which_task_force(site: Site) -> None:
    """WCAG 2.5.3 (label in name): no aria-label that replaces the words shown; a hidden span says which Task Force."""
    await seed(site.running, *members("B3", 1, 100))
    entry = await public(site.running, 100, "B3", "Compost for all")
    for language in SUPPORTED:
        _ = translator(language)
        for path in (f"/{language}/", f"/{language}/B3", f"/{language}/entries/{entry}"):
            joins = JOIN.findall((await site.get(path))[1])
            assert joins, path
            for code, attributes, inner in joins:
                shown, name = TAG.sub("", HIDDEN.sub("", inner)).split(), TAG.sub("", inner).split()
                assert "aria-label" not in attributes and " ".join(shown).startswith(_("Join on Telegram"))
                assert said_in_order(shown, name), (path, inner)
                assert " ".join(name).endswith(_("Task Force {code}").format(code=code)), (path, inner)


async def test_the_pages_say_where_they_are_and_forbid_scripts(site: Site) -> None:
    status, _, headers = await site.get("/fr/B3")
    assert status == 200 and headers["Content-Language"] == "fr"
    assert (
        "script-src" not in headers["Content-Security-Policy"]
        and "default-src 'none'" in headers["Content-Security-Policy"]
    )
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Server-Timing"].startswith("app;dur=")
    status, chart, headers = await site.get("/en/taskforces.svg")
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and chart.startswith("<?xml")
    assert "<text" in chart and "Active members" in chart  # words as text, not as drawn paths
    status, css, headers = await site.get("/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and "--accent" in css


async def test_a_language_without_its_slash_leads_to_its_overview(site: Site) -> None:
    for language in SUPPORTED:
        status, _, headers = await site.get(f"/{language}")
        assert (status, headers["Location"]) == (301, f"/{language}/")


async def test_what_is_not_a_page_is_one_not_found_page(site: Site) -> None:
    """The bot's private server's paths are not on the site's listener; a task force or an entry that is not there,
    a page beyond the last, a page number that is not one: the same answer, in the reader's language."""
    for path in ("/metrics", "/healthz", "/telegram", "/en/Z9", "/en/b3", "/de/", "/en/entries/1", "/en/B3?page=2",
                 "/en/B3?page=0", "/en/B3?page=x", "/en/B3?page=%C2%B2", "/en/entries/99999999999999"):  # fmt: skip
        status, page, _ = await site.get(path, **{"Accept-Language": "fr"})
        assert status == 404, path
        language = "en" if path.startswith("/en/") else "fr"
        assert f'<html lang="{language}"' in page and translator(language)("Page not found") in page
    async with aiohttp.ClientSession() as session, session.post(site.address + "/en/", data="x") as response:
        assert response.status == 405


# ---------------------------------------------------------------- kept until the data changes


async def version(db: Reader) -> int:
    return (await state(db))[0]


async def state(db: Reader) -> tuple[int, int]:
    row = await db.fetchone("SELECT version, removals FROM site_state")
    assert row is not None
    return int(row[0]), int(row[1])


async def test_the_version_moves_with_what_the_site_shows_and_only_with_it(db: Database, catalogue: Catalogue) -> None:
    """The triggers of migrations 20 and 21: every write the pages read bumps the version; others leave it (and the
    pages)."""
    await seed(db, *members("B3", 1, 100))
    now = utc_now()
    before = await version(db)
    await db.write("INSERT INTO outbox (chat_id, kind, created_at, lane) VALUES (100, 'x', ?, 1)", (now.isoformat(),))
    async with db.transaction() as tx:
        draft = await project_rows.create(tx, 100, now)
        await project_rows.set_taskforces(tx, draft, ["B3"])
    await db.write("UPDATE known_users SET username = 'someone' WHERE telegram_id = 100")
    assert await version(db) == before  # an outbox row, a draft, a Telegram username: nothing the site shows
    await db.write("UPDATE people SET listed = 1 WHERE telegram_id = 100")
    assert await version(db) == before + 1
    async with db.transaction() as tx:
        await project_rows.set_status(tx, draft, ProjectStatus.ACCEPTED, now, decided_by=1)
        assert await version(tx) == before + 1  # accepted, not public: still nothing the site shows
        await project_rows.set_public(tx, draft, now)
        await project_rows.set_status(tx, draft, ProjectStatus.REVIEW, now, submitted=True)  # leaves the site
    assert await version(db) == before + 3


async def test_the_version_ignores_reminder_ticks_and_switches_the_site_never_reads(
    db: Database, catalogue: Catalogue
) -> None:
    """Migration 21: the triggers watch only the columns the site reads, so a busy scheduler does not make it read
    everything again; and they count apart what can take something off it."""
    await seed(db, *members("B3", 1, 100))
    now = utc_now()
    async with db.transaction() as tx:
        entry = await project_rows.create(tx, 100, now)
        await project_rows.set_taskforces(tx, entry, ["B3"])
        await project_rows.set_status(tx, entry, ProjectStatus.ACCEPTED, now, decided_by=1)
        await project_rows.set_public(tx, entry, now)
    before = await state(db)
    row = await db.fetchone("SELECT id FROM registrations WHERE person_id = 100")
    assert row is not None
    async with db.transaction() as tx:
        await registration_rows.set_reminder_due(tx, row["id"], now, 1)
        await project_rows.set_reminder_due(tx, entry, now, 1)
        await project_rows.set_progress_due(tx, entry, now)
        await announcement_rows.set_announcements(tx, 100, False)
        await tx.execute("UPDATE people SET updated_at = ? WHERE telegram_id = 100", (now.isoformat(),))
        await tx.execute("UPDATE registrations SET updated_at = ? WHERE person_id = 100", (now.isoformat(),))
    assert await state(db) == before
    await db.write("UPDATE people SET name = 'Ada Renamed' WHERE telegram_id = 100")  # not listed: nothing removed
    assert await state(db) == (before[0] + 1, before[1])
    await db.write("UPDATE projects SET title = 'New title' WHERE id = ?", (entry,))  # the public one's old title
    assert await state(db) == (before[0] + 2, before[1] + 1)


async def test_a_page_asked_after_something_left_the_site_never_shows_it(site: Site) -> None:
    """The first answer after a consent taken back or an entry taken off waits for the snapshot without them; after
    a join, it is the page as it was, the new count read meanwhile (no reader waits for that)."""
    running = site.running
    assert running.db is not None
    await seed(running, Seeded(90, name="Leila Leader", places=(("B3", Role.LEADER, ACTIVE),)), *members("B3", 5, 100))
    await running.db.write("UPDATE people SET listed = 1 WHERE telegram_id = 90")
    entry = await public(running, 100, "B3", "Compost for all")
    assert "Leila Leader" in await site.page("/en/B3") and "Compost for all" in await site.page(f"/en/entries/{entry}")
    await seed(running, *members("B3", 1, 200))
    status, page, headers = await site.get("/en/B3")
    assert status == 200 and "6 members" in page and headers["ETag"] != f'"{await version(running.db)}"'
    await running.db.write("UPDATE people SET listed = 0 WHERE telegram_id = 90")
    status, page, headers = await site.get("/en/B3")
    assert status == 200 and "Leila Leader" not in page and headers["ETag"] == f'"{await version(running.db)}"'
    await running.db.write("UPDATE projects SET public_at = NULL WHERE id = ?", (entry,))
    assert (await site.get(f"/en/entries/{entry}"))[0] == 404
    assert "Compost for all" not in (await site.get("/en/B3"))[1]


async def test_a_page_is_made_once_per_version_and_a_reader_who_has_it_gets_304(site: Site) -> None:
    page = await site.page("/en/B3")
    status, again, headers = await site.get("/en/B3")
    assert (status, again) == (200, page)
    status, body, _ = await site.get("/en/B3", **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, "")
    await seed(site.running, *members("B3", 1, 100))
    assert "1 member" in await site.page("/en/B3")  # the new version's page, told apart by its ETag
    assert (await site.get("/en/B3", **{"If-None-Match": headers["ETag"]}))[0] == 200


async def test_the_chart_is_drawn_in_colours_seen_on_white_and_its_figures_follow_it_in_a_table(site: Site) -> None:
    """WCAG 1.4.11: every part of a bar has 3:1 against the page; the chart's figures are also given as text (1.1.1),
    task force by task force and region by region, in the table its text alternative points to."""
    regions = ("Africa", "Asia and Pacific", "Europe", "Latin America and the Caribbean", "North America")
    await seed(
        site.running,
        *(person for n, region in enumerate(regions) for person in members("B3", 5, 100 + 10 * n, region)),
        *members("A1", 6, 200), *members("A1", 6, 210, "Europe"), *members("A1", 2, 220, "North America"),
        *members("C2", 3, 300),
    )  # fmt: skip
    page = await site.page("/en/")
    chart = await site.page("/en/taskforces.svg")  # drawn from the data seeded
    fills = {colour.lower() for colour in re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", chart)} - {"#ffffff"}
    assert len(fills) == 7  # the five regions, the regions merged, the members split by none
    assert [colour for colour in sorted(fills) if contrast(colour, "#ffffff") < 3] == []
    figures = section(page, "sizes")
    assert 'width="450" height="800"' in figures and "its figures follow it, in a table" in figures
    table = figures[figures.index('<details id="chart-figures">') : figures.index("</details>")]
    columns = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert columns == ["Task Force", *regions, "Other regions", "Not split (no region has 5 members or more)"]
    rows = {code: cells for code, cells in re.findall(r'<th scope="row">(\w\d)</th>((?:<td>[^<]*</td>)+)', table)}
    assert re.findall(r"<td>(\d+)</td>", rows["B3"]) == ["5", "5", "5", "5", "5", "0", "0"]
    assert re.findall(r"<td>(\d+)</td>", rows["A1"]) == ["0", "0", "6", "0", "0", "8", "0"]
    assert re.findall(r"<td>(\d+)</td>", rows["C2"]) == ["0", "0", "0", "0", "0", "0", "3"]


# ---------------------------------------------------------------- a task force


async def test_a_task_force_counts_its_members_merging_small_groups_and_names_only_who_agreed(site: Site) -> None:
    running = site.running
    assert running.db is not None
    leader = Seeded(90, name="Leila Leader", places=(("B3", Role.LEADER, ACTIVE),))
    representative = Seeded(91, name="Rami Quiet", places=(("B3", Role.REPRESENTATIVE, ACTIVE),))
    await seed(
        running, leader, representative, *members("B3", 6, 100),
        *members("B3", 5, 200, "Europe", "Civil society and NGOs"),
        *members("B3", 2, 300, "Asia and Pacific", "International organisations"),
    )  # fmt: skip
    await running.db.write("UPDATE people SET listed = 1, organisation = 'Soil Institute' WHERE telegram_id = 90")
    page = await site.page("/en/B3")
    people = section(page, "people")
    assert "Leila Leader, Soil Institute" in people and "Rami Quiet" not in page
    assert "Regional Representative for Africa</dt><dd>held (not listed by name)" in people
    assert "Regional Representative for Europe</dt><dd>open: members and partners" in people
    # Africa 8 stands apart; Asia's 2 alone would be readable as the whole less the others: Europe's 5 joins them.
    counted = section(page, "members")
    assert "15 members" in counted
    assert '<th scope="row">Africa</th><td>8</td>' in counted
    assert '<th scope="row">Other regions</th><td>7</td>' in counted
    assert "Asia" not in counted and "Europe" not in counted and "International organisations" not in counted
    assert '<th scope="row">Research and education</th><td>8</td>' in counted
    assert "The Task Force has no group chat yet." in counted
    # Taking the consent back takes the name off.
    await running.db.write("UPDATE people SET listed = 0 WHERE telegram_id = 90")
    assert "Leila Leader" not in await site.page("/en/B3")


async def test_a_group_chat_is_said_to_exist_never_linked(site: Site) -> None:
    running = site.running
    assert running.db is not None
    await running.db.write(
        "INSERT INTO group_links (taskforce, chat_id, title, invite_link, linked_at)"
        " VALUES ('B3', -100, 'Soil friends', 'https://t.me/+SECRETinvite', '2026-11-01T00:00:00+00:00')"
    )
    page = await site.page("/en/B3")
    assert "The Task Force has a group chat on Telegram, for its members." in page
    assert "SECRETinvite" not in page and "Soil friends" not in page
    assert "SECRETinvite" not in await site.page("/en/")


async def test_public_entries_are_listed_by_page_with_their_progress_and_a_page_each(site: Site) -> None:
    running = site.running
    assert running.db is not None
    await seed(running, *members("B3", 1, 100))
    first = await public(running, 100, "B3", "Compost for all", funding=50000)
    await running.db.write(
        "INSERT INTO project_updates (project_id, author_id, text, at) VALUES (?, 100, '300 ha planted.', ?)",
        (first, running.clock().isoformat()),
    )
    hidden = await accepted(running, 100, "B3", "Not published yet")
    for n in range(20):
        await public(running, 100, "B3", f"Hedge {n}")
    page = await site.page("/en/B3")
    listed = section(page, "entries")
    assert "21 public actions and projects" in listed and "Page 1 of 2" in listed
    assert "Hedge 19" in listed and "Compost for all" not in listed  # the most recently published first
    second = section(await site.page("/en/B3?page=2"), "entries")
    assert "Compost for all" in second and "300 ha planted." in second and "50,000 EUR" in second
    assert 'href="/en/B3" rel="prev"' in second and "Not published yet" not in second
    entry = await site.page(f"/fr/entries/{first}")
    assert "Compost for all" in entry and "300 ha planted." in entry and "(rédigé en English)" in entry
    assert f'href="https://t.me/{BOT}?start=join_B3"' in entry and 'href="/fr/B3"' in entry
    # A private entry answers as if there were none.
    assert (await site.get(f"/en/entries/{hidden}"))[0] == 404
    overview = await site.page("/en/")
    assert "300 ha planted." in section(overview, "latest") and "Not published yet" not in overview
    # What the public entries seek, added up per currency only (the unpublished one's is not counted).
    await accepted(running, 100, "B3", "Not public, seeking", funding=7)
    await public(running, 100, "B3", "Hedges in dollars", funding=2500, currency="USD")
    await public(running, 100, "B3", "More compost", funding=25000)
    sought = section(await site.page("/en/"), "catalogue")
    assert '<th scope="row">EUR</th><td>2</td><td>75,000</td>' in sought
    assert '<th scope="row">USD</th><td>1</td><td>2,500</td>' in sought


async def test_an_author_who_changes_what_the_page_shows_takes_the_entry_off_until_it_is_reviewed(site: Site) -> None:
    """A link, a kind, a period: the entry's page shows them, so a change goes back to review and off the site at once
    (the first answer after it), not on the site unreviewed."""
    running = site.running
    assert running.db is not None
    ada = await member(running, "B3")
    entry = await public(running, ADA, "B3", "Compost for all")
    assert "https://example.org/compost" not in await site.page(f"/en/entries/{entry}")
    await ada.say("/projects")
    await ada.press("Compost for all")
    await ada.press("Edit")
    await ada.press("Edit")
    await ada.press("Link")
    await ada.say("https://example.org/compost")
    assert "is submitted" in (await ada.press("Submit for review")).text
    assert (await site.get(f"/en/entries/{entry}"))[0] == 404
    assert "Compost for all" not in (await site.get("/en/B3"))[1]
    found = await project_rows.get_project(running.db, entry)
    assert found is not None and found.status is ProjectStatus.REVIEW and found.public_at is None


async def test_published_delphi_figures_show_on_the_panels_task_forces_without_texts_or_comments(
    standin: BotApiStandIn, site: Site
) -> None:
    running = site.running
    admin = await grouped_round(running, SCALE_ONLY, CHOICE, {"id": "q3", "type": "text", "text": "What is missing?"})
    for person in range(700, 705):
        panellist = ChatUser(standin, person)
        await answer_first_question(panellist, "8", comment="SECRET comment")
        await answer(panellist, "Which region first?", "Asia")
        await answer(panellist, "What is missing?", "SECRET text answer", typed=True)
    await answer_first_question(ChatUser(standin, 710), "2")
    await admin.say("/delphi_close implementation-2030")
    assert "No Delphi study result" in section(await site.page("/en/B3"), "delphi")
    await admin.say("/delphi_publish implementation-2030 1")
    shown = section(await site.page("/en/B3"), "delphi")
    assert "Implementation strategies 2030 · round 1" in shown and "The panel came from the Task Forces B3" in shown
    assert "How important is a regional helpdesk by 2030?" in shown and "6 answers of 11 panellists asked" in shown
    assert "Which region first?" in shown and '<th scope="row">Asia</th><td>5</td><td>100 %</td>' in shown
    assert "What is missing?" not in shown and "SECRET" not in shown
    # The single official's 2 stands in no group; with fewer answers than the minimum, a question shows no figure.
    assert "States or local authorities" not in shown
    assert "fewer than 5 answers: not shown" not in shown
    assert "No Delphi study result" in section(await site.page("/en/C1"), "delphi")


# ---------------------------------------------------------------- words, addresses and start


async def test_french_pages_keep_french_typography(site: Site) -> None:
    await seed(site.running, *members("B3", 6, 100))
    await public(site.running, 100, "B3", "Compost for all", funding=50000)
    for path in ("/fr/", "/fr/B3", "/fr/entries/1", "/fr/nothing"):
        _status, page, _ = await site.get(path)
        texts = [text for text in visible(page).texts if "Compost" not in text]
        assert french_typography_faults("\n".join(texts)) == [], path


async def test_a_site_under_a_path_links_within_it(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    listen = f"127.0.0.1:{free_port()}"
    async with bot_with(
        standin, tmp_path, catalogue, site=True, site_listen=listen, public_url="https://example.org/taskforces/"
    ) as running:
        found = Site(running, f"http://{listen}")
        status, _, headers = await found.get("/taskforces")
        assert (status, headers["Location"]) == (302, "/taskforces/en/")
        status, _, headers = await found.get("/taskforces/fr")
        assert (status, headers["Location"]) == (301, "/taskforces/fr/")
        page = await found.page("/taskforces/en/")
        assert 'href="/taskforces/site.css"' in page and 'href="/taskforces/en/B3"' in page
        assert '<link rel="canonical" href="https://example.org/taskforces/en/">' in page
        assert (await found.get("/en/"))[0] == 404


async def test_a_site_listener_already_taken_stops_the_start_naming_it(standin: BotApiStandIn, tmp_path: Path) -> None:
    listen = f"127.0.0.1:{free_port()}"
    bot = await BotProcess.start(
        tmp_path, BOT_TOKEN=TOKEN, BOT_API_URL=standin.base_url, BOT_DATABASE=str(tmp_path / "bot.sqlite3"),
        BOT_HTTP_LISTEN=listen.replace("127.0.0.1", "127.0.0.2"), BOT_SITE="true", BOT_SITE_LISTEN=listen,
        BOT_PUBLIC_URL=PUBLIC_URL,
    )  # fmt: skip
    try:
        await bot.wait_for_line("public site on")
        second = await BotProcess.start(
            tmp_path, BOT_TOKEN=TOKEN, BOT_API_URL=standin.base_url, BOT_DATABASE=str(tmp_path / "other.sqlite3"),
            BOT_SITE="true", BOT_SITE_LISTEN=listen, BOT_PUBLIC_URL=PUBLIC_URL,
        )  # fmt: skip
        assert await second.exit_code() == 2
        assert re.search(rf"BOT_SITE_LISTEN: cannot listen on {listen}", "\n".join(second.lines))
    finally:
        assert (await bot.terminate())[0] == 0


# ---------------------------------------------------------------- contrast


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("text", "background", "least"),
    [
        ("--ink", "--paper", 4.5),
        ("--muted", "--paper", 4.5),
        ("--accent", "--paper", 4.5),  # links
        ("--accent-ink", "--accent", 4.5),  # the join buttons
        ("--focus", "--paper", 3.0),  # the focus ring: a non-text contrast
        ("--line", "--paper", 3.0),
    ],
)
def test_the_stylesheets_colours_meet_wcag_aa(text: str, background: str, least: float) -> None:
    colours = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6});", STYLESHEET.read_text()))
    assert contrast(colours[text], colours[background]) >= least
