"""The Delphi study's report, a PDF the Secretariat can circulate, in the requester's language.

It holds what the reporting guidelines for Delphi studies ask that the bot can know (CREDES,
Jünger et al. 2017; ACCORD, Gattrell et al. 2024): the study's title, each round's dates, the
consensus rule and the stopping rules fixed in advance with their definitions, each scale's cut and
the percentile definition, who was eligible and who the panel were, the participation flow, each
question and option in full, every round's results with the verdict, what panellists were fed back,
how the questions went from round to round and what the stopping rules said of each, the paired
stability of each pair of rounds, and charts whose axes are shared across rounds. Each part is one
function below, called in the order it is read. Wherever `/delphi_results` says the same thing, its
view's words are used (the flow, the bands' shares, the stability figures, the stops, the study
complete), so that the report and the messages never tell two stories.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.delphi_models import Question, QuestionType, RoundFile
from bot.i18n import Translate
from bot.models import Catalogue
from bot.services.consensus import band_points
from bot.services.delphi_report import Report, ReportRound
from bot.services.delphi_results import Flow, Part, Participation, QuestionResult
from bot.views.delphi import question_type, stopping_rules
from bot.views.delphi_charts import categories, drawable, pixels, rounds_figure
from bot.views.delphi_results import (
    anonymous,
    band_shares,
    completion_said,
    decimal,
    figures_line,
    flow_figures,
    group_name,
    none_apart,
    percent,
    round_step,
    span,
    stability_parts,
    stability_rule,
    stop_words,
    verdict_words,
)
from bot.views.words import labelled, number, number_range, sign, when

if TYPE_CHECKING:
    from bot.views.pdf import Document

# Table columns, mm (the text of an A4 page is 180 wide).
ROUNDS_COLUMNS = (16, 46, 46, 24, 48)
GROUP_COLUMN = 52  # the participation table's first column; its figures share the rest
RESULTS_COLUMNS = (62, 24, 62, 32)


def report_pdf(_: Translate, found: Report, catalogue: Catalogue, now: datetime) -> bytes:
    """The study's report; `now` is when it is made, said on its first page. fpdf2 is imported here, when a report
    is made, not when the bot starts."""
    from bot.views.pdf import Document

    doc = Document(_, _title(_, found))
    _cover(_, doc, found, now)
    _method(_, doc, found)
    _panel(_, doc, found, catalogue)
    _participation(_, doc, found, catalogue)
    _questions(_, doc, found, catalogue)
    _results(_, doc, found)
    _feedback(_, doc, found)
    _round_to_round(_, doc, found)
    _stability(_, doc, found)
    _charts(_, doc, found)
    return doc.finished()


def caption(_: Translate) -> str:
    return _(
        "The study's report, to circulate: method and stopping rules, panel and participation, every question in "
        "full, each round's results and verdicts, the feedback, the changes and stability between rounds and the "
        "charts. It names nobody."
    )


def _title(_: Translate, found: Report) -> str:
    return found.rounds[-1].results.round.file.title(_.language)


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
    panel = number(_, item.participation.total.invited) if item.participation is not None else "—"
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
        doc.lead(label, rule_definition(_, rule))
    doc.paragraph(
        _("The rules judge scales (and numbers, for the iqr rule); choices and open texts are counted, not judged.")
    )
    _scale_cut(_, doc, files)
    doc.lead(
        _("Percentiles"),
        _(
            "the median, the quartiles and the 30th and 70th percentiles follow Hyndman and Fan's definition 7: "
            "rank (n − 1) × p, interpolated linearly between the closest ranks (R's and numpy's default, Excel's "
            "PERCENTILE.INC). The interquartile range (IQR) is Q3 − Q1."
        ),
    )
    _stopping(_, doc, files[0])
    anonymity = _.ngettext(
        "panellists answer the bot privately and the Secretariat sees pseudonyms only. This report names nobody: "
        "in the panel's make-up and its participation, a group of fewer than {least} panellist is merged into "
        "Other groups, joined by the next smallest groups until they reach {least}; when no group reaches it, no "
        "split is shown. Comments reach the next round's panel only once the Secretariat has shown them.",
        "panellists answer the bot privately and the Secretariat sees pseudonyms only. This report names nobody: "
        "in the panel's make-up and its participation, a group of fewer than {least} panellists is merged into "
        "Other groups, joined by the next smallest groups until they reach {least}; when no group reaches it, no "
        "split is shown. Comments reach the next round's panel only once the Secretariat has shown them.",
        found.least,
    )
    doc.lead(_("Anonymity"), anonymity.format(least=number(_, found.least)))


def rule_definition(_: Translate, rule: str) -> str:
    """A consensus rule as `services/consensus.py` applies it, in words."""
    name, _colon, threshold = rule.partition(":")
    if name == "percent":
        return _(
            "consensus when at least {share} of the answers are in the scale's agreement region: the one its "
            "question names, else its top third (see Scales)."
        ).format(share=percent(_, float(threshold), 100))
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


def _scale_cut(_: Translate, doc: Document, files: list[RoundFile]) -> None:
    """Each scale's bands as `consensus.band_points` cuts it: by size, and apart for the questions that name their
    agreement region."""
    cuts: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for file in files:
        for question in file.questions:
            if question.scale is not None:
                named = cuts.setdefault((question.scale, question.agree), [])
                named += [question.id] if question.agree and question.id not in named else []
    if not cuts:
        return
    said = []
    for (scale, agree), ids in sorted(cuts.items()):
        bands = together(" | ".join(span(points) for points in sorted(filter(None, band_points(scale, agree)))))
        if agree:
            cut = _("{points} points, agreement region {region} ({questions}): {bands}").format(
                points=scale, region=span(list(agree)), questions=", ".join(ids), bands=bands
            )
        else:
            cut = _("{points} points: {bands}").format(points=scale, bands=bands)
        said.append(cut)
    doc.lead(
        _("Scales"),
        _(
            "a scale with a midpoint (an odd number of points) is cut in thirds by position, the same on both "
            "sides, and one without in halves; a question that names its agreement region has that region, its "
            "mirror image and what lies between. The shares, the rules that count a region and stability read "
            "these bands: {cuts}."
        ).format(cuts=f"{sign(_, ';')} ".join(said)),
    )


def _stopping(_: Translate, doc: Document, first: RoundFile) -> None:
    """The stopping rules as round 1's file fixed them (a later round's file may not change them)."""
    doc.lead(
        _("Stopping rules"),
        _(
            "{rules}, fixed in round 1's file before it opened and the same in every later round. After each "
            "round they say of each question whether it stops, and why; by default the next round asks again "
            "the questions that go on, and only those. The study is complete at its last round, or when no "
            "question goes on."
        ).format(rules=stopping_rules(_, first.stopping)),
    )


# ---------------------------------------------------------------- who was asked


def _panel(_: Translate, doc: Document, found: Report, catalogue: Catalogue) -> None:
    doc.heading(_("Panel"), 2)
    for item in found.rounds:
        stored = item.results.round
        doc.heading(_("Round {round}").format(round=stored.file.round), 3)
        doc.lead(_("Eligible"), eligibility(_, stored.file, catalogue))
        flow = item.participation
        if flow is None:
            doc.paragraph(_("The panel is formed when the round opens."))
            continue
        invited = _.ngettext("{count} panellist", "{count} panellists", flow.total.invited)
        doc.lead(_("Invited"), invited.format(count=number(_, flow.total.invited)))
        doc.lead(_("By stakeholder type"), _made_up(_, flow.by_type, flow.least, catalogue))
        doc.lead(_("By region"), _made_up(_, flow.by_region, flow.least, catalogue))


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


def _made_up(_: Translate, groups: dict[str, Flow], least: int, catalogue: Catalogue) -> str:
    """The panellists invited per group, groups merged as in the participation flow."""
    named = [f"{group_name(_, name, catalogue)} {number(_, flow.invited)}" for name, flow in groups.items()]
    return ", ".join(named) if named else none_apart(_, least, answers=False)


def _participation(_: Translate, doc: Document, found: Report, catalogue: Catalogue) -> None:
    """Each round's participation flow, in all and by group, as `/delphi_status` and `/delphi_results` count it."""
    doc.heading(_("Participation"), 2)
    doc.paragraph(
        _(
            "Invited: the round's panel. Could not be reached: their invitation failed, as they had blocked the "
            "bot or deleted their account. Answered all: every question they were asked. Dropped: answered the "
            "round before, nothing in this one. By group, in panellists, groups merged as in the panel's make-up."
        )
    )
    for item in found.rounds:
        doc.heading(_("Round {round}").format(round=item.results.round.file.round), 3)
        if item.participation is None:
            doc.paragraph(_("The panel is formed when the round opens."))
            continue
        rows = _flow_rows(_, item.participation, catalogue)
        figures = len(rows[0]) - 1
        doc.rows(rows, (GROUP_COLUMN, *[(doc.epw - GROUP_COLUMN) / figures] * figures))


