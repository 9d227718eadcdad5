"""The public site in a real browser: Debian's Chromium, headless, driven by Playwright for Python (issue 26, part 7).

The overview, a task force and an entry open in each language at a phone's size and a laptop's; screenshots are
written to artefacts/screenshots/ (ignored by git, kept by CI as artefacts); links and join buttons go where they
should; no console error; nothing wider than a 320 px screen; the keyboard reaches the content.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, ConsoleMessage, Page, async_playwright

from bot.i18n import SUPPORTED
from bot.models import Catalogue, RegistrationStatus, Role
from tests.harness import Seeded, seed
from tests.test_site import BOT, Site, members, public
from tests.test_site import site as site  # the fixture

CHROMIUM = Path("/usr/bin/chromium")
# The browser Debian packages, started clean and quiet: no sandbox (root in CI), no GPU, no network of its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artefacts" / "screenshots"
SIZES = ((390, 844), (1280, 800))
SMALLEST = 320


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's Chromium: apt-get install -y chromium (.ci/run installs it)")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh --user-data-dir, made by Playwright from this folder
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
        )
        try:
            yield context
        finally:
            await context.close()


class Watched:
    """A page whose console errors, script errors and failed requests are kept, to be none."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")


async def populated(site: Site) -> int:
    """A task force with members, a listed Leader and a public entry with its progress; the entry's id."""
    running = site.running
    assert running.db is not None
    leader = Seeded(90, name="Leila Leader", places=(("B3", Role.LEADER, RegistrationStatus.ACTIVE),))
    await seed(running, *members("B3", 6, 100), leader)
    await running.db.write("UPDATE people SET listed = 1, organisation = 'Soil Institute' WHERE telegram_id = 90")
    entry = await public(
        running, 100, "B3", "Compost for all, a long title that has to wrap on a phone", funding=250000
    )
    await running.db.write(
        "INSERT INTO project_updates (project_id, author_id, text, at) VALUES (?, 100, '300 ha planted.', ?)",
        (entry, running.clock().isoformat()),
    )
    await site.page("/en/B3")  # the site has caught up
    for language in SUPPORTED:
        await site.page(f"/{language}/taskforces.svg")  # and its charts have been drawn again
    return entry


async def test_each_page_opens_in_each_language_at_both_sizes_with_no_error(
    site: Site, browser: BrowserContext, catalogue: Catalogue
) -> None:
    entry = await populated(site)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched = Watched(await browser.new_page())
    page = watched.page
    for language in SUPPORTED:
        pages = {"overview": f"/{language}/", "taskforce": f"/{language}/B3", "entry": f"/{language}/entries/{entry}"}
        for name, path in pages.items():
            for width, height in SIZES:
                await page.set_viewport_size({"width": width, "height": height})
                response = await page.goto(site.address + path)
                assert response is not None and response.status == 200, path
                assert await page.get_attribute("html", "lang") == language
                assert await page.locator("h1").count() == 1
                await page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}x{height}.png", full_page=True)
            await page.set_viewport_size({"width": SMALLEST, "height": 640})
            await page.goto(site.address + path)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= SMALLEST, f"{path} is {wide} px wide on a {SMALLEST} px screen"
        # The chart is drawn and loaded, with its text alternative.
        await page.goto(f"{site.address}/{language}/")
        chart = page.locator("figure img")
        assert await chart.evaluate("image => image.complete && image.naturalWidth > 0")
        assert await chart.get_attribute("alt")
    assert watched.problems == []


async def test_links_and_join_buttons_go_where_they_should(
    site: Site, browser: BrowserContext, catalogue: Catalogue
) -> None:
    entry = await populated(site)
    watched = Watched(await browser.new_page())
    page = watched.page
    await page.goto(site.address + "/fr/")
    joins = await page.locator("a.join").evaluate_all("links => links.map(link => link.href)")
    assert joins == [f"https://t.me/{BOT}?start=join_{o.code}" for o in catalogue.objectives]
    # Its name, as the browser gives it to assistive technologies: the words shown, then which Task Force.
    first = page.get_by_role("link", name="Rejoindre sur Telegram · Task Force A1", exact=True)
    assert await first.count() == 1 and await first.get_attribute("aria-label") is None
    hidden = await first.locator(".visually-hidden").bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    # Every link of the site's own, from the overview, a task force and an entry, answers a page.
    internal: set[str] = set()
    for path in ("/fr/", "/fr/B3", f"/fr/entries/{entry}"):
        await page.goto(site.address + path)
        hrefs = await page.locator("a[href]").evaluate_all("links => links.map(link => link.href)")
        internal |= {href for href in hrefs if href.startswith(site.address)}
    assert len(internal) > 30
    for href in sorted(internal):
        response = await page.request.get(href)
        assert response.status == 200, href
    # A task force's link leads to its page; the language switch keeps the page; Back to every task force.
    await page.goto(site.address + "/fr/")
    await page.locator('a[href="/fr/B3"]').first.click()
    assert page.url == site.address + "/fr/B3" and "Leila Leader" in await page.locator("#people").inner_text()
    await page.get_by_role("link", name="Español").click()
    assert page.url == site.address + "/es/B3" and await page.get_attribute("html", "lang") == "es"
    await page.get_by_role("link", name=re.compile(r"Compost for all")).click()
    assert page.url == f"{site.address}/es/entries/{entry}" and "300 ha planted." in await page.content()
    join = page.locator("a.join")
    assert await join.get_attribute("href") == f"https://t.me/{BOT}?start=join_B3"
    assert watched.problems == []


async def test_the_keyboard_reaches_the_content_and_shows_where_it_is(site: Site, browser: BrowserContext) -> None:
    page = await browser.new_page()
    await page.goto(site.address + "/en/B3")
    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert await focused.inner_text() == "Skip to the content" and await focused.is_visible()
    assert await focused.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "content"
    # Onwards, the next stop is a link of the content, its focus ring drawn.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.closest('main') !== null")
    assert await page.locator(":focus").evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
