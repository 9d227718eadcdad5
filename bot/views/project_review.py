"""The words and keyboards of reviewing entries: the prompt, its reminders, the decision and what the author is told."""

from __future__ import annotations

from html import escape
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.models import Catalogue
from bot.project_models import Project, ProjectStatus
from bot.services.project_review import ESCALATION, REMINDER, Review, Verdict
from bot.views.buttons import button, keyboard
from bot.views.callbacks import Buttons, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.facilitation import chat_link
from bot.views.projects import ProjectMine, entry_lines, status_label
from bot.views.words import fit, labelled, quoted, when

# ---------------------------------------------------------------- its buttons

ReviewChoice = Literal["accept", "changes", "decline"]


class ReviewPress(Buttons, prefix="yw"):
    """A review prompt's buttons: Accept at once; Ask for changes and Decline ask for the words first."""

    choice: ReviewChoice
    project: RowId


class ReviewDocument(Buttons, prefix="ye"):
    """A review prompt's Document: the entry's file, for whoever may decide on it (not yet in the catalogue)."""

    project: RowId


VERDICTS: dict[ReviewChoice, Verdict] = {
    "accept": Verdict.ACCEPT,
    "changes": Verdict.CHANGES,
    "decline": Verdict.DECLINE,
}


def prompt(_: Translate, review: Review, catalogue: Catalogue, kind: str, replaced: bool = False) -> str:
    """The decider's message: the whole entry and its contact; once decided, who decided and when, above it."""
    project = review.project
    heading = {
        REMINDER: _("⏰ This entry is still waiting for your review."),
        ESCALATION: _(
            "⚠️ No facilitator reviewed this entry after three reminders. Please decide, or assign a facilitator "
            "with /facilitator."
        ),
    }.get(kind)
    contact = (
        f"{chat_link(review.author.telegram_id, review.author.name)}, {escape(review.author.organisation)}"
        if review.author is not None
        else _("contact withdrawn")
    )
    lines = [_("<b>An entry for the catalogue, to review</b>"), "", *entry_lines(_, project, catalogue)]
    lines.append(labelled(_, "<b>" + _("Contact") + "</b>", contact))
    if project.submitted_at is not None:
        lines.append(labelled(_, _("Submitted"), when(_, project.submitted_at)))
    if replaced and project.status is ProjectStatus.REVIEW:
        heading = _("Changed and submitted again since: the newer message asks for the review.")
    elif project.status is not ProjectStatus.REVIEW:
        heading = decided_line(_, review)
    # First: an entry at its longest is cut from the end, and the outcome and the reviewer's words must stay.
    return fit("\n".join([heading, "", *lines] if heading else lines))


def decided_line(_: Translate, review: Review) -> str:
    project = review.project
    who = escape(review.decider.full_name) if review.decider else "—"
    at = when(_, project.decided_at) if project.decided_at else ""
    said = {
        ProjectStatus.ACCEPTED: _("✅ Accepted by {who} on {when}."),
        ProjectStatus.CHANGES: _("✏️ Changes asked by {who} on {when}."),
        ProjectStatus.DECLINED: _("❌ Declined by {who} on {when}."),
    }
    text = said.get(project.status, _("Withdrawn by its author.")).format(who=who, when=at)
    if project.comment and project.status in said:
        text += "\n" + quoted(_, escape(project.comment))
    return text


def prompt_keyboard(_: Translate, project: Project) -> InlineKeyboardMarkup:
    """The decisions, and the entry's document when it has one: a reviewer judges what readers will get."""
    document = [[button(_("📄 Document"), ReviewDocument(project=project.id).pack())]] if project.document_id else []
    return keyboard(
        [button(_("✅ Accept"), ReviewPress(choice="accept", project=project.id).pack())],
        [
            button(_("✏️ Ask for changes"), ReviewPress(choice="changes", project=project.id).pack()),
            button(_("❌ Decline"), ReviewPress(choice="decline", project=project.id).pack()),
        ],
        *document,
    )


def ask_words(_: Translate, verdict: Verdict) -> str:
    if verdict is Verdict.CHANGES:
        return _("What should change? The author reads your words as you write them, and answers by editing the entry.")
    return _("Why is it declined? The author reads your words as you write them.")


def words_as_text(_: Translate) -> str:
    """Said to a sticker, photo or file sent where the words for the author are awaited."""
    return _("Please type your words for the author as a text message.")


def decided(_: Translate, verdict: Verdict) -> str:
    return {
        Verdict.ACCEPT: _("Accepted: it is in the catalogue. The author and the other reviewers are told."),
        Verdict.CHANGES: _("Changes asked. The author and the other reviewers are told."),
        Verdict.DECLINE: _("Declined. The author and the other reviewers are told."),
    }[verdict]


def author_told(_: Translate, review: Review) -> str:
    """What the author learns of the decision; the reviewer's words as written."""
    project = review.project
    title = escape(project.title or "")
    text = {
        ProjectStatus.ACCEPTED: _("🎉 “{title}” is accepted: it is in the catalogue of its Task Forces."),
        ProjectStatus.CHANGES: _("✏️ The facilitators ask for changes to “{title}”. Edit it, then submit it again."),
        ProjectStatus.DECLINED: _("“{title}” was not accepted for the catalogue."),
    }[project.status].format(title=title)
    if project.comment:
        text += "\n" + labelled(_, _("Reviewer"), quoted(_, escape(project.comment)))
    return text


def author_keyboard(_: Translate, review: Review) -> InlineKeyboardMarkup | None:
    if review.project.status is not ProjectStatus.CHANGES:
        return None
    return keyboard([button(_("Edit the entry"), ProjectMine(project=review.project.id, action="edit").pack())])


def contact_named(_: Translate, review: Review) -> str:
    """The new contact of an entry whose author deleted their data."""
    return _(
        "You are now the contact of “{title}”, an entry of the catalogue of your Task Force whose contact left. "
        "/projects shows it: you may edit it, withdraw it and report its progress."
    ).format(title=escape(review.project.title or ""))


def contact_set(_: Translate, name: str, status: ProjectStatus) -> str:
    """Said to who named the contact: where the entry stands, which naming a contact does not change."""
    if status is ProjectStatus.ACCEPTED:
        return _("{name} is now its contact and is told so; the entry is back in the catalogue.").format(
            name=escape(name)
        )
    return _("{name} is now its contact and is told so; the entry stays as it was: {status}.").format(
        name=escape(name), status=status_label(_, status)
    )


def contact_usage(_: Translate) -> str:
    return _(
        "Write /project_contact &lt;entry id&gt; &lt;user id or @username&gt;: for an entry whose contact deleted their "
        "data (its id is in /catalogue_export), an active member of its Task Forces."
    )


def review_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "project_contact",
            CommandAudience.FACILITATORS,
            _("Name an entry's new contact"),
            _("/project_contact ID WHO · a new contact for an entry whose contact left"),
        ),
    ]


def review_refusals(_: Translate) -> dict[str, str]:
    return {
        "has_contact": _("That entry has its contact: only one whose contact deleted their data gets a new one."),
        "own_entry": _("You cannot review your own entry."),
        "entry_withdrawn": _("Its author has withdrawn this entry."),
    }
