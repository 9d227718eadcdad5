"""The Secretariat's view of a Delphi round: status, participation, results in words and figures, the CSV, the
charts, and the review of its comments."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delphi_models import Question, QuestionType
from bot.i18n import Translate
from bot.models import Catalogue
from bot.services.consensus import Verdict, band_points
from bot.services.delphi import Invited, Told, plain_number
from bot.services.delphi_results import (
    OTHER,
    Conclusion,
    Feedback,
    Flow,
    Part,
    Participation,
    QuestionResult,
    Results,
    Stability,
    Status,
    Stop,
    StudyResults,
    table_groups,
)
from bot.services.delphi_review import Comment, Decision, Review
from bot.storage.delphi import Response, StoredRound
from bot.views.buttons import button, keyboard
from bot.views.delphi import CommentDecision, CommentPage, answer_text, plain, question_type, stopping_rules, title
from bot.views.delphi_charts import drawable, png, rounds_figure
from bot.views.exports import neutralised
from bot.views.shown import shown
from bot.views.words import MESSAGE_LIMIT, fit, labelled, number, sign, when

BAR_WIDTH = 12
COMMENTS_SHOWN = 20  # per question in the message; the CSV has them all


def how_to_load(_: Translate) -> str:
    return _("Send me the round's JSON file (the caption /delphi_load is optional), or reply /delphi_load to it.")


def closed_now(_: Translate, conclusion: Conclusion) -> str:
    stored = conclusion.round
    closed = _("{title} is closed. /delphi_results {study} shows what it says.").format(
        title=title(_, stored), study=stored.study
    )
    return _with_completion(closed, completion(_, conclusion))


def completion(_: Translate, conclusion: Conclusion) -> str:
    """Said at the study's last round, in bold; else nothing."""
    said = completion_said(_, conclusion)
    return f"<b>{said}</b>" if said else ""


def completion_said(_: Translate, conclusion: Conclusion) -> str:
    """Said at the study's last round (its maximum of rounds reached, or no question goes on); else nothing. Plain
    text: the report prints it too."""
    if not conclusion.complete:
        return ""
    stored = conclusion.round
    number_of, most = stored.file.round, stored.file.stopping.max_rounds or 0
    closed = stored.closed_at is not None
    if conclusion.last_round and closed:
        said = _.ngettext(
            "The study is complete: round {round} was the last of at most {most} round fixed in advance.",
            "The study is complete: round {round} was the last of at most {most} rounds fixed in advance.",
            most,
        )
    elif conclusion.last_round:
        said = _.ngettext(
            "Round {round} is the study's last: at most {most} round was fixed in advance.",
            "Round {round} is the study's last: at most {most} rounds were fixed in advance.",
            most,
        )
    elif closed:
        said = _("The study is complete: no question goes on under the stopping rules fixed in advance.")
    else:
        said = _(
            "As the answers stand, no question goes on under the stopping rules fixed in advance: "
            "this round would be the study's last."
        )
    return said.format(round=number_of, most=most)


def _with_completion(text: str, said: str) -> str:
    return f"{text}\n\n{said}" if said else text


def extended(_: Translate, stored: StoredRound) -> str:
    return _("{title} now closes on {closes}; reminders follow the new time.").format(
        title=title(_, stored), closes=when(_, stored.closes_at)
    )


def round_event(_: Translate, what: str, told: Told) -> str:
    """A round opened or closed by itself: the Secretariat hears it (and, at the last round, that the study is
    complete)."""
    stored, panel = told.round, told.panel
    if what == "opened":
        return _.ngettext(
            "{title} (<code>{study}</code>) opened: {panel} panellist invited, until {closes}.",
            "{title} (<code>{study}</code>) opened: {panel} panellists invited, until {closes}.",
            panel,
        ).format(title=title(_, stored), study=stored.study, panel=number(_, panel), closes=when(_, stored.closes_at))
    closed = _.ngettext(
        "{title} (<code>{study}</code>) closed: {complete} of {panel} panellist answered every question. "
        "/delphi_results {study} shows what it says.",
        "{title} (<code>{study}</code>) closed: {complete} of {panel} panellists answered every question. "
        "/delphi_results {study} shows what it says.",
        panel,
    ).format(title=title(_, stored), study=stored.study, complete=number(_, told.answered_all), panel=number(_, panel))
    return _with_completion(closed, completion(_, told.conclusion) if told.conclusion is not None else "")


