"""Only public data leaves the server: a database full of personal data, and every page of the site in every
language read for any of it (issue 26, part 6)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from bot.i18n import SUPPORTED
from bot.models import Catalogue, RegistrationStatus, Role
from tests.harness import ChatUser, Seeded, seed
from tests.standin import BotApiStandIn
from tests.test_delphi import CHOICE, LONE, SCALE_ONLY, answer, answer_first_question, grouped_round
from tests.test_facilitation import facilitate, people
from tests.test_projects import ADA, member
from tests.test_site import PUBLIC_URL, Site, public, section, visible
from tests.test_site import site as site  # the fixture

ACTIVE, PENDING = RegistrationStatus.ACTIVE, RegistrationStatus.PENDING
LINK = re.compile(r'(?:href|src)="([^"]+)"')

# What must never be on any page: each a string found nowhere else.
SECRETS = {
    "a member's name": "Xenia Quietmember",
    "a member's organisation": "Hushhush Cooperative",
    "a member's country": "Secretlandia",
    "a member's e-mail": "xenia@hushhush.example",
    "a member's Telegram username": "xenia_hush",
    "a Telegram id": "918273645",
    "the name of a Leader who did not agree": "Ulrich Unlisted",
    "the organisation of a Leader who did not agree": "Unlisted Institute",
    "the name of a Representative who did not agree": "Rosa Private",
    "a listed Leader's e-mail": "lena@listed.example",
    "a listed Leader's username": "lena_listed",
    "a motivation": "I want to lead because of my secret motivation",
    "a facilitator's reason": "Rejected for a confidential reason",
    "an applicant's name": "Pedro Pending",
    "a facilitator's name": "Fiona Facilitator",
    "a draft's title": "Draft nobody submitted",
    "an unpublished entry's title": "Accepted but never published",
    "an unpublished entry's summary": "Summary of the unpublished entry",
    "a declined entry's title": "Declined entry title",
    "a reviewer's comment": "Reviewer says: this is confidential",
    "the progress of an unpublished entry": "Progress nobody may read",
    "the contact of a public entry": "Carla Contact",
    "the contact's organisation": "Contact Org Ltd",
    "the document of a public entry": "secret-concept-note.pdf",
    "the document's file id": "BQACAgQAAxSECRETFILEID",
    "a group chat's invite link": "https://t.me/+PRIVATEinvite",
    "a group chat's title": "Soil secret circle",
    "a Delphi comment": "My Delphi comment names Jane",
    "a Delphi text answer": "My typed Delphi answer",
    "an offer to contribute": "Oscar Offerer",
}


async def personal_data(site: Site, standin: BotApiStandIn) -> dict[str, int]:
    """The database filled; the entries that are not public, by their state."""
    running = site.running
    db = running.db
    assert db is not None
    await seed(
        running,
        Seeded(918273645, name=SECRETS["a member's name"], email=SECRETS["a member's e-mail"],
               username=SECRETS["a member's Telegram username"], places=(("B3", Role.MEMBER, ACTIVE),)),
        Seeded(31, name=SECRETS["the name of a Leader who did not agree"], places=(("B2", Role.LEADER, ACTIVE),)),
        Seeded(32, name=SECRETS["the name of a Representative who did not agree"], region="Europe",
               places=(("B3", Role.REPRESENTATIVE, ACTIVE),)),
        Seeded(33, name="Lena Listed", email=SECRETS["a listed Leader's e-mail"],
               username=SECRETS["a listed Leader's username"], places=(("B3", Role.LEADER, ACTIVE),)),
        Seeded(34, name=SECRETS["an applicant's name"], places=(("C1", Role.LEADER, PENDING),)),
        Seeded(35, name=SECRETS["the contact of a public entry"], places=(("B3", Role.MEMBER, ACTIVE),)),
        Seeded(36, name=SECRETS["an offer to contribute"], places=(("B3", Role.MEMBER, ACTIVE),)),
        Seeded(37, name=SECRETS["a facilitator's name"]),
    )  # fmt: skip
    await db.write(
        "UPDATE people SET organisation = ?, country = ? WHERE telegram_id = 918273645",
        (SECRETS["a member's organisation"], SECRETS["a member's country"]),
    )
    unlisted = SECRETS["the organisation of a Leader who did not agree"]
    await db.write("UPDATE people SET organisation = ? WHERE telegram_id = 31", (unlisted,))
    await db.write(
        "UPDATE people SET organisation = ? WHERE telegram_id = 35", (SECRETS["the contact's organisation"],)
    )
    await db.write("UPDATE people SET listed = 1 WHERE telegram_id = 33")
    await db.write(
        "UPDATE registrations SET motivation = ?, reason = ? WHERE person_id IN (31, 34)",
        (SECRETS["a motivation"], SECRETS["a facilitator's reason"]),
    )
    await db.write(
        "INSERT INTO facilitators (telegram_id, taskforce, assigned_by, assigned_at) VALUES (37, 'B3', 1, ?)",
        (running.clock().isoformat(),),
    )
    await db.write(
        "INSERT INTO group_links (taskforce, chat_id, title, invite_link, linked_by, linked_at) VALUES"
        " ('B3', -100, ?, ?, 37, ?)",
        (SECRETS["a group chat's title"], SECRETS["a group chat's invite link"], running.clock().isoformat()),
    )
    # Entries: one public (with a contact, a document and an offer), the others in every state but public.
    shown = await public(running, 35, "B3", "Living soils of the Sahel",
                         document=SECRETS["the document's file id"], funding=50000)  # fmt: skip
    await db.write(
        "UPDATE projects SET document_name = ? WHERE id = ?", (SECRETS["the document of a public entry"], shown)
    )
    await db.write("INSERT INTO project_offers (project_id, person_id, at) VALUES (?, 36, ?)", (shown, "2026-11-29"))
    hidden = await public(running, 35, "B3", SECRETS["an unpublished entry's title"])
    summary = SECRETS["an unpublished entry's summary"]
    await db.write("UPDATE projects SET public_at = NULL, summary = ? WHERE id = ?", (summary, hidden))
    await db.write(
        "INSERT INTO project_updates (project_id, author_id, text, at) VALUES (?, 35, ?, ?)",
        (hidden, SECRETS["the progress of an unpublished entry"], running.clock().isoformat()),
    )
    declined = await public(running, 35, "B3", SECRETS["a declined entry's title"])
    await db.write(
        "UPDATE projects SET status = 'declined', public_at = NULL, comment = ? WHERE id = ?",
        (SECRETS["a reviewer's comment"], declined),
    )
    draft = await public(running, 35, "B3", SECRETS["a draft's title"])
    await db.write("UPDATE projects SET status = 'draft', public_at = NULL WHERE id = ?", (draft,))
    # A published Delphi round: comments and typed answers given, a lone panellist in a group of their own.
    admin = await grouped_round(running, SCALE_ONLY, CHOICE, {"id": "q3", "type": "text", "text": "What is missing?"})
    for person in range(700, 705):
        panellist = ChatUser(standin, person)
        await answer_first_question(panellist, "8", comment=SECRETS["a Delphi comment"])
        await answer(panellist, "Which region first?", "Asia")
        await answer(panellist, "What is missing?", SECRETS["a Delphi text answer"], typed=True)
    await answer_first_question(ChatUser(standin, LONE.telegram_id), "1", comment=SECRETS["a Delphi comment"])
    await admin.say("/delphi_close implementation-2030")
    await admin.say("/delphi_publish implementation-2030 1")
    return {"unpublished": hidden, "declined": declined, "draft": draft}


async def crawl(site: Site) -> dict[str, str]:
    """Every page the site links to from its three overviews, with what each answers (bodies as read)."""
    base = urlsplit(PUBLIC_URL)
    waiting = [f"/{language}/" for language in SUPPORTED]
    found: dict[str, str] = {}
    while waiting:
        path = waiting.pop()
        if path in found:
            continue
        status, body, _ = await site.get(path)
        assert status in (200, 404), (path, status)
        found[path] = body
        for link in LINK.findall(body):
            address = urlsplit(urljoin(PUBLIC_URL + path, unescape(link)))
            if address.netloc == base.netloc:
                waiting.append(address.path + (f"?{address.query}" if address.query else ""))
    return found


async def test_no_page_of_the_site_shows_personal_data(
    standin: BotApiStandIn, site: Site, catalogue: Catalogue
) -> None:
    private = await personal_data(site, standin)
    await site.page("/en/B3")  # the site has caught up with the database
    pages = await crawl(site)
    # Asked by their number, the entries that are not public are no page, as one that does not exist.
    for language in SUPPORTED:
        for state, entry in private.items():
            assert (await site.get(f"/{language}/entries/{entry}"))[0] == 404, (state, language)
    # The crawl reached every kind of page in every language, the public entry's included.
    for language in SUPPORTED:
        assert {
            f"/{language}/",
            f"/{language}/B3",
            f"/{language}/taskforces.svg",
            f"/{language}/entries/1",
        } <= pages.keys()
    assert len(pages) > 3 * 26 and "/site.css" in pages
    for path, body in pages.items():
        read = unescape(body).casefold()
        leaked = [what for what, secret in SECRETS.items() if secret.casefold() in read]
        assert leaked == [], (path, leaked)
    # What is public is there: the listed Leader, the public entry, the published figures.
    assert "Lena Listed" in pages["/en/B3"] and "Living soils of the Sahel" in pages["/fr/entries/1"]
    delphi = section(pages["/es/B3"], "delphi")
    assert "How important is a regional helpdesk by 2030?" in delphi
    # The lone panellist's group is in no split of the figures, in any language.
    for language in SUPPORTED:
        shown = "\n".join(visible(section(pages[f"/{language}/B3"], "delphi")).texts)
        for group in ("International organisations", "Asia and Pacific"):
            assert catalogue.label_of(group, language) not in shown, (language, group)


# ---------------------------------------------------------------- taken off through the bot's own paths: the next page


async def test_a_leader_who_unlists_or_forgets_is_off_the_very_next_page(site: Site, standin: BotApiStandIn) -> None:
    running = site.running
    ada, bea = ChatUser(standin, 1001, first_name="Ada"), ChatUser(standin, 1002, first_name="Bea")
    await seed(
        running,
        Seeded(ada.id, name="Ada Listed", places=(("B3", Role.LEADER, ACTIVE),)),
        Seeded(bea.id, name="Bea Listed", places=(("B2", Role.LEADER, ACTIVE),)),
    )
    for person in (ada, bea):
        await person.say("/profile")
        await person.press("Public page")
        assert "lists you by name" in (await person.press("List me")).text
    assert "Ada Listed" in await site.page("/en/B3") and "Bea Listed" in await site.page("/en/B2")
    await ada.say("/profile")
    await ada.press("Public page")
    assert "does not list you" in (await ada.press("Do not list me")).text
    assert "Ada Listed" not in (await site.get("/en/B3"))[1]
    await bea.say("/forget")
    assert "has been deleted" in (await bea.press("Delete all my data")).text
    assert "Bea Listed" not in (await site.get("/en/B2"))[1]


async def test_an_entry_taken_off_by_its_facilitator_or_by_its_contacts_forget_is_off_the_very_next_page(
    site: Site, standin: BotApiStandIn
) -> None:
    running = site.running
    who = people(standin)
    ada = await member(running, "B3")
    await facilitate(who["admin"], (who["fran"], "B3"))
    kept = await public(running, ADA, "B3", "Hedges by the contact")
    taken = await public(running, ADA, "B3", "Compost taken off")
    assert "Compost taken off" in await site.page(f"/en/entries/{taken}")
    await who["fran"].say("/catalogue B3")  # the most recently accepted first: the one to take off
    taken_off = await who["fran"].press("Take off the public page")
    assert taken_off.params["text"] == "It is no longer on the public page."
    assert (await site.get(f"/en/entries/{taken}"))[0] == 404
    assert "Compost taken off" not in (await site.get("/en/B3"))[1]
    assert "Hedges by the contact" in await site.page(f"/en/entries/{kept}")
    await ada.say("/forget")
    await ada.press("Delete all my data")
    assert (await site.get(f"/en/entries/{kept}"))[0] == 404
    assert "Hedges by the contact" not in (await site.get("/en/"))[1]
    # A new contact puts it back in the catalogue, not on the public page: a facilitator publishes it again.
    await member(running, "B3", telegram_id=1002, name="Bob Builder")
    assert "Bob Builder is now its contact" in (await who["fran"].say(f"/project_contact {kept} 1002")).text
    assert (await site.get(f"/en/entries/{kept}"))[0] == 404


async def test_a_round_the_secretariat_unpublishes_is_off_the_very_next_page(
    site: Site, standin: BotApiStandIn
) -> None:
    admin = await grouped_round(site.running, SCALE_ONLY)
    for person in range(700, 705):
        await answer_first_question(ChatUser(standin, person), "8")
    await admin.say("/delphi_close implementation-2030")
    await admin.say("/delphi_publish implementation-2030 1")
    assert "Implementation strategies 2030" in section(await site.page("/en/B3"), "delphi")
    assert "is no longer on the public site" in (await admin.say("/delphi_unpublish implementation-2030 1")).text
    assert "Implementation strategies 2030" not in section((await site.get("/en/B3"))[1], "delphi")
