"""Texts and keyboards of the Delphi study for panellists, and the admins' answers to a round's file."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delphi_models import Question, QuestionType, RoundFile, Stopping, StopWhen
from bot.i18n import Translate
from bot.services.arguments import whole_number
from bot.services.delphi import Loaded, Problem, Step
from bot.services.delphi_review import Decision
from bot.services.publishing import PublishedRound
from bot.storage.delphi import Answer, StoredRound
from bot.views.buttons import button, keyboard
from bot.views.callbacks import Buttons, Index, Longest, RoundId
from bot.views.commands import CommandAudience, CommandText
from bot.views.shown import shown
from bot.views.words import fit, labelled, number, number_range, sign, when

# ---------------------------------------------------------------- its buttons


class DelphiAnswer(Buttons, prefix="dl"):
    round: RoundId
    question: Index
    point: Index  # a scale's point or a choice's option


# On a question: add a comment, next, open it, keep the last round's answer, by type, as a chart.
QuestionAction = Literal["comment", "next", "open", "keep", "types", "chart"]


class DelphiQuestion(Buttons, prefix="dq"):
    """A button acting on one question of a round (`QuestionAction`)."""

    round: RoundId
    question: Index
    action: QuestionAction


class DelphiContinue(Buttons, prefix="dr"):
    round: RoundId


Pseudonym = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{10}$"), Longest("f" * 10)]
Page = Annotated[int, Field(ge=0, le=99_999), Longest(99_999)]  # of eight comments at most: far more than a panel gives


class CommentDecision(Buttons, prefix="dv"):
    """The Secretariat shows or hides one comment (its author by pseudonym), on a page of the review."""

    round: RoundId
    question: Index
    author: Pseudonym
    decision: Decision
    page: Page


class CommentPage(Buttons, prefix="dw"):
    round: RoundId
    page: Page


Rows = list[list[InlineKeyboardButton]]
RULES = ", ".join(f"<code>{rule}</code>" for rule in ("70/15", "percent:N", "iqr:N", "rand-ucla"))
LIKERT_ROW = 5  # buttons on a row: 9 points go on two rows, readable on a phone


def plain(text: str) -> str:
    """A text of the round's file in an HTML message."""
    return escape(text, quote=False)


def title(_: Translate, stored: StoredRound) -> str:
    file = stored.file
    return _("{title} · round {round}").format(title=plain(file.title(_.language)), round=file.round)


# ---------------------------------------------------------------- loading


def loaded(_: Translate, found: Loaded) -> str:
    file = found.round.file
    lines = [
        _("<b>Round loaded</b>: {title}").format(title=title(_, found.round)),
        labelled(_, _("Study"), f"<code>{file.study}</code>"),
        labelled(_, _("Questions"), ", ".join(_question_named(_, file, index) for index in range(len(file.questions)))),
        labelled(_, _("Consensus rule"), file.consensus.rule),
        labelled(_, _("Stopping rules"), stopping_rules(_, file.stopping)),
        labelled(_, _("Opens"), when(_, file.opens)),
        labelled(_, _("Closes"), when(_, found.round.closes_at)),
        labelled(
            _,
            _("Panel as registrations stand now"),
            _.ngettext("{count} person", "{count} people", found.panel).format(count=number(_, found.panel))
            + _per_taskforce(found.per_taskforce),
        ),
    ]
    lines.append(labelled(_, _("Smallest group shown apart"), number(_, file.min_group)))
    if found.replaced:
        lines.append(_("It replaces the round loaded before under the same study and number."))
    lines.append(
        _("It is open: the invitations are on their way.")
        if found.opened
        else _("The panel is formed and invited when it opens.")
    )
    if found.unreviewed:
        before = file.round - 1
        lines.append(
            _.ngettext(
                "{count} comment of round {round} on the questions asked again is not reviewed: panellists read "
                "only the comments you show. /delphi_comments {study} {round} lists them.",
                "{count} comments of round {round} on the questions asked again are not reviewed: panellists read "
                "only the comments you show. /delphi_comments {study} {round} lists them.",
                found.unreviewed,
            ).format(count=number(_, found.unreviewed), round=before, study=file.study)
        )
    return "\n".join(lines)