def _flow_rows(_: Translate, flow: Participation, catalogue: Catalogue) -> list[list[str]]:
    """The flow as a table: its heading, all the panel, then each split's groups (or why it shows none)."""
    header = [
        _("Panellists"),
        _("Invited"),
        _("Could not be reached"),
        _("Answered at least one question"),
        _("Answered all"),
    ]
    if flow.previous is not None:
        header.append(_("Dropped since round {round}").format(round=flow.previous))
    blank = [""] * (len(header) - 1)
    rows = [header, [_("Total"), *flow_figures(_, flow.total, flow.previous)]]
    for title, groups in ((_("By stakeholder type:"), flow.by_type), (_("By region:"), flow.by_region)):
        rows.append([title, *blank])
        rows += [
            [f"· {group_name(_, name, catalogue)}", *flow_figures(_, figures, flow.previous)]
            for name, figures in groups.items()
        ] or [[f"· {none_apart(_, flow.least, answers=False)}", *blank]]
    return rows


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
            doc.lead(_("Asked only of"), _("members of {taskforces}").format(taskforces=codes))


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
        doc.lead(_("Scale"), scale + (f" ({', '.join(ends)})" if ends else ""))
    elif question.type is QuestionType.NUMBER:
        doc.lead(_("Answer"), _("a number{range}").format(range=number_range(_, question.min, question.max)))
    else:
        doc.lead(_("Answer"), _("a text"))


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
    """A part's figures in full: the median and spread, a scale's bands, a choice's every option."""
    if not part.count:
        return ""
    if question.type is QuestionType.CHOICE:
        return "\n".join(
            labelled(_, option(_.language), together(f"{number(_, count)} ({percent(_, count, part.count)})"))
            for option, count in zip(question.options, part.counts, strict=True)
        )
    lines = [figures_line(_, part)] if part.figures is not None else []
    if part.bands is not None:
        lines.append(labelled(_, _("Shares"), " · ".join(map(together, band_shares(_, question, part.bands)))))
    return "\n".join(lines)