def failed_invitations(_: Translate, found: Invited) -> str:
    """Once a round's invitations have all gone, those that failed, in one notice: how many, and to whom.
    Each count takes its own plural form ("1 invitation, 2 invitations non envoyées")."""
    unreachable = sum(item.unreachable for item in found.undelivered)
    failed = len(found.undelivered) - unreachable
    counts = (
        _.ngettext("{count} invited", "{count} invited", found.invited).format(count=number(_, found.invited)),
        _.ngettext("{count} could not be reached", "{count} could not be reached", unreachable).format(
            count=number(_, unreachable)
        ),
        _.ngettext("{count} could not be sent", "{count} could not be sent", failed).format(count=number(_, failed)),
    )
    headline = _("{title} (<code>{study}</code>): {counts}.").format(
        title=title(_, found.round), study=found.round.study, counts=", ".join(counts)
    )
    names = ", ".join(shown(item.name) for item in found.undelivered)
    return fit(headline + "\n" + _("Not delivered to: {names}").format(names=names))


def decimal(_: Translate, value: float) -> str:
    return format_decimal(value, format="#,##0.##", locale=_.language)


def percent(_: Translate, part: float, whole: float) -> str:
    return _("{share} %").format(share=decimal(_, round(100 * part / whole))) if whole else "—"


def status(_: Translate, found: list[Status], catalogue: Catalogue) -> str:
    if not found:
        return _("No Delphi round is open. /delphi_status &lt;study&gt; shows a study's latest round.")
    lines: list[str] = []
    for item in found:
        stored = item.round
        lines.append(f"<b>{title(_, stored)}</b> (<code>{stored.study}</code>)")
        if stored.opened_at is None:  # no panel yet, so nothing asked nor answered: say when that starts
            lines += [_("Not open yet: it opens on {opens}.").format(opens=when(_, stored.file.opens)), ""]
            continue
        lines += [
            _("Open until {closes}").format(closes=when(_, stored.closes_at))
            if stored.closed_at is None
            else _("Closed on {at}").format(at=when(_, stored.closed_at)),
            labelled(_, _("Unreachable (blocked the bot)"), number(_, item.unreachable)),
            _("<b>Per question</b> (answers / panellists asked)"),
        ]
        lines += [
            _response(_, f"{int(r.key) + 1}. {stored.file.questions[int(r.key)].id}", r) for r in item.by_question
        ]
        lines.append(_("<b>Per Task Force</b> (answers / answers asked of its panellists)"))
        lines += [_response(_, r.key, r) for r in item.by_taskforce]
        if item.participation is not None:
            lines += participation_lines(_, item.participation, catalogue)
        lines.append("")
    return fit("\n".join(lines))


def participation_lines(_: Translate, flow: Participation, catalogue: Catalogue) -> list[str]:
    """The round's participation flow, in all and by group: a line of figures each, named once at the top."""
    if flow.previous is None:
        heading = _(
            "<b>Participation</b> (invited · could not be reached · answered at least one question · answered all)"
        )
    else:
        heading = _(
            "<b>Participation</b> (invited · could not be reached · answered at least one question · answered all · "
            "dropped since round {round})"
        ).format(round=flow.previous)
    lines = [heading, labelled(_, _("Total"), _flow_figures(_, flow.total, flow.previous))]
    for title_line, groups in ((_("By stakeholder type:"), flow.by_type), (_("By region:"), flow.by_region)):
        lines.append(title_line)
        lines += [
            labelled(_, f"· {plain(group_name(_, name, catalogue))}", _flow_figures(_, figures, flow.previous))
            for name, figures in groups.items()
        ] or ["· " + none_apart(_, flow.least, answers=False)]
    return lines