def stopping_rules(_: Translate, rules: Stopping) -> str:
    """The stopping rules fixed in round 1, in words: how many rounds at most, and when a question stops."""
    most = (
        _.ngettext("at most {count} round", "at most {count} rounds", rules.max_rounds).format(count=rules.max_rounds)
        if rules.max_rounds is not None
        else _("no maximum of rounds")
    )
    stops = {
        StopWhen.CONSENSUS: _("a question stops when it reaches consensus"),
        StopWhen.STABLE: _("a question stops when its answers are stable"),
        StopWhen.EITHER: _("a question stops when it reaches consensus or its answers are stable"),
    }[rules.when]
    return f"{most}{sign(_, ';')} {stops}"


def _question_named(_: Translate, file: RoundFile, index: int) -> str:
    q = file.questions[index]
    if file.repeated(index):
        return _("{id} ({type}, asked again)").format(id=plain(q.id), type=question_type(_, q.type))
    return f"{plain(q.id)} ({question_type(_, q.type)})"


def _per_taskforce(counts: dict[str, int]) -> str:
    return " (" + ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) + ")" if counts else ""


def question_type(_: Translate, kind: QuestionType) -> str:
    return {
        QuestionType.LIKERT: _("scale"),
        QuestionType.CHOICE: _("choice"),
        QuestionType.NUMBER: _("number"),
        QuestionType.TEXT: _("text"),
    }[kind]


def problems(_: Translate, found: list[Problem]) -> str:
    lines = [_("<b>The round was not loaded.</b> Please correct the file and send it again:")]
    lines += [labelled(_, f"• <code>{shown(p.path) or _('(the file)')}</code>", problem(_, p)) for p in found]
    return fit("\n".join(lines))


