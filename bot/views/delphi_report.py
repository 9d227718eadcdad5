"""The Delphi study's report, a PDF the Secretariat can circulate, in the requester's language.

It holds what the reporting guidelines for Delphi studies ask that the bot can know (CREDES,
Jünger et al. 2017; ACCORD, Gattrell et al. 2024): the study's title, each round's dates, the
consensus rule fixed in advance with its definition, the scale's cut and the percentile definition,
who was eligible and who the panel were, participation, each question and option in full, every
round's results with the verdict, what panellists were fed back, how the questions went from round
to round, stability, and charts whose axes are shared across rounds. Each part is one function
below, called in the order it is read, so that a part the bot learns more about changes in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.delphi_models import Question, QuestionType, RoundFile
from bot.i18n import Translate
from bot.models import Catalogue
from bot.services.consensus import third
from bot.services.delphi_report import MIN_GROUP, Groups, Report, ReportRound
from bot.services.delphi_results import Part, QuestionResult
from bot.views.delphi import question_type
from bot.views.delphi_charts import categories, drawable, pixels, rounds_figure
from bot.views.delphi_results import (
    anonymous,
    decimal,
    figures_line,
    percent,
    round_step,
    stability_parts,
    verdict_words,
)
from bot.views.words import labelled, number, number_range, sign, when

if TYPE_CHECKING:
    from bot.views.pdf import Document

# Table columns, mm (the text of an A4 page is 180 wide).
ROUNDS_COLUMNS = (16, 46, 46, 24, 48)
PARTICIPATION_COLUMNS = (30, 50, 100)
RESULTS_COLUMNS = (62, 24, 62, 32)


def report_pdf(_: Translate, found: Report, catalogue: Catalogue, now: datetime) -> bytes:
    """The study's report; `now` is when it is made, said on its first page. fpdf2 is imported here, when a report
    is made, not when the bot starts."""
    from bot.views.pdf import Document

    doc = Document(_title(_, found), _.language)
    _cover(_, doc, found, now)
    _method(_, doc, found)
    _panel(_, doc, found, catalogue)
    _participation(_, doc, found)
    _questions(_, doc, found, catalogue)
    _results(_, doc, found)
    _feedback(_, doc, found)
    _round_to_round(_, doc, found)
    _stability(_, doc, found)
    _charts(_, doc, found)
    return doc.finished()


def caption(_: Translate) -> str:
    return _(
        "The study's report, to circulate: method, panel, every question in full, each round's results and "
        "verdicts, the feedback, the changes between rounds and the charts. It names nobody."
    )


def _title(_: Translate, found: Report) -> str:
    return found.rounds[-1].results.round.file.title(_.language)


def _lead(_: Translate, doc: Document, label: str, text: str) -> None:
    doc.lead(labelled(_, label, ""), text)


def together(text: str) -> str:
    """A short value kept on one line: "3 (43 %)" never leaves its "%" alone on the next."""
    return text.replace(" ", "\u00a0")


def _list(_: Translate, items: list[str]) -> str:
    return ", ".join(items) if items else _("none")


# ---------------------------------------------------------------- the study and its rounds


def _cover(_: Translate, doc: Document, found: Report, now: datetime) -> None:
    doc.heading(_title(_, found))
    doc.paragraph(
        _.ngettext(
            "Delphi study, {count} round. Report made on {moment} from the round's file and the answers stored then.",
            "Delphi study, {count} rounds. Report made on {moment} from the rounds' files and the answers stored then.",
            len(found.rounds),
        ).format(count=number(_, len(found.rounds)), moment=when(_, now))
    )
    doc.heading(_("Rounds"), 2)
    header = [_("Round"), _("Opened"), _("Closed"), _("Panel"), _("Consensus rule")]
    doc.rows([header, *(_round_row(_, item) for item in found.rounds)], ROUNDS_COLUMNS)


def _round_row(_: Translate, item: ReportRound) -> list[str]:
    stored = item.results.round
    opened = (
        when(_, stored.opened_at)
        if stored.opened_at is not None
        else _("Not open yet: it opens on {opens}.").format(opens=when(_, stored.file.opens))
    )
    if stored.closed_at is not None:
        closed = when(_, stored.closed_at)
    elif stored.opened_at is not None:
        closed = _("Open until {closes}").format(closes=when(_, stored.closes_at))
    else:
        closed = labelled(_, _("Closes"), when(_, stored.closes_at))
    panel = number(_, item.composition.panel) if stored.opened_at is not None else "—"
    return [str(stored.file.round), opened, closed, panel, stored.file.consensus.rule]


# ---------------------------------------------------------------- how consensus was judged


def _method(_: Translate, doc: Document, found: Report) -> None:
    doc.heading(_("Method"), 2)
    files = [item.results.round.file for item in found.rounds]
    doc.paragraph(
        _(
            "Each round's consensus rule was set in its file, loaded before the round opened; "
            "once a round is open its file no longer changes."
        )
    )
    for rule in dict.fromkeys(file.consensus.rule for file in files):
        rounds = [str(file.round) for file in files if file.consensus.rule == rule]
        label = _.ngettext("{rule}, round {rounds}", "{rule}, rounds {rounds}", len(rounds))
        label = label.format(rule=rule, rounds=", ".join(rounds))
        _lead(_, doc, label, rule_definition(_, rule))
    doc.paragraph(
        _("The rules judge scales (and numbers, for the iqr rule); choices and open texts are counted, not judged.")
    )
    _scale_cut(_, doc, files)
    _lead(
        _,
        doc,
        _("Percentiles"),
        _(
            "the median, the quartiles and the 30th and 70th percentiles follow Hyndman and Fan's definition 7: "
            "rank (n − 1) × p, interpolated linearly between the closest ranks (R's and numpy's default, Excel's "
            "PERCENTILE.INC). The interquartile range (IQR) is Q3 − Q1."
        ),
    )
    _stopping(_, doc)
    _lead(
        _,
        doc,
        _("Anonymity"),
        _(
            "panellists answer the bot privately and the Secretariat sees pseudonyms only. This report names "
            "nobody: in the panel's make-up, groups of fewer than {minimum} panellists are counted together "
            "as other."
        ).format(minimum=number(_, MIN_GROUP)),
    )


def rule_definition(_: Translate, rule: str) -> str:
    """A consensus rule as `services/consensus.py` applies it, in words."""
    name, _colon, threshold = rule.partition(":")
    if name == "percent":
        return _("consensus when at least {share} of the answers are in the top third of the scale.").format(
            share=percent(_, float(threshold), 100)
        )
    if name == "iqr":
        return _("consensus when the interquartile range (Q3 − Q1) is at most {limit}.").format(
            limit=decimal(_, float(threshold))
        )
    if name == "rand-ucla":
        return _(
            "the RAND/UCLA appropriateness method (Fitch et al. 2001): a median of 7 to 9 is appropriate, 1 to 3 "
            "inappropriate, anything between uncertain; there is disagreement when the range between the 30th "
            "and 70th percentiles (IPR) exceeds 2.35 + 1.5 × |5 − its central point| (IPRAS), and a question "
            "with disagreement is uncertain."
        )
    return _(
        "consensus in when at least 70 % of the answers are in the top third of the scale (7–9) and under 15 % "
        "in the bottom third (1–3); consensus out in the mirror image; otherwise no consensus (COMET Handbook)."
    )


def bands(scale: int) -> list[str]:
    """A scale's thirds as `consensus.third` cuts it: ["1–3", "4–6", "7–9"] on 9 points, "—" for an empty one."""
    members = [[point for point in range(1, scale + 1) if third(point, scale) == band] for band in range(3)]
    return [
        f"{points[0]}–{points[-1]}" if len(points) > 1 else (str(points[0]) if points else "—") for points in members
    ]