def _flow_figures(_: Translate, flow: Flow, previous: int | None) -> str:
    return " · ".join(flow_figures(_, flow, previous))


def flow_figures(_: Translate, flow: Flow, previous: int | None) -> list[str]:
    """Invited, could not be reached, answered at least one question, answered all, and from round 2 dropped."""
    counts = [flow.invited, flow.unreachable, flow.answered_any, flow.answered_all]
    return [number(_, count) for count in counts + ([flow.dropped] if previous is not None else [])]


def group_name(_: Translate, name: str, catalogue: Catalogue) -> str:
    """A stakeholder type or a region in the reader's language; the groups too small to show apart, merged."""
    return _("Other groups") if name == OTHER else catalogue.label_of(name, _.language)


def none_apart(_: Translate, least: int, *, answers: bool) -> str:
    """Said instead of a split's lines when no group is large enough to show apart."""
    if answers:
        return _.ngettext("no group has {least} answer or more", "no group has {least} answers or more", least).format(
            least=number(_, least)
        )
    return _.ngettext(
        "no group has {least} panellist or more", "no group has {least} panellists or more", least
    ).format(least=number(_, least))


def _response(_: Translate, name: str, response: Response) -> str:
    share = percent(_, response.answered, response.asked)
    return labelled(_, name, f"{number(_, response.answered)} / {number(_, response.asked)} ({share})")


def anonymous(_: Translate, text: str) -> str:
    """A panellist's comment or answer shown without its author, in the quotation marks of the reader's
    language (French keeps them on the words' line with no-break spaces)."""
    return _("« {text} »").format(text=text)


def verdict_words(_: Translate, rule: str, part: Part) -> str:
    outcome = part.outcome
    if outcome is None:
        return ""
    words = {
        Verdict.NO_ANSWERS: _("no answers yet"),
        Verdict.IN: _("consensus in") if rule == "70/15" else _("consensus"),
        Verdict.OUT: _("consensus out"),
        Verdict.NONE: _("no consensus"),
        Verdict.APPROPRIATE: _("appropriate"),
        Verdict.UNCERTAIN: _("uncertain"),
        Verdict.INAPPROPRIATE: _("inappropriate"),
    }[outcome.verdict]
    if outcome.ipr is not None and outcome.ipras is not None:
        agreement = _("disagreement") if outcome.disagreement else _("no disagreement")
        words += f" ({labelled(_, agreement, f'IPR {decimal(_, outcome.ipr)}, IPRAS {decimal(_, outcome.ipras)}')})"
    return words


def figures_line(_: Translate, part: Part) -> str:
    found = part.figures
    if found is None:
        return ""
    sd = decimal(_, found.sd) if found.sd is not None else "—"
    return _("Median {median} · Q1 {q1} · Q3 {q3} · IQR {iqr} · mean {mean} · SD {sd}").format(
        median=decimal(_, found.median),
        q1=decimal(_, found.q1),
        q3=decimal(_, found.q3),
        iqr=decimal(_, found.iqr),
        mean=decimal(_, found.mean),
        sd=sd,
    )


def histogram(labels: list[str], counts: list[int]) -> str:
    """One line per point or option: its bar and its count, in a monospace block."""
    most = max(counts, default=0) or 1
    width = max((len(label) for label in labels), default=1)
    lines = [
        f"{plain(label.rjust(width))} {'█' * round(count / most * BAR_WIDTH) or '·'} {count}"
        for label, count in zip(labels, counts, strict=True)
    ]
    return "<pre>" + "\n".join(lines) + "</pre>"


def _labels(_: Translate, result: QuestionResult) -> list[str]:
    q = result.question
    if q.type is QuestionType.CHOICE:
        return [option(_.language)[:24] for option in q.options]
    return [str(point) for point in range(1, (q.scale or 0) + 1)]