def problem(_: Translate, found: Problem) -> str:
    args = found.args
    templates = {
        "file_too_large": lambda: _("the file is too large (at most {kilobytes} kB)").format(kilobytes=args[0]),
        "not_json": lambda: _("not JSON (line {line}, column {column})").format(line=args[0], column=args[1]),
        "missing": lambda: _("required"),
        "extra_forbidden": lambda: _("not a field of a round"),
        "only_for": lambda: _("only for questions of type {kind}").format(kind=f"<code>{args[0]}</code>"),
        "scale_range": lambda: _("a scale has 2 to {most} points").format(most=args[0]),
        "label_outside": lambda: _("labels are for points 1 to {scale}").format(scale=args[0]),
        "options_count": lambda: _("a choice has 2 to {most} options").format(most=args[0]),
        "options_repeat": lambda: _("two options are the same"),
        "max_not_above_min": lambda: _("must be greater than min"),
        "code_shape": lambda: _("Task Forces are codes such as B3"),
        "rule_unknown": lambda: _("one of {rules}").format(rules=RULES),
        "closes_before_opens": lambda: _("must be after opens"),
        "reminder_not_positive": lambda: _("reminders are durations before closing, such as P3D or PT6H"),
        "reminder_too_early": lambda: _("reminders come at most {days} days before closing").format(days=args[0]),
        "round_range": lambda: _("a round number from 1 to {most}").format(most=args[0]),
        "moment_range": lambda: _("outside the years 1 to 9999 once put in UTC"),
        "moment_years": lambda: _("between the years {first} and {last}").format(first=args[0], last=args[1]),
        "too_deep": lambda: _("nested more deeply than a round's file can be"),
        "number_unholdable": lambda: _("a number of at most {digits} digits, not infinite nor NaN").format(
            digits=args[0]
        ),
        "question_repeat": lambda: _("two questions have this id"),
        "rule_needs_nine": lambda: _("this consensus rule needs 9-point scales"),
        "agree_region": lambda: _(
            "the agreement region is consecutive points from one end of the scale (1 to {scale}), not all of them, "
            "such as [3, 4] on 4 points"
        ).format(scale=args[0]),
        "agree_with_rule": lambda: _(
            "this consensus rule fixes its own regions (7–9 agree, 1–3 disagree): leave <code>agree</code> out"
        ),
        "agree_needed": lambda: _(
            "{id} has {scale} points, so no midpoint: <code>percent:N</code> needs its agreement region, "
            'such as <code>"agree": [3, 4]</code> on 4 points, or the top third would mix opposite answers'
        ).format(id=shown(args[0]), scale=args[1]),
        "stopping_fixed": lambda: _(
            "the stopping rules were fixed in round 1 and cannot change: leave <code>stopping</code> out, "
            "or copy round 1's"
        ),
        "beyond_max_rounds": lambda: _.ngettext(
            "the stopping rules fixed in round 1 allow at most {most} round: the study is complete",
            "the stopping rules fixed in round 1 allow at most {most} rounds: the study is complete",
            int(args[0]),
        ).format(most=args[0]),
        "unknown_code": lambda: _("there is no Task Force {code}").format(code=shown(args[0])),
        "outside_panel": lambda: _("{code} is not in panel.taskforces").format(code=shown(args[0])),
        "no_previous": lambda: _("this study has no round {round}: load the rounds in order").format(round=args[0]),
        "previous_open": lambda: _(
            "round {round} is still open: close it (/delphi_close) or wait until it closes"
        ).format(round=args[0]),
        "asked_before": lambda: _("{id} was asked in round {round}; list it in repeat to ask it again").format(
            id=shown(args[0]), round=args[1]
        ),
        "changed": lambda: _(
            "{id} was asked in round {round} otherwise; a repeated question is asked exactly as before: "
            "copy it unchanged or list it in repeat, or give a new question a new id"
        ).format(id=shown(args[0]), round=args[1]),
        "not_in_previous": lambda: _("{id} is not a question of round {round}").format(
            id=shown(args[0]), round=args[1]
        ),
        "nothing_to_ask": lambda: _(
            "nothing to ask: every question of round {round} stopped by the stopping rules, and the file adds none"
        ).format(round=args[0]),
        "no_questions": lambda: _("a first round needs at least one question"),
        "repeat_in_first_round": lambda: _("a first round has nothing to repeat"),
        "closes_past": lambda: _("already past"),
        "string_pattern_mismatch": lambda: _("letters, digits and - only (a study: lower case, up to 40)"),
        "too_long": lambda: _("at most {most} characters in every language").format(most=args[0]),
        "min_group_range": lambda: _("a group size from {least} to {most}").format(least=args[0], most=args[1]),
        "min_group_lowered": lambda: _(
            "at least {least}, as in round {round}: a smaller group would show what was hidden before"
        ).format(least=args[0], round=args[1]),
        **_expected(_, args),
    }
    template = templates.get(found.code)
    return template() if template is not None else _("not a value this field takes")


def _expected(_: Translate, args: tuple[str, ...]) -> dict[str, Callable[[], str]]:
    """What a field takes, where pydantic found something else: its own checks, worded for the reader."""
    items = (whole_number(args[0]) or 0) if args else 0  # not str.isdigit, which takes "¹" that int refuses

    return {
        "expects_text": lambda: _("a text, in quotes"),
        "expects_whole": lambda: _("a whole number, such as 2"),
        "expects_number": lambda: _("a number, such as 12.5"),
        "expects_object": lambda: _("a group of fields, between braces"),
        "expects_list": lambda: _("a list, between square brackets"),
        "expects_moment": lambda: _("a date and time, such as 2026-12-20T18:00Z"),
        "expects_duration": lambda: _("a duration, such as P3D or PT6H"),
        "too_many": lambda: _.ngettext("at most {count} item", "at most {count} items", items).format(count=args[0]),
        "too_few": lambda: _.ngettext("at least {count} item", "at least {count} items", items).format(count=args[0]),
        "at_most": lambda: _("at most {limit}").format(limit=args[0]),
        "below": lambda: _("less than {limit}").format(limit=args[0]),
        "at_least": lambda: _("at least {limit}").format(limit=args[0]),
        "above": lambda: _("greater than {limit}").format(limit=args[0]),
        "one_of": lambda: _("one of {values}").format(values=", ".join(f"<code>{shown(v)}</code>" for v in args)),
        "english_required": lambda: _("an English text (en) is required"),
        "translation_empty": lambda: _("a translation is empty"),
    }


