"""The words and keyboards of the catalogue of actions and projects: the task forces' counts, a card each,
its filters and pages, offers to contribute and progress updates."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translate
from bot.models import Catalogue, Person
from bot.project_models import Money, Project, ProjectField, ProjectStatus, Stage
from bot.services.project_catalogue import Card, CatalogueFigures, Filters, Opportunities, Page
from bot.services.projects import GLOBAL
from bot.storage.projects import ExportedEntry
from bot.views.buttons import Button, button, keyboard, rows_of
from bot.views.callbacks import Buttons, ChoiceValue, Code, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.exports import Columns, csv_value, headed_sheet, neutralised
from bot.views.facilitation import chat_link
from bot.views.projects import (
    ProgressAdd,
    amount,
    field_label,
    kind_label,
    region_label,
    shown,
    stage_label,
    status_label,
)
from bot.views.words import fit, labelled, number, quoted, role_label, when
from bot.views.xlsx import Cell, Workbook, row_xml

if TYPE_CHECKING:
    from bot.views.pdf import Document

# ---------------------------------------------------------------- its buttons


class CatalogueOpen(Buttons, prefix="yc"):
    """A task force's catalogue, unfiltered, from its first card."""

    code: Code


class CatalogueBrowse(Buttons, prefix="yb"):
    """A card of a task force's catalogue: the filters (a region by its place in the list, or "global") and the card."""

    code: Code
    region: ChoiceValue | None = None
    stage: Stage | None = None
    funding: Literal["all", "sought"] = "all"  # only the entries that seek funding
    index: RowId = 0


class CatalogueDocument(Buttons, prefix="yd"):
    project: RowId


class CataloguePublic(Buttons, prefix="yz"):
    """Put an entry on the public site ("on"), or take it off: its facilitators' choice (and the Secretariat's)."""

    project: RowId
    public: Literal["on", "off"]


class CatalogueOffer(Buttons, prefix="yf"):
    """I'd like to contribute: first the consent asked, then (agreed) the author told."""

    project: RowId
    step: Literal["ask", "agreed"] = "ask"


# ---------------------------------------------------------------- the task forces' counts


def overview(_: Translate, counts: dict[str, int], catalogue: Catalogue) -> str:
    lines = [
        _("<b>The catalogue of actions and projects</b>"),
        _("What the Task Forces bring to decision-makers and funders. Choose a Task Force."),
        "",
    ]
    lines += [
        f"<b>{o.code}</b> {escape(o.title(_.language))}: {counts.get(o.code, 0)}"
        for o in catalogue.objectives
        if counts.get(o.code)
    ] or [_("No entry is in the catalogue yet: /project describes one.")]
    return fit("\n".join(lines))


def overview_keyboard(counts: dict[str, int], catalogue: Catalogue) -> InlineKeyboardMarkup:
    shown_codes = [o.code for o in catalogue.objectives if counts.get(o.code)]
    return keyboard(
        *rows_of([button(f"{code} ({counts[code]})", CatalogueOpen(code=code).pack()) for code in shown_codes], 4)
    )


# ---------------------------------------------------------------- a card


def region_filter(filters: Filters, catalogue: Catalogue) -> str | None:
    """The filter's region as button data: its place in the list, or "global"."""
    if filters.region is None:
        return None
    names = catalogue.region_names
    return str(names.index(filters.region)) if filters.region in names else GLOBAL


def filters_of(press: CatalogueBrowse, catalogue: Catalogue) -> Filters:
    """The filters a button carries; a region it cannot name is no filter."""
    names, value = catalogue.region_names, press.region
    region = (
        GLOBAL
        if value == GLOBAL
        else names[int(value)]
        if value and value.isdigit() and int(value) < len(names)
        else None
    )
    return Filters(region, press.stage, press.funding == "sought")


def page_text(_: Translate, page: Page, catalogue: Catalogue) -> str:
    objective = catalogue.objective(page.code)
    title = escape(objective.title(_.language)) if objective else ""
    heading = _("<b>Catalogue of Task Force {code}</b> · {title}").format(code=page.code, title=title)
    if page.card is None:
        return fit(heading + "\n\n" + _("No entry fits these filters."))
    where = _("{n} of {m}").format(n=page.index + 1, m=page.total)
    return fit(f"{heading} · {where}\n\n{card_text(_, page.card, catalogue)}")