def _split(
    _: Translate, rule: str, result: QuestionResult, groups: dict[str, Part], catalogue: Catalogue, least: int
) -> list[str]:
    """A split's lines (groups under the minimum merged, by the service), or why there are none."""
    return [_group_line(_, rule, result, name, part, catalogue) for name, part in groups.items()] or [
        "· " + none_apart(_, least, answers=True)
    ]


def _group_line(_: Translate, rule: str, result: QuestionResult, name: str, part: Part, catalogue: Catalogue) -> str:
    shown = group_name(_, name, catalogue)
    if part.figures is not None:
        found = part.figures
        words = verdict_words(_, rule, part)
        detail = _("n = {count}, median {median}, IQR {iqr}").format(
            count=number(_, part.count), median=decimal(_, found.median), iqr=decimal(_, found.iqr)
        )
        return labelled(_, f"· {plain(shown)}", detail + (f", {words}" if words else ""))
    if part.counts:
        options = ", ".join(
            f"{plain(label)} {count}" for label, count in zip(_labels(_, result), part.counts, strict=True)
        )
        return labelled(_, f"· {plain(shown)}", options)
    return labelled(_, f"· {plain(shown)}", _("n = {count}").format(count=number(_, part.count)))


def band_shares(_: Translate, question: Question, shares: tuple[float, float, float]) -> list[str]:
    """Each band's points and share, in the scale's order: ["1–3 10 %", "4–6 20 %", "7–9 70 %"], ["1–2 40 %",
    "3–4 60 %"]."""
    cut = band_points(question.scale or 0, question.agree)
    said = sorted((points, share) for points, share in zip(cut, shares, strict=True) if points)
    return [f"{span(points)} {percent(_, share, 1)}" for points, share in said]


def span(points: list[int]) -> str:
    """A band's points: "1–3", or "5" alone."""
    return f"{points[0]}–{points[-1]}" if len(points) > 1 else str(points[0])


def stop_words(_: Translate, stop: Stop) -> str:
    """What the stopping rules say of a question after its round, and why."""
    return {
        Stop.CONSENSUS: _("stops (consensus reached)"),
        Stop.STABLE: _("stops (answers stable)"),
        Stop.LAST_ROUND: _("stops (the study's last round)"),
        Stop.GOES_ON: _("goes on to the next round"),
        Stop.NOT_JUDGED: _("not judged (asked again only if the next round's file lists it)"),
    }[stop]


def question_block(
    _: Translate, rule: str, result: QuestionResult, catalogue: Catalogue, least: int, stop: Stop | None
) -> list[str]:
    """`stop`: what the stopping rules say of the question (the results of a round; not a panellist's feedback)."""
    q, whole = result.question, result.whole
    lines = [
        f"<b>{result.index + 1}. {plain(q.id)}</b> ({question_type(_, q.type)}) · {plain(q.text(_.language))}",
        labelled(
            _,
            _("Answers"),
            f"{number(_, whole.count)} / {number(_, result.asked)} ({percent(_, whole.count, result.asked)})",
        ),
    ]
    if whole.figures is not None:
        lines.append(figures_line(_, whole))
    if whole.counts and whole.count:
        lines.append(histogram(_labels(_, result), whole.counts))
        if q.type is QuestionType.CHOICE:
            lines.append(
                " · ".join(
                    f"{plain(label)} {percent(_, count, whole.count)}"
                    for label, count in zip(_labels(_, result), whole.counts, strict=True)
                )
            )
    if whole.bands is not None and whole.count:
        lines.append(labelled(_, _("Shares"), " · ".join(band_shares(_, q, whole.bands))))
    words = verdict_words(_, rule, whole)
    if words:
        lines.append(labelled(_, _("Verdict ({rule})").format(rule=rule), f"<b>{words}</b>"))
    if stop is not None:
        lines.append(labelled(_, _("Stopping rules"), stop_words(_, stop)))
    if whole.count and q.type is not QuestionType.TEXT:
        lines.append(_("By stakeholder type:"))
        lines += _split(_, rule, result, result.by_type, catalogue, least)
        lines.append(_("By region:"))
        lines += _split(_, rule, result, result.by_region, catalogue, least)
    if result.comments:
        lines.append(_("Comments ({count}, anonymous):").format(count=len(result.comments)))
        lines += [anonymous(_, plain(text)) for text in result.comments[:COMMENTS_SHOWN]]
    return lines