def _scale_cut(_: Translate, doc: Document, files: list[RoundFile]) -> None:
    """Where the agreement regions of scales without a midpoint (issue 22) will be said, when files set them."""
    scales = sorted({q.scale for file in files for q in file.questions if q.scale is not None})
    if not scales:
        return
    cuts = f"{sign(_, ';')} ".join(
        _("{points} points: {bands}").format(points=scale, bands=together(" | ".join(bands(scale)))) for scale in scales
    )
    _lead(
        _,
        doc,
        _("Scales"),
        _("each scale is cut in thirds by position, the same on both sides: {cuts}.").format(cuts=cuts),
    )


def _stopping(_: Translate, doc: Document) -> None:
    """Where the stopping rules fixed in the study file (issue 22) will be said, when files set them."""
    _lead(
        _,
        doc,
        _("Stopping"),
        _(
            "the study's files set no stopping rule: the Secretariat loads each later round, which by default asks "
            "again the questions its rule judged without consensus."
        ),
    )


# ---------------------------------------------------------------- who was asked


def _panel(_: Translate, doc: Document, found: Report, catalogue: Catalogue) -> None:
    doc.heading(_("Panel"), 2)
    for item in found.rounds:
        stored = item.results.round
        doc.heading(_("Round {round}").format(round=stored.file.round), 3)
        _lead(_, doc, _("Eligible"), eligibility(_, stored.file, catalogue))
        if stored.opened_at is None:
            doc.paragraph(_("The panel is formed when the round opens."))
            continue
        composition = item.composition
        invited = _.ngettext("{count} panellist", "{count} panellists", composition.panel)
        _lead(_, doc, _("Invited"), invited.format(count=number(_, composition.panel)))
        _lead(_, doc, _("By stakeholder type"), _groups(_, composition.by_type, catalogue))
        _lead(_, doc, _("By region"), _groups(_, composition.by_region, catalogue))