# ---------------------------------------------------------------- answering


def question(_: Translate, current: Step, *, heading: str = "") -> str:
    """A question as the panellist sees it: where they are, the question, how to answer."""
    q, language = current.question, _.language
    lines = [heading] if heading else []
    lines += [
        f"<i>{title(_, current.round)} · {current.position} / {current.total}</i>",
        "",
        f"<b>{plain(q.text(language))}</b>",
    ]
    if q.type is QuestionType.LIKERT:
        ends = [f"{point} = {plain(q.label(point, language))}" for point in sorted(q.labels)]
        lines.append(_("Choose from 1 to {scale}.").format(scale=q.scale) + (" " + " · ".join(ends) if ends else ""))
    elif q.type is QuestionType.NUMBER:
        lines.append(_("Type a number{range}.").format(range=number_range(_, q.min, q.max)))
    elif q.type is QuestionType.TEXT:
        lines.append(_("Type your answer (one message)."))
    if current.answer is not None:
        lines += ["", labelled(_, _("Your answer now"), answer_text(_, current.question, current.answer))]
        if q.type.typed:
            lines.append(_("Type a new answer to change it."))
    return fit("\n".join(lines))


def short(value: float) -> str:
    return f"{value:g}"


def answer_text(_: Translate, q: Question, given: Answer) -> str:
    """An answer as its panellist gave it: the point, the option, the number or the text."""
    if q.type is QuestionType.TEXT:
        return plain(given.text or "")
    value = given.value if given.value is not None else 0.0
    if q.type is QuestionType.CHOICE:
        return plain(q.options[int(value)](_.language))
    return short(value)


def question_keyboard(_: Translate, current: Step, before: Answer | None = None) -> InlineKeyboardMarkup | None:
    """The answers (✓ the one given, ↺ the previous round's); for a repeated question, one tap keeps the
    previous answer, and two buttons show the previous round by stakeholder type and as a chart."""
    q, round_id, index = current.question, current.round.id, current.index
    rows: Rows = []
    if q.type in (QuestionType.LIKERT, QuestionType.CHOICE):
        answers = [
            button(
                _mark(place, current.answer, before) + label,
                DelphiAnswer(round=round_id, question=index, point=place).pack(),
            )
            for place, label in _choices(_, current)
        ]
        width = LIKERT_ROW if q.type is QuestionType.LIKERT else 1
        rows += [answers[i : i + width] for i in range(0, len(answers), width)]
    elif current.answer is not None:  # typed, already answered: they may keep it
        rows.append([button(_("Keep it ›"), _on_question(current, "next"))])
    if current.round.file.repeated(current.index):
        if before is not None and current.answer is None:
            keep = _("Keep my answer of round {round}").format(round=current.round.file.round - 1)
            rows.append([button(keep, _on_question(current, "keep"))])
        rows.append(
            [
                button(_("By stakeholder type"), _on_question(current, "types")),
                button(_("Chart"), _on_question(current, "chart")),
            ]
        )
    return keyboard(*rows) if rows else None


def _on_question(current: Step, action: QuestionAction) -> str:
    """The data of a button acting on the question shown."""
    return DelphiQuestion(round=current.round.id, question=current.index, action=action).pack()


def _choices(_: Translate, current: Step) -> list[tuple[int, str]]:
    q = current.question
    if q.type is QuestionType.LIKERT:
        return [(point, str(point)) for point in range(1, (q.scale or 0) + 1)]
    return [(place, option(_.language)[:60]) for place, option in enumerate(q.options)]


def _mark(place: int, now: Answer | None, before: Answer | None) -> str:
    if now is not None and now.value is not None and int(now.value) == place:
        return "✓ "
    if before is not None and before.value is not None and int(before.value) == place:
        return "↺ "
    return ""