def report(
    _: Translate, found: Results, flow: Participation, catalogue: Catalogue, conclusion: Conclusion
) -> list[str]:
    """The round in messages of at most Telegram's length, a question never split when it fits; each question
    with what the stopping rules say of it, and the study complete at its last round."""
    stored = found.round
    head = [
        f"<b>{title(_, stored)}</b> (<code>{stored.study}</code>)",
        labelled(_, _("Consensus rule"), stored.file.consensus.rule),
        labelled(_, _("Stopping rules"), stopping_rules(_, stored.file.stopping)),
        _("Open until {closes}").format(closes=when(_, stored.closes_at))
        if stored.closed_at is None
        else _("Closed on {at}").format(at=when(_, stored.closed_at)),
        _("Percentiles by linear interpolation between closest ranks (Hyndman and Fan's definition 7)."),
        smallest_group_note(_, found.least),
        *participation_lines(_, flow, catalogue),
    ]
    blocks = [_with_completion("\n".join(head), completion(_, conclusion))]
    rule = stored.file.consensus.rule
    for result in found.questions:
        stop = conclusion.stops.get(result.question.id)
        blocks.append("\n".join(question_block(_, rule, result, catalogue, found.least, stop)))
        if result.question.type is QuestionType.TEXT and result.whole.count:
            texts = [answer.text or "" for answer in found.given if answer.question == result.index]
            heading = _("Answers to {id} ({count}, anonymous; all in the CSV):").format(
                id=plain(result.question.id), count=len(texts)
            )
            blocks.append("\n".join([heading, *(anonymous(_, plain(text)) for text in texts[:COMMENTS_SHOWN])]))
    return list(_packed(blocks))


def smallest_group_note(_: Translate, least: int) -> str:
    """How groups too small to show apart are shown: said wherever a split is."""
    return _.ngettext(
        "Groups of fewer than {least} answer are merged into Other groups, joined by the next smallest groups "
        "until they reach {least}: no figure is one person's answer.",
        "Groups of fewer than {least} answers are merged into Other groups, joined by the next smallest groups "
        "until they reach {least}: no figure is one person's answer.",
        least,
    ).format(least=number(_, least))


def _packed(blocks: list[str], separator: str = "\n\n") -> Iterator[str]:
    current = ""
    for block in map(fit, blocks):
        if current and len(current) + len(separator) + len(block) > MESSAGE_LIMIT:
            yield current
            current = ""
        current = f"{current}{separator}{block}" if current else block
    if current:
        yield current