def eligibility(_: Translate, file: RoundFile, catalogue: Catalogue) -> str:
    """Who the round's file puts on the panel (`storage.delphi.open_round`), in words."""
    previous = _("the panel of round {round}, everyone invited again whether they answered or not").format(
        round=file.round - 1
    )
    if file.panel is None:
        return previous + "."
    codes = [_task_force(code, catalogue, _.language) for code in file.panel.taskforces]
    who = (
        _("members of {taskforces}").format(taskforces=", ".join(codes)) if codes else _("members of every Task Force")
    )
    cutoff = file.panel.registered_before
    added = (
        _("{who} (active or awaiting approval) who registered before {moment}").format(who=who, moment=when(_, cutoff))
        if cutoff is not None
        else _("{who} (active or awaiting approval), whenever they registered").format(who=who)
    )
    if file.round == 1:
        return added + "."
    return f"{previous}{sign(_, ';')} " + _("and {who}").format(who=added) + "."


def _task_force(code: str, catalogue: Catalogue, language: str) -> str:
    objective = catalogue.objective(code)
    return f"{code} {objective.title(language)}" if objective is not None else code


def _groups(_: Translate, found: Groups, catalogue: Catalogue) -> str:
    unstated, other = _("not stated"), _("other")
    named = [f"{catalogue.label_of(name, _.language) or unstated} {number(_, count)}" for name, count in found.shown]
    if found.other:
        named.append(f"{other} {number(_, found.other)}")
    return _list(_, named)


def _participation(_: Translate, doc: Document, found: Report) -> None:
    """Where the participation flow (invited, answered one, answered all, dropped; per group) will be shown."""
    doc.heading(_("Participation"), 2)
    header = [_("Round"), _("Invited"), _("Answered every question asked")]
    rows = [header]
    for item in found.rounds:
        composition, stored = item.composition, item.results.round
        if stored.opened_at is None:
            rows.append([str(stored.file.round), "—", "—"])
            continue
        share = percent(_, composition.complete, composition.panel)
        complete = together(f"{number(_, composition.complete)} ({share})")
        rows.append([str(stored.file.round), number(_, composition.panel), complete])
    doc.rows(rows, PARTICIPATION_COLUMNS)
    doc.paragraph(_("Each question's answers against the panellists asked it are in the results."))


# ---------------------------------------------------------------- what was asked


def _questions(_: Translate, doc: Document, found: Report, catalogue: Catalogue) -> None:
    doc.heading(_("Questions"), 2)
    for question_id, asked in _asked_in(found).items():
        question = asked[0][1].question
        kind = question_type(_, question.type)
        rounds = ", ".join(str(item.results.round.file.round) for item, _result in asked)
        heading = _.ngettext(
            "{id} ({type}), asked in round {rounds}", "{id} ({type}), asked in rounds {rounds}", len(asked)
        )
        doc.heading(heading.format(id=question_id, type=kind, rounds=rounds), 3)
        doc.paragraph(question.text(_.language))
        _answered_how(_, doc, question)
        if question.taskforces:
            codes = ", ".join(_task_force(code, catalogue, _.language) for code in question.taskforces)
            _lead(_, doc, _("Asked only of"), _("members of {taskforces}").format(taskforces=codes))


