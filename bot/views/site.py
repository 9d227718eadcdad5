"""The public site's pages, server-side HTML from Jinja2 templates (bot/views/templates/site), in the reader's
language: the overview (the Strategic Plan, the task forces by size and balance, the catalogue's figures, the last
progress), a page per task force and a page per public entry, and the chart of the task forces' members.

Every word a reader sees is translated here, through the one gettext function, and handed to the templates, which
hold markup only: the README's extraction reads Python, and one place keeps the words. Jinja2 escapes every value;
nothing a person wrote is ever marked safe.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.delphi_models import QuestionType
from bot.i18n import LANGUAGE_NAMES, SUPPORTED, Translate
from bot.models import Catalogue, Objective, Role
from bot.project_models import Project, ProjectField, ProjectKind, Stage
from bot.services.delphi_results import OTHER, Part, QuestionResult
from bot.services.site import EntryPage, Place, PublicEntry, PublicRound, Snapshot, TaskforceFigures
from bot.storage.site import EntryLine
from bot.views.delphi_results import decimal, figures_line, percent, verdict_words
from bot.views.projects import amount, field_label, kind_label, region_label, stage_label
from bot.views.words import goal_name, number, role_label

TEMPLATES = Path(__file__).with_name("templates") / "site"
STYLESHEET = TEMPLATES / "site.css"
ICON = TEMPLATES / "icon.svg"
Here = Callable[[str], str]  # the page's address in a language


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def compile_templates() -> None:
    """Every template compiled before the first reader comes (a page's first making would take the compiling)."""
    for template in TEMPLATES.glob("*.html"):
        _environment().get_template(template.name)


@dataclass(frozen=True)
class Links:
    """Every address a page shows: the site's own (under the path of BOT_PUBLIC_URL), and the bot's in Telegram."""

    public_url: str
    bot: str  # the bot's username: "Join on Telegram" opens its chat

    @property
    def base(self) -> str:
        return urlsplit(self.public_url).path.rstrip("/")

    def overview(self, lang: str) -> str:
        return f"{self.base}/{lang}/"

    def taskforce(self, lang: str, code: str, page: int = 1) -> str:
        return f"{self.base}/{lang}/{code}" + (f"?page={page}" if page > 1 else "")

    def entry(self, lang: str, entry: int) -> str:
        return f"{self.base}/{lang}/entries/{entry}"

    def chart(self, lang: str) -> str:
        return f"{self.base}/{lang}/taskforces.svg"

    def stylesheet(self) -> str:
        return f"{self.base}/site.css"

    def icon(self) -> str:
        return f"{self.base}/icon.svg"

    def join(self, code: str) -> str:
        """The deep link the bot reads as joining that task force (`/start join_B3`)."""
        return f"https://t.me/{self.bot}?start=join_{code}"

    def bot_chat(self) -> str:
        return f"https://t.me/{self.bot}"

    def absolute(self, path: str) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}{path}"