def answers_csv(_: Translate, rounds: list[Results]) -> bytes:
    """Every answer of the rounds, one row each; the panellist only as the study's pseudonym (the same in
    every round), their stakeholder type and region merged where too few share them (`table_groups`).
    UTF-8 with BOM, so that Excel reads accents right."""
    groups = {person: tuple(_csv_group(_, name) for name in cell) for person, cell in table_groups(rounds).items()}
    out = io.StringIO()
    writer = csv.writer(out)
    header = ("study", "round", "panellist", "stakeholder type", "region", "question", "type", "answer", "comment")
    writer.writerow([_(name) for name in header])
    for found in rounds:
        questions = found.round.file.questions
        for answer in found.given:
            q = questions[answer.question]
            if q.type is QuestionType.CHOICE and answer.value is not None:
                value = q.options[int(answer.value)].en
            elif q.type is QuestionType.TEXT:
                value = answer.text or ""
            else:  # a number as programs read it, whatever the reader's language
                value = plain_number(answer.value) if answer.value is not None else ""
            writer.writerow(
                [
                    found.round.study,
                    found.round.file.round,
                    found.pseudonyms[answer.person_id],
                    *(neutralised(name) for name in groups[answer.person_id]),
                    q.id,
                    q.type.value,
                    neutralised(value),
                    neutralised(answer.comment or ""),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _csv_group(_: Translate, name: str) -> str:
    """A stakeholder type or region as programs read it (its English name), or the merged groups'."""
    return _("Other groups") if name == OTHER else name


def charted(found: Results) -> list[QuestionResult]:
    """The questions that get a picture: Likert and choice questions with answers."""
    return [result for result in found.questions if drawable(result)]


def answers_caption(_: Translate) -> str:
    return _("All answers, one row each; panellists by pseudonym.")


def round_heading(_: Translate, round_number: int, question_id: str) -> str:
    """ "Round 2: q3": the heading of a question's chart in a round's feedback, short beside the question asked."""
    return _("Round {round}: {question}").format(round=round_number, question=question_id)


def chart(_: Translate, result: QuestionResult, heading: str = "") -> bytes:
    """One question's distribution in one round, a PNG: headed by the question whole unless told otherwise."""
    heading = heading or f"{result.index + 1}. {result.question.text(_.language)}"
    return png(rounds_figure(_, [(heading, result)]))


def _short_text(_: Translate, result: QuestionResult) -> str:
    text = result.question.text(_.language)
    return f"{text[:70]}{'…' if len(text) > 70 else ''}"


# ---------------------------------------------------------------- before a repeated question

COMMENT_SHOWN = 300  # characters of each of the three comments a panellist reads


def feedback_block(_: Translate, said: Feedback) -> str:
    """The group's result of the previous round, the panellist's own answer, and three comments."""
    result, number_before = said.result, said.round
    lines = [_("<b>Round {round} said</b> (n = {count}):").format(round=number_before, count=result.whole.count)]
    if result.whole.counts and result.whole.count:
        lines.append(histogram(_labels(_, result), result.whole.counts))
    spread = result.whole.figures
    if spread is not None:
        lines.append(
            _("Median {median} · interquartile range {q1}–{q3} (the middle half of the answers)").format(
                median=decimal(_, spread.median), q1=decimal(_, spread.q1), q3=decimal(_, spread.q3)
            )
        )
    if said.own is not None:
        own = answer_text(_, result.question, said.own)
        lines.append(_("Your answer in round {round}: {answer}").format(round=number_before, answer=own))
    if said.outside and spread is not None:
        lines.append(
            _(
                "Your answer lay outside the middle half of the group. You are welcome to keep it; "
                "a short reason would help the others see why."
            )
        )
    if said.comments:
        lines.append(_("Comments in round {round} (anonymous):").format(round=number_before))
        lines += [
            anonymous(_, plain(comment[:COMMENT_SHOWN]) + ("…" if len(comment) > COMMENT_SHOWN else ""))
            for comment in said.comments
        ]
    return "\n".join(lines)


def by_type(_: Translate, said: Feedback, catalogue: Catalogue, rule: str, least: int) -> str:
    result = said.result
    lines = [
        _("<b>Round {round}, by stakeholder type</b>: {question}").format(
            round=said.round, question=plain(_short_text(_, result))
        )
    ]
    lines += _split(_, rule, result, result.by_type, catalogue, least)
    lines.append(smallest_group_note(_, least))
    return fit("\n".join(lines))


# ---------------------------------------------------------------- a study across its rounds


def movement_messages(_: Translate, found: StudyResults) -> list[str]:
    """The study across its rounds, in as many messages as it takes, cut between lines."""
    return list(_packed(_movement_lines(_, found), "\n"))


def _movement_lines(_: Translate, found: StudyResults) -> list[str]:
    """One line per question and round (median, IQR, verdict), then the stability of each pair of consecutive
    rounds, among the panellists who answered both."""
    study = found.rounds[-1].round
    lines = [_("<b>{study}: the questions across rounds</b>").format(study=plain(study.study))]
    ids = list(dict.fromkeys(q.id for item in found.rounds for q in item.round.file.questions))
    for question_id in ids:
        steps = []
        for item in found.rounds:
            index = item.round.file.index_of(question_id)
            if index is None:
                continue
            result = item.questions[index]
            steps.append(round_step(_, item.round, result))
        lines.append(f"<b>{plain(question_id)}</b> " + " → ".join(steps))
    if found.stability:
        lines += ["", f"<b>{_('Stability')}</b>", stability_rule(_)]
    for compared in found.stability:
        lines += ["", _("<b>Round {before} → {after}</b>").format(before=compared.before, after=compared.after)]
        lines += [_stability_line(_, item) for item in compared.questions]
    return lines


def stability_rule(_: Translate) -> str:
    """How stability is judged and what its figures say, in plain text: the results and the report alike."""
    return _(
        "Among the panellists who answered a question in both rounds: stable when no band's share moved 15 points "
        "or more. Bands: a scale's agreement region, its mirror and what lies between, else its thirds (its halves "
        "without a midpoint); a choice's options; a number's quartile bands in the round before. Weighted κ: "
        "Cohen's kappa of their paired answers, quadratic weights (a choice's options: unweighted); 1 is no change, "
        "0 no more agreement than chance."
    )


def round_step(_: Translate, stored: StoredRound, result: QuestionResult) -> str:
    """ "R2: median 7, IQR 1, no consensus": a question in one round, plain text."""
    spread = result.whole.figures
    words = verdict_words(_, stored.file.consensus.rule, result.whole)
    figures_said = (
        _("median {median}, IQR {iqr}").format(median=decimal(_, spread.median), iqr=decimal(_, spread.iqr))
        if spread is not None
        else _("n = {count}").format(count=number(_, result.whole.count))
    )
    return _("R{number}: {figures}").format(number=stored.file.round, figures=figures_said) + (
        f", {words}" if words else ""
    )


def _stability_line(_: Translate, item: Stability) -> str:
    return labelled(_, f"<b>{plain(item.question.id)}</b>", f"{sign(_, ';')} ".join(stability_parts(_, item)))


def stability_parts(_: Translate, item: Stability) -> list[str]:
    """Who answered both rounds (apart: who dropped out, who is new), how many of them changed their answer and
    their band, the weighted kappa, the median and IQR before and after, the verdict: plain text."""
    paired = _.ngettext(
        "{paired} answered both rounds ({dropped} dropped out, {joined} new)",
        "{paired} answered both rounds ({dropped} dropped out, {joined} new)",
        item.paired,
    ).format(paired=number(_, item.paired), dropped=number(_, item.dropped), joined=number(_, item.joined))
    parts = [paired]
    if not item.paired:
        parts.append(_("not judged: nobody answered both rounds"))
        return parts
    changed = _.ngettext(
        "{changed} of {both} changed their answer ({share})",
        "{changed} of {both} changed their answer ({share})",
        item.changed,
    ).format(changed=number(_, item.changed), both=number(_, item.paired), share=percent(_, item.changed, item.paired))
    moved = _.ngettext(
        "{changed} of {both} changed band ({share})",
        "{changed} of {both} changed band ({share})",
        item.changed_band,
    ).format(
        changed=number(_, item.changed_band),
        both=number(_, item.paired),
        share=percent(_, item.changed_band, item.paired),
    )
    kappa = _("weighted κ {kappa}").format(kappa=decimal(_, item.kappa) if item.kappa is not None else "—")
    parts += [changed, moved, kappa]
    if item.before is not None and item.after is not None:
        parts.append(
            _("median {before} → {after}, IQR {iqr_before} → {iqr_after}").format(
                before=decimal(_, item.before.median),
                after=decimal(_, item.after.median),
                iqr_before=decimal(_, item.before.iqr),
                iqr_after=decimal(_, item.after.iqr),
            )
        )
    verdict = _("stable") if item.stable else _("not stable")
    points = round(item.largest_move)
    parts.append(
        _.ngettext(
            "{verdict} (largest move {points} point)", "{verdict} (largest move {points} points)", points
        ).format(verdict=verdict, points=decimal(_, points))
    )
    return parts


# ---------------------------------------------------------------- the comments reviewed before the next round

REVIEW_ROOM = 3300  # characters of comments on a page: three of the longest, with the page's head, fit 4096
REVIEW_MOST = 8  # comments on a page, a row of buttons each


def review_pages(found: Review) -> list[list[int]]:
    """The comments' places, page by page, each comment whole (the Secretariat reads every word it decides on).
    A closed round's comments no longer change, so a page holds the same comments at every press."""
    pages: list[list[int]] = [[]]
    room = 0
    for place, comment in enumerate(found.comments):
        size = len(comment.text) + len(comment.question.id) + 40
        if pages[-1] and (room + size > REVIEW_ROOM or len(pages[-1]) >= REVIEW_MOST):
            pages.append([])
            room = 0
        pages[-1].append(place)
        room += size
    return pages


def review_page(_: Translate, found: Review, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the round's comments, each with its state and the button that changes it (both, while not
    reviewed); a page past the last (comments deleted since) shows the last."""
    stored, pages = found.round, review_pages(found)
    page = min(page, len(pages) - 1)
    lines = [_("<b>Comments of {title}</b> (<code>{study}</code>)").format(title=title(_, stored), study=stored.study)]
    if not found.comments:
        return "\n".join([*lines, _("This round has no comments.")]), None
    lines += [
        _.ngettext(
            "{count} comment: {shown} shown, {hidden} hidden, {unreviewed} not reviewed.",
            "{count} comments: {shown} shown, {hidden} hidden, {unreviewed} not reviewed.",
            len(found.comments),
        ).format(
            count=number(_, len(found.comments)),
            shown=number(_, found.count(True)),
            hidden=number(_, found.count(False)),
            unreviewed=number(_, found.count(None)),
        ),
        _("Panellists read only the comments shown, before a question asked again in the next round."),
    ]
    if len(pages) > 1:
        lines.append(_("Page {page} / {pages}").format(page=page + 1, pages=len(pages)))
    rows: list[list[InlineKeyboardButton]] = []
    for place in pages[page]:
        comment = found.comments[place]
        lines += ["", f"<b>{place + 1}. {plain(comment.question.id)}</b> · {_state(_, comment)}"]
        lines.append(anonymous(_, plain(comment.text)))
        rows.append([_decision(_, stored, comment, place, page, decision) for decision in DECISIONS[comment.shown]])
    turns = [
        button(label, CommentPage(round=stored.id, page=to).pack())
        for label, to in ((_("‹ Previous"), page - 1), (_("Next ›"), page + 1))
        if 0 <= to < len(pages)
    ]
    return fit("\n".join(lines)), keyboard(*rows, turns)


def _state(_: Translate, comment: Comment) -> str:
    return {True: _("shown"), False: _("hidden"), None: _("not reviewed")}[comment.shown]


# What may be decided of a comment: the other state, or either while it is not reviewed.
DECISIONS: dict[bool | None, list[Decision]] = {True: ["hide"], False: ["show"], None: ["show", "hide"]}


def _decision(
    _: Translate, stored: StoredRound, comment: Comment, place: int, page: int, decision: Decision
) -> InlineKeyboardButton:
    label = _("{number}: show") if decision == "show" else _("{number}: hide")
    data = CommentDecision(
        round=stored.id, question=comment.index, author=comment.author, decision=decision, page=page
    ).pack()
    return button(label.format(number=place + 1), data)