def answered(_: Translate, current: Step) -> str:
    """The question once answered: the answer, and an optional comment."""
    return "\n".join(
        [
            f"<i>{title(_, current.round)} · {current.position} / {current.total}</i>",
            "",
            f"<b>{plain(current.question.text(_.language))}</b>",
            labelled(_, _("Your answer"), answer_text(_, current.question, current.answer) if current.answer else "—"),
            "",
            _("Would you like to add a comment? Comments are shared without your name."),
        ]
    )


def comment_keyboard(_: Translate, current: Step, *, reason: bool = False) -> InlineKeyboardMarkup:
    """`reason`: the answer lies outside the group's middle half, and a reason is invited (never required)."""
    add = _("Add a reason") if reason else _("Add a comment")
    return keyboard([button(add, _on_question(current, "comment")), button(_("Skip ›"), _on_question(current, "next"))])


def ask_comment(_: Translate) -> str:
    return _("Type your comment (one message, up to 1000 characters).")


def comment_saved(_: Translate) -> str:
    return _("Comment saved.")


def all_answered(_: Translate, stored: StoredRound) -> str:
    return _(
        "That was the last question of {title}. Thank you! You can change your answers with /delphi until {closes}."
    ).format(title=title(_, stored), closes=when(_, stored.closes_at))


def invitation_heading(_: Translate, current: Step) -> str:
    """The round's first message says what it is, how many questions, until when; then comes the first question."""
    file = current.round.file
    return _.ngettext(
        "<b>Delphi study: {title}</b>\n"
        "You are on the panel of round {round}: {count} question, open until {closes}. "
        "Your answers are anonymous in everything the group sees. /delphi shows your questions at any time.",
        "<b>Delphi study: {title}</b>\n"
        "You are on the panel of round {round}: {count} questions, open until {closes}. "
        "Your answers are anonymous in everything the group sees. /delphi shows your questions at any time.",
        current.total,
    ).format(
        title=plain(file.title(_.language)),
        round=file.round,
        count=current.total,
        closes=when(_, current.round.closes_at),
    )


def reminder(_: Translate, stored: StoredRound, left: int) -> str:
    return _.ngettext(
        "Reminder: {title} closes on {closes}, and {count} of your questions is not answered yet.",
        "Reminder: {title} closes on {closes}, and {count} of your questions are not answered yet.",
        left,
    ).format(title=title(_, stored), closes=when(_, stored.closes_at), count=left)


def continue_keyboard(_: Translate, round_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(_("Continue ›"), DelphiContinue(round=round_id).pack())])


def my_rounds(_: Translate, found: list[tuple[StoredRound, list[int], dict[int, Answer]]]) -> str:
    if not found:
        return _("You have no Delphi round open. When a round you are on the panel of opens, I will write to you.")
    lines = [_("<b>Your Delphi rounds</b>")]
    for stored, asked, answers in found:
        lines += [
            "",
            f"<b>{title(_, stored)}</b>",
            _.ngettext(
                "{answered} of {total} answered · open until {closes}",
                "{answered} of {total} answered · open until {closes}",
                len(asked),
            ).format(answered=len(answers), total=len(asked), closes=when(_, stored.closes_at)),
        ]
        for index in asked:
            q = stored.file.questions[index]
            mark = "✓" if index in answers else "○"
            lines.append(f"{mark} {plain(q.text(_.language)[:80])}")  # cut before escaping: never half an entity
    lines += ["", _("Press a question to answer it or change your answer.")]
    return fit("\n".join(lines))


def my_rounds_keyboard(
    _: Translate, found: list[tuple[StoredRound, list[int], dict[int, Answer]]]
) -> InlineKeyboardMarkup | None:
    rows: Rows = []
    for stored, asked, answers in found:
        for position, index in enumerate(asked, start=1):
            q = stored.file.questions[index]
            mark = "✓ " if index in answers else ""
            label = f"{mark}{position}. {q.text(_.language)}"
            rows.append([button(label[:60], DelphiQuestion(round=stored.id, question=index, action="open").pack())])
    return keyboard(*rows) if rows else None


# ---------------------------------------------------------------- publishing on the public site


