"""The words and keyboards of describing an action or a project (/project) and of an author's entries (/projects).

Every button carries the entry it acts on and, for an answer, the question it answers: a button of an
earlier question, of another entry or of someone else's changes nothing.
"""

from __future__ import annotations

from html import escape, unescape
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, SUPPORTED, Translate
from bot.models import Catalogue
from bot.project_models import Money, Project, ProjectField, ProjectKind, ProjectStatus, Stage
from bot.services import project_fields, projects
from bot.services.projects import GLOBAL, KEEP, OWN_ORGANISATION, SKIP, Draft, Step, StepKind, Submitted
from bot.views.buttons import Button, button, keyboard, rows_of
from bot.views.callbacks import Buttons, ChoiceValue, Code, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.words import fit, labelled, number, quoted

# ---------------------------------------------------------------- its buttons


class OfProject(Buttons):
    """The families of a draft's questions: each names its draft first."""

    project: RowId


class ProjectAnswer(OfProject, prefix="ya"):
    """A button of a question: a choice of its list, Keep (the answer given before) or Skip."""

    field: ProjectField
    value: ChoiceValue


class ProjectToggle(OfProject, prefix="yt"):
    code: Code


NavAction = Literal["back", "done", "edit", "submit", "later", "discard"]


class ProjectNav(OfProject, prefix="yn"):
    """Back, Continue (after the task forces), the summary's Edit and Submit, Save for later, Discard."""

    action: NavAction


class ProjectPick(OfProject, prefix="yp"):
    """From the summary: ask this field again."""

    field: ProjectField


class ProjectResume(Buttons, prefix="yr"):
    """Carry on with a draft where it stands (from /project, /projects or a restart)."""

    project: RowId


class ProjectOver(Buttons, prefix="yo"):
    """Start a new description, the unfinished one it names discarded; for the task force named, if any."""

    project: RowId
    code: Code | None = None


MineAction = Literal["show", "edit", "withdraw", "confirm"]


class ProjectsPage(Buttons, prefix="yl"):
    """/projects: a page of the author's entries, the newest first (◀ ▶, as the catalogue's)."""

    page: RowId


class ProjectMine(Buttons, prefix="ym"):
    """/projects: an entry's card, Edit (changes written in a draft of their own), Withdraw and its confirmation."""

    project: RowId
    action: MineAction


class ProgressAdd(Buttons, prefix="yu"):
    """Add a progress update to an entry of the catalogue: its author, or a Leader of its task forces."""

    project: RowId


# Every press that answers the open question of a draft.
PROJECT_STEPS = (ProjectAnswer, ProjectToggle, ProjectNav, ProjectPick)


# ---------------------------------------------------------------- what fields are called and show


def field_label(_: Translate, field: ProjectField) -> str:
    return {
        ProjectField.TITLE: _("Title"),
        ProjectField.KIND: _("On-going or planned"),
        ProjectField.TASKFORCES: _("Task Forces"),
        ProjectField.COUNTRIES: _("Countries"),
        ProjectField.REGION: _("Region"),
        ProjectField.LEAD: _("Lead organisation"),
        ProjectField.PARTNERS: _("Partners"),
        ProjectField.SUMMARY: _("Summary"),
        ProjectField.CONTRIBUTION: _("Contribution to the 2030 target"),
        ProjectField.STAGE: _("Stage"),
        ProjectField.BUDGET: _("Budget"),
        ProjectField.FUNDING: _("Funding sought"),
        ProjectField.START: _("Start"),
        ProjectField.END: _("End"),
        ProjectField.LINK: _("Link"),
        ProjectField.DOCUMENT: _("Document"),
        ProjectField.LANGUAGE: _("Written in"),
    }[field]


def kind_label(_: Translate, kind: ProjectKind) -> str:
    return {ProjectKind.ONGOING: _("on-going"), ProjectKind.PLANNED: _("planned")}[kind]


def stage_label(_: Translate, stage: Stage) -> str:
    return {
        Stage.IDEA: _("idea"),
        Stage.DESIGN: _("design"),
        Stage.READY: _("ready for funding"),
        Stage.RUNNING: _("running"),
        Stage.COMPLETED: _("completed"),
    }[stage]