def words(_: Translate) -> dict[str, str]:
    """The words the templates show whatever the page."""
    return {
        "site": _('The Task Forces of the "4 per 1000" Initiative'),
        "skip": _("Skip to the content"),
        "languages": _("Language"),
        "footer": _(
            'Published by the Executive Secretariat of the "4 per 1000" Initiative from its Telegram bot. Members are '
            "counted, never named; only the Global Leaders and Regional Representatives who agreed are listed, by name "
            "and organisation."
        ),
        "open_bot": _("Open the bot in Telegram"),
        "intro": _(
            "The Strategic Plan of the Initiative has 6 goals and 24 objectives, each with a baseline in 2020 and "
            "targets for 2030 and 2050. A Task Force per objective brings together the stakeholders who work towards "
            "it and builds a catalogue of actions and projects for decision-makers and funders. Anyone may join one "
            "on Telegram."
        ),
        "on_this_page": _("On this page"),
        "plan": _("The Strategic Plan"),
        "sizes": _("The Task Forces by size and balance"),
        "sizes_intro": _(
            "Active members of each Task Force, by region: a Task Force balanced across the regions has a bar of many "
            "colours. Regions with fewer than 5 members are counted together."
        ),
        "chart_alt": _(
            "Bar chart of the active members of each Task Force, by region; its figures follow it, in a table."
        ),
        "chart_figures": _("The chart's figures"),
        "chart_caption": _("Active members of each Task Force, by region."),
        "sizes_caption": _("Members, regions and stakeholder types represented, per Task Force"),
        "taskforce": _("Task Force"),
        "members": _("Members"),
        "regions_covered": _("Regions represented"),
        "types_covered": _("Stakeholder types represented"),
        "leader": _("Global Leader"),
        "group_chat": _("Group chat"),
        "public_entries": _("Public entries"),
        "catalogue": _("The catalogue of actions and projects"),
        "catalogue_intro": _(
            "Actions and projects the Task Forces bring to decision-makers and funders, published by their "
            "facilitators."
        ),
        "stages_caption": _("Public entries by stage"),
        "stage": _("Stage"),
        "entries": _("Entries"),
        "seeking": _("Seeking funding"),
        "sought_caption": _("Funding sought by the public entries, by currency"),
        "currency": _("Currency"),
        "sought": _("Amount sought"),
        "latest": _("Latest progress"),
        "no_updates": _("No progress has been reported on a public entry yet."),
        "join": _("Join on Telegram"),
        "baseline": _("Baseline 2020"),
        "target_2030": _("Target 2030"),
        "target_2050": _("Target 2050"),
        "back": _("All the Task Forces"),
        "who": _("Who guides it"),
        "listed_note": _(
            "Global Leaders and Regional Representatives are named here only if they agreed; a place that is held "
            "shows so either way."
        ),
        "latest_progress": _("Latest progress"),
        "no_entries": _("No action or project of this Task Force is public yet."),
        "pages": _("Pages"),
        "previous": _("Previous page"),
        "next": _("Next page"),
        "delphi": _("Delphi study results"),
        "no_delphi": _("No Delphi study result of this Task Force is published yet."),
        "answer": _("Answer"),
        "answers": _("Answers"),
        "share": _("Share"),
        "link": field_label(_, ProjectField.LINK),
        "summary": field_label(_, ProjectField.SUMMARY),
        "contribution": field_label(_, ProjectField.CONTRIBUTION),
        "progress": _("Progress"),
        "no_progress": _("No progress reported yet."),
        "contribute": _("Contribute"),
        "contribute_how": _(
            "Members of its Task Forces offer to contribute in Telegram, from the entry's card in /catalogue: its "
            "contact is then told who would like to help."
        ),
        "not_found": _("This page does not exist, or is no longer public."),
    }


@dataclass(frozen=True)
class Page:
    """What every page needs besides its own values: the reader's language, the addresses, this page's own."""

    reader: Translate
    links: Links
    here: Here


def _render(template: str, page: Page, title: str, description: str, **values: Any) -> str:
    languages = [{"code": code, "name": LANGUAGE_NAMES[code]} for code in SUPPORTED]
    return (
        _environment()
        .get_template(template)
        .render(
            lang=page.reader.language,
            languages=languages,
            links=page.links,
            here=page.here,
            words=words(page.reader),
            title=title,
            description=description,
            **values,
        )
    )


def day(_: Translate, moment: datetime) -> dict[str, str]:
    """A date as the reader's language writes it, and as a machine reads it."""
    return {"date": format_date(moment.astimezone(UTC), "long", locale=_.language), "iso": moment.date().isoformat()}