def _asked_in(found: Report) -> dict[str, list[tuple[ReportRound, QuestionResult]]]:
    """Each question id, in the order first asked, with the rounds that asked it and its result in each."""
    asked: dict[str, list[tuple[ReportRound, QuestionResult]]] = {}
    for item in found.rounds:
        for result in item.results.questions:
            asked.setdefault(result.question.id, []).append((item, result))
    return asked


def _answered_how(_: Translate, doc: Document, question: Question) -> None:
    if question.type is QuestionType.CHOICE:
        doc.paragraph(labelled(_, _("Options"), ""), style="B")
        for option in question.options:
            doc.paragraph(f"– {option(_.language)}")
    elif question.type is QuestionType.LIKERT:
        ends = [f"{point} = {question.label(point, _.language)}" for point in sorted(question.labels)]
        scale = _("from 1 to {points}").format(points=question.scale)
        _lead(_, doc, _("Scale"), scale + (f" ({', '.join(ends)})" if ends else ""))
    elif question.type is QuestionType.NUMBER:
        _lead(_, doc, _("Answer"), _("a number{range}").format(range=number_range(_, question.min, question.max)))
    else:
        _lead(_, doc, _("Answer"), _("a text"))


# ---------------------------------------------------------------- what was answered


def _results(_: Translate, doc: Document, found: Report) -> None:
    doc.heading(_("Results"), 2)
    header = [_("Question"), _("Answers"), _("Figures"), _("Verdict")]
    for item in found.rounds:
        stored = item.results.round
        heading = _("Round {round}").format(round=stored.file.round)
        doc.heading(labelled(_, heading, _("rule {rule}").format(rule=stored.file.consensus.rule)), 3)
        rule = stored.file.consensus.rule
        rows = [header] + [_result_row(_, rule, result) for result in item.results.questions]
        doc.rows(rows, RESULTS_COLUMNS)


def _result_row(_: Translate, rule: str, result: QuestionResult) -> list[str]:
    whole, question = result.whole, result.question
    share = together(percent(_, whole.count, result.asked))
    answers = f"{number(_, whole.count)} / {number(_, result.asked)}\n{share}"
    named = f"{question.id}. {question.text(_.language)}"
    return [named, answers, figures_said(_, question, whole) or "—", verdict_words(_, rule, whole) or "—"]