# ---------------------------------------------------------------- between rounds


def _feedback(_: Translate, doc: Document, found: Report) -> None:
    """What every panellist read alike before a question asked again: the comments are those the Secretariat
    showed, picked as the panellists' feedback picks them."""
    doc.heading(_("Feedback before a question asked again"), 2)
    later = [item for item in found.rounds if item.fed_back]
    if not later:
        doc.paragraph(_("No question was asked again: nothing was fed back."))
        return
    doc.paragraph(
        _(
            "Before each question asked again, every panellist read the group's result in the previous round, up "
            "to three anonymous comments among those the Secretariat had reviewed and shown, picked to hear "
            "different positions, then their own previous answer (not shown here)."
        )
    )
    for item in later:
        doc.heading(_("Round {round}").format(round=item.results.round.file.round), 3)
        for question_id, said in item.fed_back.items():
            result = said.result
            shown = _("round {round}, n = {count}").format(round=said.round, count=number(_, result.whole.count))
            doc.lead(question_id, shown)
            if result.whole.count:
                doc.paragraph(_distribution(_, result))
            spread = result.whole.figures
            if spread is not None:
                doc.paragraph(
                    _("Median {median} · interquartile range {q1}–{q3} (the middle half of the answers)").format(
                        median=decimal(_, spread.median), q1=decimal(_, spread.q1), q3=decimal(_, spread.q3)
                    )
                )
            doc.lead(_("Comments shown"), "" if said.comments else _("none"))
            for comment in said.comments:
                doc.paragraph(anonymous(_, comment))


def _distribution(_: Translate, result: QuestionResult) -> str:
    """How many gave each point or option, every label whole."""
    named = categories(_, result.question)
    return " · ".join(
        labelled(_, label, number(_, count)) for label, count in zip(named, result.whole.counts, strict=True)
    )


def _round_to_round(_: Translate, doc: Document, found: Report) -> None:
    """After each round, what the stopping rules say of each question; between two rounds, the questions asked
    again, new and no longer asked; at the end, whether the study is complete."""
    doc.heading(_("Questions from round to round"), 2)
    for before, after in zip(found.rounds, [*found.rounds[1:], None], strict=True):
        _stops(_, doc, before)
        if after is not None and after.changes is not None:
            heading = _("Round {before} → round {after}").format(
                before=before.results.round.file.round, after=after.results.round.file.round
            )
            doc.heading(heading, 3)
            doc.lead(_("Asked again"), _list(_, [_said_before(_, before, q) for q in after.changes.repeated]))
            doc.lead(_("New"), _list(_, after.changes.added))
            doc.lead(_("Not asked again"), _list(_, [_said_before(_, before, q) for q in after.changes.dropped]))
    said = completion_said(_, found.rounds[-1].conclusion)
    if said:
        doc.paragraph(said, style="B")


def _stops(_: Translate, doc: Document, item: ReportRound) -> None:
    """What the stopping rules say of each question of a round that has opened (as the answers stand while it is
    open)."""
    stored = item.results.round
    if stored.opened_at is None:
        return
    doc.heading(_("After round {round}").format(round=stored.file.round), 3)
    if stored.closed_at is None:
        doc.paragraph(_("The round is open: this is what the stopping rules say as the answers stand."))
    for question_id, stop in item.conclusion.stops.items():
        doc.lead(question_id, stop_words(_, stop))


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
    """Each pair of consecutive rounds, on the panellists who answered a question in both, as `/delphi_results`
    says it."""
    doc.heading(_("Stability"), 2)
    if not any(pair.questions for pair in found.stability):
        doc.paragraph(_("Stability needs a question asked in two rounds."))
        return
    doc.paragraph(stability_rule(_))
    for pair in found.stability:
        if not pair.questions:
            continue
        doc.heading(_("Round {before} → round {after}").format(before=pair.before, after=pair.after), 3)
        for item in pair.questions:
            doc.lead(item.question.id, f"{sign(_, ';')} ".join(stability_parts(_, item)))


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