def status_label(_: Translate, status: ProjectStatus) -> str:
    return {
        ProjectStatus.DRAFT: _("draft"),
        ProjectStatus.REVIEW: _("waiting for review"),
        ProjectStatus.CHANGES: _("changes asked"),
        ProjectStatus.ACCEPTED: _("in the catalogue"),
        ProjectStatus.DECLINED: _("declined"),
        ProjectStatus.WITHDRAWN: _("withdrawn"),
    }[status]


def region_label(_: Translate, region: str, catalogue: Catalogue) -> str:
    return _("several regions (global)") if region == GLOBAL else catalogue.label_of(region, _.language)


def amount(_: Translate, money: Money) -> str:
    """ "250 000 EUR": the reader's digits, the ISO code every funder reads alike."""
    return f"{number(_, money.amount)} {money.currency}"


def shown(_: Translate, project: Project, field: ProjectField, catalogue: Catalogue) -> str:
    """A field's answer as the reader reads it, escaped; "—" when it has none."""
    value = projects.value_of(project, field)
    if value is None:
        return "—"
    if field is ProjectField.TASKFORCES:
        return ", ".join(project.taskforces)
    if field is ProjectField.KIND and project.kind is not None:
        return kind_label(_, project.kind)
    if field is ProjectField.STAGE and project.stage is not None:
        return stage_label(_, project.stage)
    if field is ProjectField.REGION and project.region is not None:
        return escape(region_label(_, project.region, catalogue))
    if isinstance(value, Money):
        return amount(_, value)
    if field is ProjectField.DOCUMENT:
        return escape(project.document_name or "")
    if field is ProjectField.LANGUAGE:
        return LANGUAGE_NAMES.get(str(value), escape(str(value)))
    return escape(str(value))


def entry_lines(_: Translate, project: Project, catalogue: Catalogue) -> list[str]:
    """Every field of an entry, labelled: the summary, the review prompt and the author's card show it so."""
    return [
        labelled(_, f"<b>{field_label(_, field)}</b>", shown(_, project, field, catalogue)) for field in ProjectField
    ]


# ---------------------------------------------------------------- the questions


def step_question(_: Translate, draft: Draft, catalogue: Catalogue) -> str:
    """Whatever the draft asks next, under a line saying what is described and how far it is."""
    n, total = projects.progress(draft.flow)
    title = draft.project.title
    heading = (
        _("Changes to “{title}”").format(title=escape(title or ""))
        if draft.project.revises is not None
        else _("New action or project")
    )
    step = _("step {n} of {m}").format(n=n, m=total)
    line = f"<i>{heading} · {step}</i>"
    return fit(f"{line}\n\n{_question(_, draft, catalogue)}")


def _question(_: Translate, draft: Draft, catalogue: Catalogue) -> str:
    step = draft.step
    if step.kind is StepKind.SUMMARY:
        return summary(_, draft.project, catalogue)
    if step.kind is StepKind.PICK or step.field is None:
        return _("Which part should change? Tap it; the rest stays as it is.")
    text = field_question(_, step.field, draft.project, catalogue)
    limit = project_fields.LIMITS.get(step.field)
    if limit is not None:
        text += "\n" + _("(at most {limit} characters)").format(limit=limit)
    if step.field in project_fields.OPTIONAL:
        text += "\n" + _("Optional: Skip if it does not apply.")
    return text