def _objective(_: Translate, objective: Objective, links: Links) -> dict[str, str]:
    lang = _.language
    return {
        "code": objective.code,
        "heading": _("Task Force {code} · {title}").format(code=objective.code, title=objective.title(lang)),
        "text": objective.text(lang),
        "baseline": objective.baseline_2020(lang),
        "target_2030": objective.target_2030(lang),
        "target_2050": objective.target_2050(lang),
        "href": links.taskforce(lang, objective.code),
        "join": links.join(objective.code),
        "join_for": _("Task Force {code}").format(code=objective.code),
    }


# ---------------------------------------------------------------- the overview


def overview_page(_: Translate, found: Snapshot, catalogue: Catalogue, links: Links) -> str:
    lang = _.language
    goals = [
        {
            "code": goal.code,
            "heading": goal_name(_, goal),
            "headline": goal.headline(lang),
            "objectives": [_objective(_, o, links) for o in catalogue.objectives_of(goal.code)],
        }
        for goal in catalogue.goals
    ]
    sizes = [_size_row(_, figures, catalogue, links) for figures in found.taskforces.values()]
    stages = [
        {"label": stage_label(_, stage), "entries": number(_, count), "funded": number(_, funded)}
        for stage, (count, funded) in found.stages.items()
    ]
    sought = [
        {"currency": currency, "entries": number(_, count), "amount": number(_, total)}
        for currency, count, total in found.sought
    ]
    latest = [
        {"href": links.entry(lang, u.entry), "title": u.title, "text": u.text, **day(_, u.at)} for u in found.latest
    ]
    parts = region_parts(_, found, catalogue)
    by_region = {
        "columns": [part.label for part in parts],
        "rows": [
            {"code": code, "counts": [number(_, part.counts[n]) for part in parts]}
            for n, code in enumerate(found.taskforces)
        ],
    }
    page = Page(_, links, links.overview)
    title = _('The Task Forces of the "4 per 1000" Initiative')
    description = _("The 24 Task Forces of the Strategic Plan: their objectives and targets, members and projects.")
    return _render(
        "overview.html", page, title, description,
        goals=goals, sizes=sizes, by_region=by_region, stages=stages, sought=sought, latest=latest,
        chart=links.chart(lang),
        chart_size=[round(inches * 100) for inches in CHART_INCHES],
    )  # fmt: skip


def _size_row(_: Translate, figures: TaskforceFigures, catalogue: Catalogue, links: Links) -> dict[str, str]:
    objective = catalogue.objective(figures.code)
    return {
        "code": figures.code,
        "title": objective.title(_.language) if objective else "",
        "href": links.taskforce(_.language, figures.code),
        "members": number(_, figures.members),
        "regions": _("{count} of {all}").format(
            count=number(_, figures.regions), all=number(_, len(catalogue.regions))
        ),
        "types": _("{count} of {all}").format(
            count=number(_, figures.types), all=number(_, len(catalogue.stakeholder_types))
        ),
        "leader": _("yes") if figures.leader is not None else _("not yet"),
        "group": _("yes") if figures.group else _("not yet"),
        "entries": number(_, figures.entries),
    }


# ---------------------------------------------------------------- a task force


def taskforce_page(
    _: Translate,
    figures: TaskforceFigures,
    listed: EntryPage,
    rounds: list[PublicRound],
    catalogue: Catalogue,
    links: Links,
) -> str:
    lang, code = _.language, figures.code
    objective = catalogue.objective(code)
    assert objective is not None
    shown = _objective(_, objective, links)
    representatives = [
        {"label": _("Regional Representative for {region}").format(region=label), "value": _holder(_, found)}
        for region, label in zip(catalogue.region_names, (r(lang) for r in catalogue.regions), strict=True)
        for found in [figures.representatives.get(region)]
    ]
    page = Page(_, links, lambda other: links.taskforce(other, code, listed.number))
    return _render(
        "taskforce.html", page, shown["heading"], objective.text(lang),
        objective=shown,
        leader={"label": role_label(_, Role.LEADER), "value": _holder(_, figures.leader)},
        representatives=representatives,
        members=_members(_, figures, catalogue),
        group=_("The Task Force has a group chat on Telegram, for its members.") if figures.group
        else _("The Task Force has no group chat yet."),
        entries=_entries(_, code, figures.entries, listed, catalogue, links),
        rounds=[_round(_, found, catalogue) for found in rounds],
    )  # fmt: skip