def card_text(_: Translate, card: Card, catalogue: Catalogue) -> str:
    """An entry as readers meet it: in its own words and language (marked when not the reader's)."""
    project = card.project
    lines = [f"<b>{escape(project.title or '')}</b>"]
    if project.language and project.language != _.language:
        lines.append(
            "<i>" + _("(written in {language})").format(language=LANGUAGE_NAMES.get(project.language, "")) + "</i>"
        )
    facts = [
        kind_label(_, project.kind) if project.kind else "",
        stage_label(_, project.stage) if project.stage else "",
    ]
    lines.append(" · ".join(fact for fact in facts if fact))
    if card.latest is not None:  # near the top: a long entry is cut at its end, never here
        text, at = card.latest
        lines.append(labelled(_, _("Latest progress ({when})").format(when=when(_, at)), quoted(_, escape(text))))
    for field in (
        ProjectField.TASKFORCES,
        ProjectField.COUNTRIES,
        ProjectField.REGION,
        ProjectField.LEAD,
        ProjectField.PARTNERS,
    ):
        if project.partners is not None or field is not ProjectField.PARTNERS:
            lines.append(labelled(_, field_label(_, field), shown(_, project, field, catalogue)))
    lines += ["", escape(project.summary or ""), ""]
    lines.append(labelled(_, field_label(_, ProjectField.CONTRIBUTION), escape(project.contribution or "")))
    lines += _money_lines(_, project)
    period = f"{project.start or ''} – {project.end or ''}"
    lines.append(labelled(_, _("Period"), period))
    if project.link:
        lines.append(labelled(_, field_label(_, ProjectField.LINK), escape(project.link)))
    if card.contact is not None:
        role = _("{role} of Task Force {code}, {organisation}").format(
            role=role_label(_, card.contact.role),
            code=card.contact.taskforce,
            organisation=escape(card.contact.organisation),
        )
        lines.append(labelled(_, _("Contact"), role))
    return "\n".join(lines)


def _money_lines(_: Translate, project: Project) -> list[str]:
    lines = [labelled(_, field_label(_, ProjectField.BUDGET), amount(_, project.budget))] if project.budget else []
    if project.funding is not None:
        lines.append(labelled(_, field_label(_, ProjectField.FUNDING), amount(_, project.funding)))
    return lines


def page_keyboard(
    _: Translate,
    page: Page,
    catalogue: Catalogue,
    may_report: bool,
    may_publish: bool = False,
    *,
    may_offer: bool = True,
) -> InlineKeyboardMarkup:
    """Pages, the three filters (each press moves to its next value), and what a reader may do with the card: its
    contact is offered no "I'd like to contribute" on their own entry."""
    filters, region = page.filters, region_filter(page.filters, catalogue)

    def browse(index: int = page.index, **changed: object) -> str:
        values = {
            "code": page.code,
            "region": region,
            "stage": filters.stage,
            "funding": "sought" if filters.funding else "all",
            "index": index,
        }
        return CatalogueBrowse.model_validate({**values, **changed}).pack()

    pages = []
    if page.index > 0:
        pages.append(button("◀", browse(page.index - 1)))
    if page.index + 1 < page.total:
        pages.append(button("▶", browse(page.index + 1)))
    regions = [None, *(str(i) for i in range(len(catalogue.region_names))), GLOBAL]
    stages = [None, *Stage]
    next_region = regions[(regions.index(region) + 1) % len(regions)]
    next_stage = stages[(stages.index(filters.stage) + 1) % len(stages)]
    any_value = _("any")
    filter_row = [
        button(
            labelled(_, _("Region"), region_label(_, filters.region, catalogue) if filters.region else any_value),
            browse(0, region=next_region),
        ),
        button(
            labelled(_, _("Stage"), stage_label(_, filters.stage) if filters.stage else any_value),
            browse(0, stage=next_stage),
        ),
    ]
    funding = button(
        _("💶 Seeking funding only") if not filters.funding else _("💶 All entries"),
        browse(0, funding="all" if filters.funding else "sought"),
    )
    actions = []
    if page.card is not None:
        project = page.card.project
        if may_offer:
            actions.append(button(_("🤝 I'd like to contribute"), CatalogueOffer(project=project.id).pack()))
        if project.document_id:
            actions.append(button(_("📄 Document"), CatalogueDocument(project=project.id).pack()))
        if may_report:
            actions.append(button(_("📝 Add progress"), ProgressAdd(project=project.id).pack()))
        if may_publish:
            actions.append(public_button(_, project.id, project.public_at is not None))
    return keyboard(pages, filter_row, [funding], *rows_of(actions, 2))