def field_question(_: Translate, field: ProjectField, project: Project, catalogue: Catalogue) -> str:
    if field is ProjectField.CONTRIBUTION:
        targets = [
            f"<b>{code}</b> {escape(objective.target_2030(_.language))}"
            for code in project.taskforces
            if (objective := catalogue.objective(code)) is not None
        ]
        question = _("In a few words, what will it contribute to the 2030 target of its objective?")
        return "\n\n".join([question, *targets])
    return {
        ProjectField.TITLE: _(
            "<b>Describe an action or a project</b> for the catalogue the Task Forces bring to decision-makers "
            "and funders. Its title?"
        ),
        ProjectField.KIND: _("Is it on-going, or planned?"),
        ProjectField.TASKFORCES: _(
            "To which of your Task Forces does it contribute? Tap to select or unselect, then press Continue."
        ),
        ProjectField.COUNTRIES: _("In which countries does it take place?"),
        ProjectField.REGION: _("In which region?"),
        ProjectField.LEAD: _("Which organisation leads it?"),
        ProjectField.PARTNERS: _("Its partners?"),
        ProjectField.SUMMARY: _("A summary: what it does, where, with whom, for what result."),
        ProjectField.STAGE: _("At which stage is it?"),
        ProjectField.BUDGET: _("Its total budget: an amount and an ISO 4217 currency code, e.g. 250000 EUR."),
        ProjectField.FUNDING: _("The funding it seeks: an amount and an ISO 4217 currency code, e.g. 100000 EUR."),
        ProjectField.START: _("When did it start, or when will it? A month (2026-03) or a day (2026-03-15)."),
        ProjectField.END: _("When will it end? A month (2028-12) or a day (2028-12-31)."),
        ProjectField.LINK: _("A web page about it (an address beginning with http or https)."),
        ProjectField.DOCUMENT: _(
            "A document about it, such as a concept note: send a PDF or DOCX file of at most 20 MB."
        ),
        ProjectField.LANGUAGE: _("In which language did you write it? Readers see it marked so."),
    }[field]


def summary(_: Translate, project: Project, catalogue: Catalogue) -> str:
    lines = [_("<b>Please check before you submit.</b>"), "", *entry_lines(_, project, catalogue), ""]
    lines.append(
        _("The facilitators of its Task Forces review it before it enters the catalogue; you are its contact.")
    )
    return fit("\n".join(lines))


def step_keyboard(
    _: Translate, draft: Draft, catalogue: Catalogue, choosable: list[str], organisation: str | None
) -> InlineKeyboardMarkup:
    """The buttons of whatever the draft asks next; Back after the first question, Save for later always.
    `choosable`: the task forces the author may add (services/projects.py `choosable_taskforces`)."""
    project, step = draft.project, draft.step
    rows: list[list[Button]] = []
    if step.kind is StepKind.SUMMARY:
        rows = [
            [button(_("📤 Submit for review"), _nav(project, "submit"))],
            [button(_("Edit"), _nav(project, "edit")), button(_("Discard"), _nav(project, "discard"))],
        ]
    elif step.kind is StepKind.PICK:
        rows = pick_buttons(_, project, catalogue)
    elif step.field is not None:
        rows = _answer_buttons(_, project, step, catalogue, choosable, organisation)
    back = [button(_("« Back"), _nav(project, "back"))] if projects.can_go_back(draft.flow) else []
    return keyboard(*rows, [*back, button(_("Save for later"), _nav(project, "later"))])


def _answer_buttons(
    _: Translate, project: Project, step: Step, catalogue: Catalogue, choosable: list[str], organisation: str | None
) -> list[list[Button]]:
    field = step.field
    assert field is not None
    rows: list[list[Button]] = []
    if field is ProjectField.TASKFORCES:
        marks = [
            button(("✅ " if c in project.taskforces else "") + c, ProjectToggle(project=project.id, code=c).pack())
            for c in sorted({*choosable, *project.taskforces})  # one it names and may no longer add: to remove
        ]
        rows = [*rows_of(marks, 4), [button(_("Continue ▶"), _nav(project, "done"))]]
    elif choices := _choices(_, field, catalogue):
        rows = rows_of([button(label, _answer(project, field, value)) for value, label in choices], 2)
    elif field is ProjectField.LEAD and organisation:
        rows = [
            [button(_("Use “{name}”").format(name=_short(organisation)), _answer(project, field, OWN_ORGANISATION))]
        ]
    kept = projects.value_of(project, field)
    if kept is not None and field is not ProjectField.TASKFORCES:
        rows.append(
            [
                button(
                    _("Keep: {value}").format(value=_short(_kept(_, project, field, catalogue))),
                    _answer(project, field, KEEP),
                )
            ]
        )
    if field in project_fields.OPTIONAL:
        rows.append([button(_("Skip"), _answer(project, field, SKIP))])
    return rows