def _holder(_: Translate, place: Place | None) -> str:
    if place is None:
        return _("open: members and partners of the Initiative apply on Telegram")
    if place.name is None:
        return _("held (not listed by name)")
    return _("{name}, {organisation}").format(name=place.name, organisation=place.organisation or "")


def _members(_: Translate, figures: TaskforceFigures, catalogue: Catalogue) -> dict[str, Any]:
    heading = _.ngettext("{count} member", "{count} members", figures.members).format(count=number(_, figures.members))

    def rows(counts: dict[str, int], other: str) -> list[dict[str, str]]:
        return [
            {"label": other if name == OTHER else catalogue.label_of(name, _.language), "count": number(_, count)}
            for name, count in counts.items()
        ]

    splits = [
        {
            "caption": _("Members by region"),
            "column": _("Region"),
            "rows": rows(figures.by_region, _("Other regions")),
            "none": _("No region has 5 members or more yet."),
        },
        {
            "caption": _("Members by stakeholder type"),
            "column": _("Stakeholder type"),
            "rows": rows(figures.by_type, _("Other stakeholder types")),
            "none": _("No stakeholder type has 5 members or more yet."),
        },
    ]
    note = _(
        "A region or a stakeholder type with fewer than 5 members is counted with others, as in the Delphi study, "
        "so that no one can be singled out."
    )
    return {"heading": heading, "splits": splits, "note": note}


def _entries(
    _: Translate, code: str, total: int, listed: EntryPage, catalogue: Catalogue, links: Links
) -> dict[str, Any]:
    lang = _.language
    heading = _.ngettext("{count} public action or project", "{count} public actions and projects", total).format(
        count=number(_, total)
    )
    return {
        "heading": heading,
        "shown": [_entry_line(_, line, catalogue, links) for line in listed.entries],
        "pages": listed.pages,
        "where": _("Page {number} of {pages}").format(number=number(_, listed.number), pages=number(_, listed.pages)),
        "previous": links.taskforce(lang, code, listed.number - 1) if listed.number > 1 else "",
        "next": links.taskforce(lang, code, listed.number + 1) if listed.number < listed.pages else "",
    }


def _entry_line(_: Translate, line: EntryLine, catalogue: Catalogue, links: Links) -> dict[str, Any]:
    facts = [
        (field_label(_, ProjectField.KIND), kind_label(_, ProjectKind(line.kind)) if line.kind else ""),
        (field_label(_, ProjectField.STAGE), stage_label(_, Stage(line.stage)) if line.stage else ""),
        (field_label(_, ProjectField.COUNTRIES), line.countries or ""),
        (field_label(_, ProjectField.REGION), region_label(_, line.region, catalogue) if line.region else ""),
    ]
    if line.funding_amount and line.funding_currency:
        funding = f"{number(_, line.funding_amount)} {line.funding_currency}"
        facts.append((field_label(_, ProjectField.FUNDING), funding))
    latest = {"text": line.latest, **day(_, line.latest_at)} if line.latest and line.latest_at else None
    return {
        "id": line.id,
        "title": line.title,
        "href": links.entry(_.language, line.id),
        "facts": [{"label": label, "value": value} for label, value in facts if value],
        "latest": latest,
    }