def public_button(_: Translate, project_id: int, public: bool) -> Button:
    """What pressing it does: take a public entry off the public site, or put a private one on it."""
    if public:
        return button(_("🌐 Take off the public page"), CataloguePublic(project=project_id, public="off").pack())
    return button(_("🌐 Put on the public page"), CataloguePublic(project=project_id, public="on").pack())


def public_toggled(_: Translate, markup: InlineKeyboardMarkup, pressed: CataloguePublic) -> InlineKeyboardMarkup:
    """The card's keyboard as it was (its page and filters kept), the button pressed now offering the way back."""
    now = public_button(_, pressed.project, pressed.public == "on")
    return keyboard(*([now if b.callback_data == pressed.pack() else b for b in row] for row in markup.inline_keyboard))


def public_set(_: Translate, public: bool) -> str:
    if public:
        return _("It is on the public page, for as long as it stays in the catalogue.")
    return _("It is no longer on the public page.")


# ---------------------------------------------------------------- offers and progress


def offer_question(_: Translate, project: Project) -> str:
    return _(
        "Your name and a link to write to you will be passed on to the contact of “{title}”, once, so that they can "
        "reach you. Agree?"
    ).format(title=escape(project.title or ""))


def offer_keyboard(_: Translate, project: Project) -> InlineKeyboardMarkup:
    return keyboard([button(_("🤝 Yes, pass them on"), CatalogueOffer(project=project.id, step="agreed").pack())])


def offer_sent(_: Translate, project: Project) -> str:
    return _("Done: the contact of “{title}” is told who you are and may write to you.").format(
        title=escape(project.title or "")
    )


def offer_notice(_: Translate, project: Project, person: Person) -> str:
    """What the contact of an entry is told: who would like to contribute, and a link to write to them."""
    return _("🤝 {name} ({organisation}) would like to contribute to “{title}”. Write to them!").format(
        name=chat_link(person.telegram_id, person.name),
        organisation=escape(person.organisation),
        title=escape(project.title or ""),
    )


def ask_progress(_: Translate, project: Project, limit: int) -> str:
    return _(
        "What is new with “{title}”? A short update, shown on its card with today's date (at most {limit} characters)."
    ).format(title=escape(project.title or ""), limit=limit)


def progress_as_text(_: Translate) -> str:
    """Said to a sticker, photo or file sent where a progress update is awaited."""
    return _("Please type the progress update as a text message.")


def progress_saved(_: Translate) -> str:
    return _("Thank you: the update is on the card.")


def progress_reminder(_: Translate, project: Project) -> str:
    return _("⏰ How is “{title}” going? A short progress update keeps its card in the catalogue alive.").format(
        title=escape(project.title or "")
    )


def progress_keyboard(_: Translate, project: Project) -> InlineKeyboardMarkup:
    return keyboard([button(_("📝 Add progress"), ProgressAdd(project=project.id).pack())])


# ---------------------------------------------------------------- the export


def export_columns(_: Translate) -> Columns:
    """The columns of an entry's row, in order (`export_cells`): keys the same in every language and every export, so
    that a sheet built on one still reads the next; names in the reader's language, under them in the XLSX."""
    label = partial(field_label, _)
    return [
        ("id", _("Entry id"), 8), ("taskforces", label(ProjectField.TASKFORCES), 14), ("status", _("Status"), 14),
        ("title", label(ProjectField.TITLE), 40), ("kind", label(ProjectField.KIND), 10),
        ("stage", label(ProjectField.STAGE), 16), ("countries", label(ProjectField.COUNTRIES), 24),
        ("region", label(ProjectField.REGION), 20), ("lead_organisation", label(ProjectField.LEAD), 28),
        ("partners", label(ProjectField.PARTNERS), 28), ("summary", label(ProjectField.SUMMARY), 60),
        ("contribution", label(ProjectField.CONTRIBUTION), 40), ("budget_amount", label(ProjectField.BUDGET), 14),
        ("budget_currency", _("Budget currency"), 8), ("funding_amount", label(ProjectField.FUNDING), 14),
        ("funding_currency", _("Funding currency"), 8), ("start", label(ProjectField.START), 10),
        ("end", label(ProjectField.END), 10), ("link", label(ProjectField.LINK), 30),
        ("document", label(ProjectField.DOCUMENT), 20), ("language", label(ProjectField.LANGUAGE), 8),
        ("contact_name", _("Contact"), 24), ("contact_organisation", _("Contact's organisation"), 28),
        ("submitted_utc", _("Submitted (UTC)"), 18), ("decided_utc", _("Decided (UTC)"), 18),
        ("latest_progress", _("Latest progress"), 40), ("latest_progress_utc", _("Latest progress (UTC)"), 18),
    ]  # fmt: skip