def _choices(_: Translate, field: ProjectField, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(button value, label) of a question answered from a list."""
    if field is ProjectField.KIND:
        return [(kind.value, kind_label(_, kind)) for kind in ProjectKind]
    if field is ProjectField.STAGE:
        return [(stage.value, stage_label(_, stage)) for stage in Stage]
    if field is ProjectField.REGION:
        regions = [(str(i), region(_.language)) for i, region in enumerate(catalogue.regions)]
        return [*regions, (GLOBAL, region_label(_, GLOBAL, catalogue))]
    if field is ProjectField.LANGUAGE:
        return [(language, LANGUAGE_NAMES[language]) for language in SUPPORTED]
    return []


def _kept(_: Translate, project: Project, field: ProjectField, catalogue: Catalogue) -> str:
    """The earlier answer on its Keep button: plain text (a label is not HTML)."""
    return unescape(shown(_, project, field, catalogue))


def _short(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def pick_buttons(_: Translate, project: Project, catalogue: Catalogue) -> list[list[Button]]:
    """The summary's Edit: each field with its answer, one tap to ask it again."""
    return [
        [
            button(
                labelled(_, field_label(_, field), _short(_kept(_, project, field, catalogue))),
                ProjectPick(project=project.id, field=field).pack(),
            )
        ]
        for field in ProjectField
    ]


def _nav(project: Project, action: NavAction) -> str:
    return ProjectNav(project=project.id, action=action).pack()


def _answer(project: Project, field: ProjectField, value: str) -> str:
    return ProjectAnswer(project=project.id, field=field, value=value).pack()


# ---------------------------------------------------------------- outcomes and notices


def draft_waiting(_: Translate, project: Project) -> str:
    return _(
        "You began describing “{title}” and did not submit it. Carry on where you left off, or start a new one?"
    ).format(title=escape(project.title or "…"))


def draft_waiting_keyboard(_: Translate, project: Project, code: str | None) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Carry on"), ProjectResume(project=project.id).pack())],
        [button(_("Start a new one"), ProjectOver(project=project.id, code=code).pack())],
    )


def submitted(_: Translate, outcome: Submitted) -> str:
    title = escape(outcome.project.title or "")
    if outcome.reviewed:
        return _(
            "📤 “{title}” is submitted. The facilitators of its Task Forces review it; you will be told their "
            "decision here. /projects shows your entries."
        ).format(title=title)
    return _("Nothing changed: “{title}” stays in the catalogue as it was.").format(title=title)


def saved_for_later(_: Translate) -> str:
    return _("Saved. /project or /projects takes you back to it.")


def discarded(_: Translate) -> str:
    return _("Discarded. Nothing of it is kept.")


def field_refused(_: Translate, field: ProjectField | None, sentence: str) -> str:
    """Bad input names the field it was for, above the question asked again."""
    return labelled(_, f"<b>{field_label(_, field)}</b>", sentence) if field is not None else sentence


def no_draft(_: Translate) -> str:
    return _("That description was already submitted or discarded. /project starts a new one.")


def file_expected(_: Translate, step: Step) -> str:
    """A photo or sticker: what is expected here."""
    if step.field is ProjectField.DOCUMENT:
        return _("Please send the document as a file (PDF or DOCX), or press Skip.")
    if projects.expects_text(step):
        return _("Please type your answer: text is expected here.")
    return _("Please answer with the buttons of the last question.")


LISTED = 20  # entries on a page of /projects: a button each, and ◀ ▶ to the others