def _round(_: Translate, found: PublicRound, catalogue: Catalogue) -> dict[str, Any]:
    stored = found.round
    heading = _("{title} · round {round}").format(title=stored.file.title(_.language), round=stored.file.round)
    about = _(
        "Closed on {date}. The panel came from the Task Forces {codes}; groups of fewer than {least} panellists are "
        "counted together, and no answer typed as text nor any comment is published."
    ).format(
        date=day(_, stored.closed_at or stored.closes_at)["date"],
        codes=", ".join(found.taskforces),
        least=number(_, found.least),
    )
    questions = [_question(_, found, result, catalogue) for result in found.questions]
    return {"heading": heading, "about": about, "questions": questions}


def _question(_: Translate, found: PublicRound, result: QuestionResult, catalogue: Catalogue) -> dict[str, Any]:
    whole, rule = result.whole, found.round.file.consensus.rule
    shown = found.shown(result)
    answers = _.ngettext(
        "{count} answer of {asked} panellists asked", "{count} answers of {asked} panellists asked", whole.count
    ).format(count=number(_, whole.count), asked=number(_, result.asked))
    if not shown:
        answers += " · " + _("fewer than {least} answers: not shown").format(least=number(_, found.least))
    labels = _labels(_, result)
    return {
        "text": result.question.text(_.language),
        "answers": answers,
        "shown": shown,
        "figures": figures_line(_, whole),
        "verdict": verdict_words(_, rule, whole),
        "distribution": [
            {"label": label, "count": number(_, count), "share": percent(_, count, whole.count)}
            for label, count in zip(labels, whole.counts, strict=True)
        ],
        "splits": [
            {
                "heading": heading,
                "lines": [f"{_group(_, name, catalogue)}: {_part(_, part, labels)}" for name, part in groups.items()],
                "none": _("No group has {least} answers or more.").format(least=number(_, found.least)),
            }
            for heading, groups in ((_("By stakeholder type"), result.by_type), (_("By region"), result.by_region))
        ],
    }


def _labels(_: Translate, result: QuestionResult) -> list[str]:
    question = result.question
    if question.type is QuestionType.CHOICE:
        return [option(_.language) for option in question.options]
    return [
        f"{point} · {question.labels[point](_.language)}" if point in question.labels else str(point)
        for point in range(1, (question.scale or 0) + 1)
    ]


def _group(_: Translate, name: str, catalogue: Catalogue) -> str:
    return _("Other groups") if name == OTHER else catalogue.label_of(name, _.language)


def _part(_: Translate, part: Part, labels: list[str]) -> str:
    if part.figures is not None:
        return _("n = {count}, median {median}, IQR {iqr}").format(
            count=number(_, part.count), median=decimal(_, part.figures.median), iqr=decimal(_, part.figures.iqr)
        )
    return ", ".join(f"{label} {number(_, count)}" for label, count in zip(labels, part.counts, strict=True))


# ---------------------------------------------------------------- an entry


def entry_page(_: Translate, found: PublicEntry, catalogue: Catalogue, links: Links) -> str:
    project, lang = found.project, _.language
    written = project.language or lang
    region = region_label(_, project.region, catalogue) if project.region else ""
    facts = [
        (field_label(_, ProjectField.KIND), kind_label(_, project.kind) if project.kind else "", lang),
        (field_label(_, ProjectField.STAGE), stage_label(_, project.stage) if project.stage else "", lang),
        (field_label(_, ProjectField.COUNTRIES), project.countries or "", written),
        (field_label(_, ProjectField.REGION), region, lang),
        (field_label(_, ProjectField.LEAD), project.lead or "", written),
        (field_label(_, ProjectField.PARTNERS), project.partners or "", written),
        (field_label(_, ProjectField.BUDGET), amount(_, project.budget) if project.budget else "", lang),
        (field_label(_, ProjectField.FUNDING), amount(_, project.funding) if project.funding else "", lang),
        (_("Period"), _period(project), lang),
    ]  # fmt: skip
    back = [{"href": links.overview(lang), "label": words(_)["back"]}] + [
        {"href": links.taskforce(lang, code), "label": _("Task Force {code}").format(code=code)}
        for code in project.taskforces
    ]
    page = Page(_, links, lambda other: links.entry(other, project.id))
    return _render(
        "entry.html", page, project.title or "", project.summary or "",
        back=back,
        entry_lang=written,
        written_in=_("(written in {language})").format(language=LANGUAGE_NAMES.get(written, ""))
        if written != lang else "",
        facts=[{"label": label, "value": value, "lang": language} for label, value, language in facts if value],
        link=project.link or "",
        summary=project.summary or "",
        contribution=project.contribution or "",
        updates=[{"text": text, **day(_, at)} for text, at in found.updates],
        codes=project.taskforces,
    )  # fmt: skip