def export_cells(_: Translate, entry: ExportedEntry, catalogue: Catalogue) -> list[Cell]:
    """One entry's row, in the requester's language for the bot's words; every text a person wrote neutralised."""
    project = entry.project
    statuses = {status: status_label(_, status) for status in ProjectStatus}
    written = [project.title, project.countries, project.lead, project.partners, project.summary, project.contribution]
    title, countries, lead, partners, summary, contribution = (neutralised(text or "") for text in written)
    return [
        project.id, " ".join(project.taskforces), statuses[project.status], title,
        kind_label(_, project.kind) if project.kind else "", stage_label(_, project.stage) if project.stage else "",
        countries, region_label(_, project.region, catalogue) if project.region else "", lead, partners, summary,
        contribution, *_money_cells(project.budget), *_money_cells(project.funding), project.start or "",
        project.end or "", neutralised(project.link or ""), neutralised(project.document_name or ""),
        project.language or "", neutralised(entry.contact_name or ""), neutralised(entry.contact_organisation or ""),
        _naive(project.submitted_at), _naive(project.decided_at), neutralised(entry.latest or ""),
        _naive(datetime.fromisoformat(entry.latest_at) if entry.latest_at else None),
    ]  # fmt: skip


def _money_cells(money: Money | None) -> list[Cell]:
    return [money.amount, money.currency] if money is not None else [None, ""]