def own_pages(entries: list[Project]) -> int:
    return max(1, -(-len(entries) // LISTED))


def _own_page(entries: list[Project], page: int) -> tuple[int, list[Project]]:
    """The page asked for (the last, when an older button asks beyond it) and its entries."""
    page = min(page, own_pages(entries) - 1)
    return page, entries[page * LISTED : (page + 1) * LISTED]


def own_list(_: Translate, entries: list[Project], page: int = 0) -> str:
    """/projects: each entry with its status, the newest first, a page at a time."""
    if not entries:
        return _("You have described no action or project yet. /project describes one.")
    page, listed = _own_page(entries, page)
    heading = _("<b>Your actions and projects</b>")
    if len(entries) > LISTED:
        heading += " · " + _("{n} of {m}").format(n=page + 1, m=own_pages(entries))
    lines = [heading, _("Tap one to see it, edit it or withdraw it."), ""]
    lines += [f"• {escape(entry.title or '…')} · <i>{status_label(_, entry.status)}</i>" for entry in listed]
    return fit("\n".join(lines))


def own_keyboard(entries: list[Project], page: int = 0) -> InlineKeyboardMarkup:
    page, listed = _own_page(entries, page)
    turns = [button("◀", ProjectsPage(page=page - 1).pack())] if page > 0 else []
    if page + 1 < own_pages(entries):
        turns.append(button("▶", ProjectsPage(page=page + 1).pack()))
    return keyboard(*[[button(_short(entry.title or "…", 40) + " ›", _mine(entry, "show"))] for entry in listed], turns)


def own_card(_: Translate, entry: Project, catalogue: Catalogue, revising: bool) -> str:
    """Its status, the reviewer's words and the changes waiting come before the entry: a card too long for a message
    is cut at its end, and loses only the entry's last fields, which the author wrote."""
    status = _("Status")
    lines = [labelled(_, f"<b>{status}</b>", status_label(_, entry.status))]
    if entry.comment and entry.status in (ProjectStatus.CHANGES, ProjectStatus.DECLINED):
        lines.append(labelled(_, _("Reviewer"), quoted(_, escape(entry.comment))))
    if revising:
        lines.append(_("Your changes to it are not submitted yet: Edit takes you back to them."))
    return fit("\n".join([*lines, "", *entry_lines(_, entry, catalogue)]))


def own_card_keyboard(_: Translate, entry: Project) -> InlineKeyboardMarkup:
    if entry.status is ProjectStatus.DRAFT:
        return keyboard([button(_("Carry on"), ProjectResume(project=entry.id).pack())])
    if not entry.status.editable:
        return keyboard()
    progress = (
        [button(_("📝 Add progress"), ProgressAdd(project=entry.id).pack())]
        if entry.status is ProjectStatus.ACCEPTED
        else []
    )
    return keyboard(
        [button(_("Edit"), _mine(entry, "edit")), button(_("Withdraw"), _mine(entry, "withdraw"))], progress
    )


def withdraw_question(_: Translate, entry: Project) -> str:
    return _("Withdraw “{title}”? It leaves the review or the catalogue for good.").format(
        title=escape(entry.title or "")
    )


def withdraw_keyboard(_: Translate, entry: Project) -> InlineKeyboardMarkup:
    return keyboard([button(_("Withdraw it"), _mine(entry, "confirm"))], [button(_("Keep it"), _mine(entry, "show"))])


def withdrawn(_: Translate, entry: Project) -> str:
    return _("“{title}” is withdrawn; its reviewers are told.").format(title=escape(entry.title or ""))


def _mine(entry: Project, action: MineAction) -> str:
    return ProjectMine(project=entry.id, action=action).pack()


def projects_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "project",
            CommandAudience.EVERYONE,
            _("Describe an action or project"),
            _("/project · describe an action or project of your Task Forces for their catalogue"),
        ),
        CommandText(
            "projects",
            CommandAudience.EVERYONE,
            _("Your actions and projects"),
            _("/projects · the entries you described: their status, edit, withdraw"),
        ),
    ]


def projects_refusals(_: Translate) -> dict[str, str]:
    return {
        "no_taskforce": _("Entries are described by members of a Task Force: join one first with /join."),
        "not_member_of": _("You are not an active member of Task Force {code}."),
        "no_taskforce_chosen": _("Please select at least one Task Force first."),
        "bad_link": _("that is not a web address beginning with http or https. Please try again."),
        "bad_currency": _("please give one currency as its ISO 4217 code (EUR, USD, XOF…) with the amount."),
        "bad_amount": _("please give a whole amount in digits, e.g. 250000 EUR."),
        "negative_amount": _("an amount cannot be negative."),
        "funding_over_budget": _("the funding sought cannot be more than the budget."),
        "bad_date": _("please give a month (2026-03) or a day (2026-03-15) between 1950 and 2100."),
        "end_before_start": _("the end cannot come before the start."),
        "bad_document": _("please send a PDF or DOCX file."),
        "document_too_large": _("that file is too large: at most {megabytes} MB."),
        "document_expected": _("please send the document as a file, or press Skip."),
        "text_expected": _("please type your answer: text is expected here."),
        "no_draft": no_draft(_),
    }
