"""The Secretariat's view of a Delphi round: status, results in words and figures, the CSV, the charts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from babel.numbers import format_decimal

from bot.delphi_models import QuestionType
from bot.i18n import Translate
from bot.models import Catalogue
from bot.services.consensus import Verdict
from bot.services.delphi import Invited, plain_number
from bot.services.delphi_results import Feedback, Part, QuestionResult, Results, Stability, Status, StudyResults
from bot.storage.delphi import Response, StoredRound
from bot.views.delphi import answer_text, plain, question_type, title
from bot.views.delphi_charts import drawable, png, rounds_figure
from bot.views.exports import neutralised
from bot.views.shown import shown
from bot.views.words import MESSAGE_LIMIT, fit, labelled, number, sign, when

BAR_WIDTH = 12
COMMENTS_SHOWN = 20  # per question in the message; the CSV has them all


def how_to_load(_: Translate) -> str:
    return _("Send me the round's JSON file (the caption /delphi_load is optional), or reply /delphi_load to it.")


def closed_now(_: Translate, stored: StoredRound) -> str:
    return _("{title} is closed. /delphi_results {study} shows what it says.").format(
        title=title(_, stored), study=stored.study
    )


def extended(_: Translate, stored: StoredRound) -> str:
    return _("{title} now closes on {closes}; reminders follow the new time.").format(
        title=title(_, stored), closes=when(_, stored.closes_at)
    )


def round_event(_: Translate, stored: StoredRound, what: str, panel: int, complete: int) -> str:
    """A round opened or closed by itself: the Secretariat hears it."""
    if what == "opened":
        return _.ngettext(
            "{title} (<code>{study}</code>) opened: {panel} panellist invited, until {closes}.",
            "{title} (<code>{study}</code>) opened: {panel} panellists invited, until {closes}.",
            panel,
        ).format(title=title(_, stored), study=stored.study, panel=number(_, panel), closes=when(_, stored.closes_at))
    return _.ngettext(
        "{title} (<code>{study}</code>) closed: {complete} of {panel} panellist answered every question. "
        "/delphi_results {study} shows what it says.",
        "{title} (<code>{study}</code>) closed: {complete} of {panel} panellists answered every question. "
        "/delphi_results {study} shows what it says.",
        panel,
    ).format(title=title(_, stored), study=stored.study, complete=number(_, complete), panel=number(_, panel))


def failed_invitations(_: Translate, found: Invited) -> str:
    """Once a round's invitations have all gone, those that failed, in one notice: how many, and to whom."""
    unreachable = sum(item.unreachable for item in found.undelivered)
    headline = _(
        "{title} (<code>{study}</code>): {invited} invited, {unreachable} could not be reached, "
        "{failed} could not be sent."
    ).format(
        title=title(_, found.round),
        study=found.round.study,
        invited=number(_, found.invited),
        unreachable=number(_, unreachable),
        failed=number(_, len(found.undelivered) - unreachable),
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
        lines.append("")
    return fit("\n".join(lines))


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


def _group_line(_: Translate, rule: str, result: QuestionResult, name: str, part: Part, catalogue: Catalogue) -> str:
    shown = catalogue.label_of(name, _.language)
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


def question_block(_: Translate, rule: str, result: QuestionResult, catalogue: Catalogue) -> list[str]:
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
    if whole.thirds is not None and q.scale == 9 and whole.count:
        low, middle, high = whole.thirds
        lines.append(
            labelled(
                _, _("Shares"), f"1–3 {percent(_, low, 1)} · 4–6 {percent(_, middle, 1)} · 7–9 {percent(_, high, 1)}"
            )
        )
    words = verdict_words(_, rule, whole)
    if words:
        lines.append(labelled(_, _("Verdict ({rule})").format(rule=rule), f"<b>{words}</b>"))
    if whole.count and q.type is not QuestionType.TEXT:
        lines.append(_("By stakeholder type:"))
        lines += [_group_line(_, rule, result, name, part, catalogue) for name, part in result.by_type.items()]
        lines.append(_("By region:"))
        lines += [_group_line(_, rule, result, name, part, catalogue) for name, part in result.by_region.items()]
    if result.comments:
        lines.append(_("Comments ({count}, anonymous):").format(count=len(result.comments)))
        lines += [anonymous(_, plain(text)) for text in result.comments[:COMMENTS_SHOWN]]
    return lines


def report(_: Translate, found: Results, catalogue: Catalogue) -> list[str]:
    """The round in messages of at most Telegram's length, a question never split when it fits."""
    stored = found.round
    head = [
        f"<b>{title(_, stored)}</b> (<code>{stored.study}</code>)",
        labelled(_, _("Consensus rule"), stored.file.consensus.rule),
        _("Open until {closes}").format(closes=when(_, stored.closes_at))
        if stored.closed_at is None
        else _("Closed on {at}").format(at=when(_, stored.closed_at)),
        _("Percentiles by linear interpolation between closest ranks (Hyndman and Fan's definition 7)."),
    ]
    blocks = ["\n".join(head)]
    rule = stored.file.consensus.rule
    for result in found.questions:
        blocks.append("\n".join(question_block(_, rule, result, catalogue)))
        if result.question.type is QuestionType.TEXT and result.whole.count:
            texts = [answer.text or "" for answer in found.given if answer.question == result.index]
            heading = _("Answers to {id} ({count}, anonymous; all in the CSV):").format(
                id=plain(result.question.id), count=len(texts)
            )
            blocks.append("\n".join([heading, *(anonymous(_, plain(text)) for text in texts[:COMMENTS_SHOWN])]))
    return list(_packed(blocks))


def _packed(blocks: list[str]) -> Iterator[str]:
    current = ""
    for block in map(fit, blocks):
        if current and len(current) + 2 + len(block) > MESSAGE_LIMIT:
            yield current
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        yield current


def answers_csv(_: Translate, rounds: list[Results]) -> bytes:
    """Every answer of the rounds, one row each; the panellist only as the study's pseudonym (the same in
    every round). UTF-8 with BOM, so that Excel reads accents right."""
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
                    neutralised(answer.stakeholder_type or ""),
                    neutralised(answer.region or ""),
                    q.id,
                    q.type.value,
                    neutralised(value),
                    neutralised(answer.comment or ""),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def charted(found: Results) -> list[QuestionResult]:
    """The questions that get a picture: Likert and choice questions with answers."""
    return [result for result in found.questions if drawable(result)]


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


def by_type(_: Translate, said: Feedback, catalogue: Catalogue, rule: str) -> str:
    result = said.result
    lines = [
        _("<b>Round {round}, by stakeholder type</b>: {question}").format(
            round=said.round, question=plain(_short_text(_, result))
        )
    ]
    lines += [_group_line(_, rule, result, name, part, catalogue) for name, part in result.by_type.items()]
    return fit("\n".join(lines))


# ---------------------------------------------------------------- a study across its rounds


def movement(_: Translate, found: StudyResults) -> str:
    """One line per question and round (median, IQR, verdict), then the stability of the last two rounds."""
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
        before, after = found.rounds[-2].round.file.round, found.rounds[-1].round.file.round
        lines += [
            "",
            _(
                "<b>Stability, round {before} → {after}</b> (stable: no band's share moved 15 points or more; "
                "bands are the thirds of a scale, the options of a choice, a number's quartile bands of round {before})"
            ).format(before=before, after=after),
        ]
        lines += [_stability_line(_, item) for item in found.stability]
    return fit("\n".join(lines))


def round_step(_: Translate, stored: StoredRound, result: QuestionResult) -> str:
    """ "R2: median 7, IQR 1, no consensus": a question in one round, plain text."""
    spread = result.whole.figures
    words = verdict_words(_, stored.file.consensus.rule, result.whole)
    figures_said = (
        _("median {median}, IQR {iqr}").format(median=decimal(_, spread.median), iqr=decimal(_, spread.iqr))
        if spread is not None
        else _("n = {count}").format(count=number(_, result.whole.count))
    )
    return _("R{round}: {figures}").format(round=stored.file.round, figures=figures_said) + (
        f", {words}" if words else ""
    )


def _stability_line(_: Translate, item: Stability) -> str:
    return labelled(_, f"<b>{plain(item.question.id)}</b>", f"{sign(_, ';')} ".join(stability_parts(_, item)))


def stability_parts(_: Translate, item: Stability) -> list[str]:
    """How many changed their answer, the median and IQR before and after, the verdict: plain text."""
    changed = _.ngettext(
        "{changed} of {both} changed their answer ({share})",
        "{changed} of {both} changed their answer ({share})",
        item.changed,
    ).format(changed=number(_, item.changed), both=number(_, item.both), share=percent(_, item.changed, item.both))
    parts = [changed]
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