def _naive(moment: datetime | None) -> datetime | None:
    """Spreadsheets have no time zones: the column's key says UTC, the cell holds the moment."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0) if moment else None


def export_files(
    _: Translate, entries: list[ExportedEntry], catalogue: Catalogue, folder: Path, stem: str
) -> tuple[Path, Path]:
    """The CSV (with the BOM Excel needs) and the XLSX of the catalogue: one row per entry, one sheet. Headed as the
    registrations' export is: the CSV by the columns' keys, the XLSX by the keys then their names."""
    table, book, columns = folder / f"{stem}.csv", Workbook(folder), export_columns(_)
    sheet = headed_sheet(book, _("Catalogue"), columns)
    with table.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([key for key, _name, _width in columns])
        for entry in entries:
            cells = export_cells(_, entry, catalogue)
            writer.writerow([csv_value(cell) for cell in cells])
            sheet.append(row_xml(cells))
    workbook = folder / f"{stem}.xlsx"
    with workbook.open("wb") as out:
        book.save(out)
    return table, workbook


def export_caption(_: Translate, count: int) -> str:
    return _.ngettext("{count} entry, one row each.", "{count} entries, one row each.", count).format(count=count)


# ---------------------------------------------------------------- the "Investment opportunities" PDF


def opportunities_pdf(_: Translate, found: Opportunities, catalogue: Catalogue) -> bytes:
    """A cover with the objective(s) and the list, then one page per entry seeking funding; in the requester's
    language for the bot's words, each entry in its own. Something the Secretariat sends to a funder as it is.
    fpdf2 is imported here, when the PDF is made, not when the bot starts."""
    from bot.views.pdf import Document

    doc = Document(_, _("Investment opportunities"))
    _cover(doc, _, found, catalogue)
    for card in found.cards:
        doc.add_page()
        doc.on_one_page(partial(_opportunity, doc, _, card, catalogue))
    return doc.finished()


def _cover(doc: Document, _: Translate, found: Opportunities, catalogue: Catalogue) -> None:
    doc.heading(_("Investment opportunities"))
    goal = catalogue.goal(found.goal) if found.goal else None
    if goal is not None:
        doc.heading(goal.headline(_.language), 2)
    doc.paragraph(_('The "4 per 1000" Initiative: actions and projects of its Task Forces that seek funding.'))
    for code in found.codes:
        objective = catalogue.objective(code)
        if objective is not None:
            doc.heading(f"{code} · {objective.title(_.language)}", 3)
            doc.paragraph(objective.text(_.language))
            doc.lead(_("Target 2030"), objective.target_2030(_.language))
    doc.ln(4)
    if not found.cards:
        doc.paragraph(_("No entry of the catalogue seeks funding yet."))
    for card in found.cards:
        funding = amount(_, card.project.funding) if card.project.funding else ""
        doc.paragraph(f"• {card.project.title or ''} · {card.project.countries or ''} · {funding}")


def _opportunity(doc: Document, _: Translate, card: Card, catalogue: Catalogue) -> None:
    project = card.project
    doc.heading(project.title or "")
    if project.language and project.language != _.language:
        written = _("(written in {language})").format(language=LANGUAGE_NAMES.get(project.language, ""))
        doc.paragraph(written, small=True)
    for code in project.taskforces:
        objective = catalogue.objective(code)
        if objective is not None:
            doc.paragraph(f"{code} · {objective.title(_.language)}", style="B")
            doc.lead(_("Target 2030"), objective.target_2030(_.language))
    doc.ln(2)
    facts = [
        (field_label(_, ProjectField.COUNTRIES), project.countries or ""),
        (field_label(_, ProjectField.REGION), region_label(_, project.region, catalogue) if project.region else ""),
        (field_label(_, ProjectField.STAGE), stage_label(_, project.stage) if project.stage else ""),
        (field_label(_, ProjectField.BUDGET), amount(_, project.budget) if project.budget else "—"),
        (field_label(_, ProjectField.FUNDING), amount(_, project.funding) if project.funding else "—"),
        (field_label(_, ProjectField.LEAD), project.lead or ""),
        (field_label(_, ProjectField.PARTNERS), project.partners or "—"),
    ]
    for label, value in facts:
        doc.lead(label, value)
    doc.heading(field_label(_, ProjectField.SUMMARY), 3)
    doc.paragraph(project.summary or "")
    doc.heading(field_label(_, ProjectField.CONTRIBUTION), 3)
    doc.paragraph(project.contribution or "")
    doc.ln(2)
    if card.contact is not None:
        contact = _("{role} of Task Force {code}, {organisation}").format(
            role=role_label(_, card.contact.role), code=card.contact.taskforce, organisation=card.contact.organisation
        )
        doc.lead(_("Contact"), contact + " · " + _("through the Executive Secretariat"))
    if card.latest is not None:
        text, at = card.latest
        doc.lead(_("Latest progress ({when})").format(when=when(_, at)), quoted(_, text))


def figures_text(_: Translate, figures: CatalogueFigures, catalogue: Catalogue) -> str:
    """/stats: entries in the catalogue per task force and stage, and those waiting for review."""
    lines = [
        _(
            "<b>The catalogue</b> (in it by stage: idea · design · ready for funding · running · completed / waiting for review)"
        )
    ]
    for objective in catalogue.objectives:
        code = objective.code
        if code not in figures.accepted and code not in figures.waiting:
            continue
        stages = figures.accepted.get(code, dict.fromkeys(Stage, 0))
        counts = " · ".join(number(_, stages[stage]) for stage in Stage)
        lines.append(labelled(_, code, f"{counts} / {number(_, figures.waiting.get(code, 0))}"))
    if len(lines) == 1:
        lines.append(_("No entry is in the catalogue yet: /project describes one."))
    return fit("\n".join(lines))


def opportunities_usage(_: Translate) -> str:
    return _("Write /opportunities &lt;CODE&gt; for a Task Force (B3), or a goal's letter (B) for all of it.")


def catalogue_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "catalogue",
            CommandAudience.EVERYONE,
            _("The catalogue of actions and projects"),
            _("/catalogue · the actions and projects of the Task Forces (/catalogue B3 goes straight to B3)"),
        ),
        CommandText(
            "catalogue_export",
            CommandAudience.FACILITATORS,
            _("Export the catalogue"),
            _("/catalogue_export · the entries of your Task Forces as CSV and XLSX"),
            _("/catalogue_export · every entry as CSV and XLSX"),
        ),
        CommandText(
            "opportunities",
            CommandAudience.FACILITATORS,
            _("Investment opportunities (PDF)"),
            _("/opportunities CODE · a PDF of the entries of a Task Force that seek funding, for funders"),
            _("/opportunities CODE|GOAL · a PDF of a Task Force's or a goal's entries that seek funding, for funders"),
        ),
    ]


def catalogue_refusals(_: Translate) -> dict[str, str]:
    return {
        "already_offered": _("You already offered to contribute to this entry: its contact was told."),
        "not_reporter": _("Progress is reported by the entry's contact or a Global Leader of its Task Forces."),
        "not_in_catalogue": _("This entry is no longer in the catalogue. Nothing was saved."),
        "own_offer": _("This entry is yours: those who would like to contribute to it are passed on to you."),
    }