def figures_said(_: Translate, question: Question, part: Part) -> str:
    """A part's figures in full: the median and spread, a scale's thirds, a choice's every option."""
    if not part.count:
        return ""
    if question.type is QuestionType.CHOICE:
        return "\n".join(
            labelled(_, option(_.language), together(f"{number(_, count)} ({percent(_, count, part.count)})"))
            for option, count in zip(question.options, part.counts, strict=True)
        )
    lines = [figures_line(_, part)] if part.figures is not None else []
    if part.bands is not None and question.scale is not None:
        lines += [
            labelled(_, band, together(percent(_, share, 1)))
            for band, share in zip(bands(question.scale), part.bands, strict=True)
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- between rounds


def _feedback(_: Translate, doc: Document, found: Report) -> None:
    """Where the comments the Secretariat reviewed (issue 22) will be the ones shown, once reviewed."""
    doc.heading(_("Feedback before a question asked again"), 2)
    later = [item for item in found.rounds if item.fed_back]
    if not later:
        doc.paragraph(_("No question was asked again: nothing was fed back."))
        return
    doc.paragraph(
        _(
            "Before each question asked again, every panellist read the group's result in the previous round and "
            "up to three anonymous comments chosen to hear different positions, then their own previous answer "
            "(not shown here)."
        )
    )
    for item in later:
        doc.heading(_("Round {round}").format(round=item.results.round.file.round), 3)
        for question_id, said in item.fed_back.items():
            result = said.result
            shown = _("round {round}, n = {count}").format(round=said.round, count=number(_, result.whole.count))
            _lead(_, doc, question_id, shown)
            if result.whole.count:
                doc.paragraph(_distribution(_, result))
            spread = result.whole.figures
            if spread is not None:
                doc.paragraph(
                    _("Median {median} · interquartile range {q1}–{q3} (the middle half of the answers)").format(
                        median=decimal(_, spread.median), q1=decimal(_, spread.q1), q3=decimal(_, spread.q3)
                    )
                )
            for comment in said.comments:
                doc.paragraph(anonymous(_, comment))


def _distribution(_: Translate, result: QuestionResult) -> str:
    """How many gave each point or option, every label whole."""
    named = categories(_, result.question)
    return " · ".join(
        labelled(_, label, number(_, count)) for label, count in zip(named, result.whole.counts, strict=True)
    )


def _round_to_round(_: Translate, doc: Document, found: Report) -> None:
    """Where the stopping rules (issue 22) will say why each question stops or goes on."""
    doc.heading(_("Questions from round to round"), 2)
    if len(found.rounds) == 1:
        doc.paragraph(_("The study has one round so far."))
        return
    for before, after in zip(found.rounds, found.rounds[1:], strict=False):
        changed = after.changes
        if changed is None:
            continue
        heading = _("Round {before} → round {after}").format(
            before=before.results.round.file.round, after=after.results.round.file.round
        )
        doc.heading(heading, 3)
        _lead(_, doc, _("Asked again"), _list(_, [_said_before(_, before, q) for q in changed.repeated]))
        _lead(_, doc, _("New"), _list(_, changed.added))
        _lead(_, doc, _("Not asked again"), _list(_, [_said_before(_, before, q) for q in changed.dropped]))


def _said_before(_: Translate, before: ReportRound, question_id: str) -> str:
    """ "q1 (no consensus in round 1)": a question with its verdict in the round before, when it had one."""
    stored = before.results.round
    index = stored.file.index_of(question_id)
    part = before.results.questions[index].whole if index is not None else None
    words = verdict_words(_, stored.file.consensus.rule, part) if part is not None else ""
    if not words:
        return question_id
    return _("{id} ({verdict} in round {round})").format(id=question_id, verdict=words, round=stored.file.round)


def _stability(_: Translate, doc: Document, found: Report) -> None:
    """Where stability on the panellists who answered both rounds, for each pair of rounds (issue 22), will be."""
    doc.heading(_("Stability"), 2)
    if not found.stability:
        doc.paragraph(_("Stability needs a question asked in two rounds."))
        return
    before, after = found.rounds[-2].results.round.file.round, found.rounds[-1].results.round.file.round
    doc.heading(_("Round {before} → round {after}").format(before=before, after=after), 3)
    doc.paragraph(
        _(
            "Stable: no band's share of the answers moved 15 percentage points or more; bands are the thirds of a "
            "scale, the options of a choice, and a number's quartile bands in the earlier round."
        )
    )
    for item in found.stability:
        _lead(_, doc, item.question.id, f"{sign(_, ';')} ".join(stability_parts(_, item)))


# ---------------------------------------------------------------- pictures


def _charts(_: Translate, doc: Document, found: Report) -> None:
    drawn = {
        question_id: [(item, result) for item, result in asked if drawable(result)]
        for question_id, asked in _asked_in(found).items()
    }
    drawn = {question_id: asked for question_id, asked in drawn.items() if asked}
    if not drawn:
        return
    doc.heading(_("Charts"), 2)
    doc.paragraph(
        _(
            "A question's rounds share their axes: each bar is the share of that round's answers; on a scale, "
            "the dashed line is the median."
        )
    )
    for question_id, asked in drawn.items():
        heading = f"{question_id}. {asked[0][1].question.text(_.language)}"
        figure = rounds_figure(_, [(_panel_heading(_, item, result), result) for item, result in asked])
        doc.picture(pixels(figure), figure.get_figheight() / figure.get_figwidth(), heading)


def _panel_heading(_: Translate, item: ReportRound, result: QuestionResult) -> str:
    """The round's figures and verdict, and how many answered (which the figures of a choice already say)."""
    step = round_step(_, item.results.round, result)
    if result.whole.figures is None:
        return step
    return f"{step} · " + _("n = {count}").format(count=number(_, result.whole.count))