def published(_: Translate, found: PublishedRound, public: bool) -> str:
    """What /delphi_publish and /delphi_unpublish did, and where it shows."""
    named = title(_, found.round)
    if not public:
        return _("{named} is no longer on the public site.").format(named=named)
    return _(
        "{named} is published: its figures show on the public pages of the Task Forces {codes}, groups of fewer than "
        "{least} panellists merged. Answers typed as text and comments are never shown."
    ).format(named=named, codes=", ".join(found.taskforces) or "—", least=number(_, found.round.file.min_group))


# ---------------------------------------------------------------- the feature's commands and refusals


def delphi_commands(_: Translate) -> list[CommandText]:
    """A panellist's /delphi, and the Secretariat's commands that run a study."""
    admins = CommandAudience.ADMINS
    return [
        CommandText(
            "delphi",
            CommandAudience.EVERYONE,
            _("Your Delphi questions"),
            _("/delphi · your Delphi study questions: answer them, or change an answer"),
        ),
        CommandText(
            "delphi_load",
            admins,
            _("Load a Delphi round (reply to its JSON file)"),
            _("/delphi_load · Delphi study: send me a round's JSON file to load it"),
        ),
        CommandText(
            "delphi_status",
            admins,
            _("Response rates of open Delphi rounds"),
            _("/delphi_status [study] · response rates"),
        ),
        CommandText(
            "delphi_results",
            admins,
            _("Results of a Delphi round"),
            _("/delphi_results study [round] · results, CSV and charts"),
        ),
        CommandText(
            "delphi_comments",
            admins,
            _("Review a Delphi round's comments"),
            _("/delphi_comments study [round] · show or hide each comment before the next round reads it"),
        ),
        CommandText(
            "delphi_publish",
            admins,
            _("Publish a Delphi round's figures"),
            _("/delphi_publish study round · its figures on the public site (/delphi_unpublish takes them off)"),
        ),
        CommandText(
            "delphi_unpublish",
            admins,
            _("Take a Delphi round off the public site"),
            _("/delphi_unpublish study round · take its figures off the public site"),
        ),
        CommandText("delphi_close", admins, _("Close a Delphi round now"), _("/delphi_close study · close now")),
        CommandText(
            "delphi_extend",
            admins,
            _("Move a Delphi round's closing time"),
            _("/delphi_extend study TIME · move the closing time"),
        ),
    ]


def delphi_refusals(_: Translate) -> dict[str, str]:
    """The rules of a study and of its rounds saying no, to an admin or to a panellist."""
    return {
        "round_exists": _("Round {round} of {study} has opened already: it can no longer be replaced."),
        "round_closed": _("This round closed on {at}; answers are no longer taken. Thank you for taking part."),
        "no_study": _("There is no Delphi study {study}."),
        "round_closed_already": _("Round {round} of {study} is closed already."),
        "round_not_open": _("{study} has not opened yet; load its file again to change it."),
        "closes_too_soon": _("The new closing time must be later than now and than the opening."),
        "delphi_usage": _(
            "Write /delphi_close &lt;study&gt;, /delphi_extend &lt;study&gt; &lt;time, e.g. 2026-12-20T18:00Z&gt;, "
            "/delphi_results &lt;study&gt; [round] or /delphi_comments &lt;study&gt; [round]."
        ),
        "bad_moment": _("That is not a time I can read: write it like 2026-12-20T18:00Z."),
        "moment_range": _(
            "That time falls outside the years 1 to 9999 once put in UTC. Please write a time like 2026-12-20T18:00Z."
        ),
        "bad_round": _("{given} is not a round number: write it in digits, like 2."),
        "round_still_open": _("Round {round} of {study} is still open: its figures can be published once it closes."),
        "publish_usage": _(
            "Write /delphi_publish &lt;study&gt; &lt;round&gt; or /delphi_unpublish &lt;study&gt; &lt;round&gt;."
        ),
        "no_round": _("{study} has no round {round}."),
        "comments_not_closed": _(
            "Round {round} of {study} is still open: its comments can be reviewed once it closes, "
            "when they can no longer change."
        ),
        "number_expected": _("That is not a number I can read. Please type a number{range}."),
        "number_outside": _("That number is out of range. Please type a number{range}."),
    }