def _period(project: Project) -> str:
    return f"{project.start or ''} – {project.end or ''}" if project.start or project.end else ""


def not_found_page(_: Translate, links: Links, here: Here) -> str:
    return _render("not_found.html", Page(_, links, here), _("Page not found"), _("Page not found"))


# ---------------------------------------------------------------- the chart

# Okabe and Ito's palette, its light colours (orange, sky blue, yellow) left out or darkened: every part of a bar has
# 3:1 against the white page (WCAG 1.4.11), parts apart drawn with a white line between them. Greys for the regions
# merged and for the members split by no region.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8E6C00", "#5E3C99")
MERGED_COLOUR = "#767676"
UNSPLIT_COLOUR = "#3F3F3F"
CHART_INCHES = (4.5, 8.0)  # narrow and tall: its words stay readable on a phone, where it is drawn 290 px wide


@dataclass(frozen=True)
class RegionPart:
    """One colour of the chart, and one column of the table that gives its figures."""

    label: str
    colour: str
    counts: list[int]  # per task force, in the plan's order


def region_parts(_: Translate, found: Snapshot, catalogue: Catalogue) -> list[RegionPart]:
    """Each task force's members by region shown apart, the other regions together, and those of a task force no
    region of which stands apart; only the parts that hold someone."""
    codes = list(found.taskforces)
    parts = [
        RegionPart(
            _("Other regions") if region == OTHER else catalogue.label_of(region, _.language),
            MERGED_COLOUR if region == OTHER else PALETTE[place % len(PALETTE)],
            [found.taskforces[code].by_region.get(region, 0) for code in codes],
        )
        for place, region in enumerate([*catalogue.region_names, OTHER])
    ]
    split = [sum(part.counts[n] for part in parts) for n in range(len(codes))]
    unsplit = [found.taskforces[code].members - shown for code, shown in zip(codes, split, strict=True)]
    parts.append(RegionPart(_("Not split (no region has 5 members or more)"), UNSPLIT_COLOUR, unsplit))
    return [part for part in parts if any(part.counts)]


def chart_svg(_: Translate, found: Snapshot, catalogue: Catalogue) -> bytes:
    """Each task force's active members as a bar, split by region (those under the minimum in one grey part):
    its length the size, its colours the balance. SVG with its words as text, laid out by matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    codes = list(found.taskforces)
    parts = region_parts(_, found, catalogue)
    figure = Figure(figsize=CHART_INCHES, layout="constrained")
    axes = figure.subplots()
    rows, left = range(len(codes)), [0] * len(codes)
    for part in parts:
        axes.barh(rows, part.counts, left=left, color=part.colour, label=part.label, edgecolor="#ffffff")
        left = [a + b for a, b in zip(left, part.counts, strict=True)]
    axes.set_yticks(rows, labels=codes)  # every task force named, the plan's order from the top, even with no member
    axes.set_ylim(len(codes) - 0.5, -0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # people, counted whole
    axes.tick_params(labelsize=12)
    axes.set_xlabel(_("Active members"), parse_math=False, fontsize=12)
    axes.spines[["top", "right"]].set_visible(False)
    if parts:
        figure.legend(loc="outside lower center", ncols=1, fontsize=11, frameon=False)
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "taskforces"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
