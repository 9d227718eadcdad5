"""The Delphi rules that need no chat: the comments a panellist hears, stability, pseudonyms."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from bot.delphi_models import Question, RoundFile
from bot.i18n import translator
from bot.models import Catalogue
from bot.services.consensus import figures
from bot.services.delphi import OPTION_LIMIT, QUESTION_LIMIT, TITLE_LIMIT, RoundFileRefused, parse
from bot.services.delphi_report import Composition, assembled, groups
from bot.services.delphi_results import QuestionResult, Results, StudyResults, heard, part, pseudonym, stability
from bot.storage.delphi import Given, StoredRound
from bot.views.delphi_report import report_pdf
from bot.views.delphi_results import chart

NOW = datetime(2026, 12, 11, tzinfo=UTC)
SCALE = Question.model_validate({"id": "q1", "type": "likert", "text": "How important?"})
CHOICE = Question.model_validate({"id": "q2", "type": "choice", "text": "Who?", "options": ["A", "B", "C"]})


def given(person: int, value: float, comment: str | None = None, question: int = 0) -> Given:
    return Given(question, person, value, None, comment, "Africa", "Research and education")


def test_the_comments_heard_come_from_below_at_and_above_the_median() -> None:
    answers = [
        given(1, 8, "high, first"),
        given(2, 8, "high, second"),
        given(3, 5, "at the median"),
        given(4, 2, "low"),
        given(5, 5),
    ]
    spread = figures([a.value for a in answers if a.value is not None])  # median 5
    assert heard(SCALE, answers, spread) == ["low", "at the median", "high, first"]
    only_high = [given(1, 8, "one"), given(2, 9, "two"), given(3, 9, "three"), given(4, 9, "four"), given(5, 1)]
    assert heard(SCALE, only_high, figures([8, 9, 9, 9, 1])) == ["one", "two", "three"]  # places left: filled
    choices = [given(1, 0, "for A"), given(2, 1, "for B"), given(3, 1), given(4, 1, "for B again"), given(5, 2)]
    assert heard(CHOICE, choices, None) == ["for B", "for A", "for B again"]  # the most chosen option first
    assert heard(SCALE, [given(1, 5)], figures([5])) == []


def round_of(number: int, question: Question, answers: list[Given]) -> Results:
    file = RoundFile.model_validate(
        {
            "study": "s",
            "round": number,
            "title": "t",
            "opens": "2026-12-01T00:00:00Z",
            "closes": "2026-12-10T00:00:00Z",
            "questions": [question.model_dump()],
            **({"repeat": [question.id]} if number > 1 else {}),
        }
    )
    stored = StoredRound(number, file, datetime(2026, 12, 10, tzinfo=UTC), None, None)
    return Results(stored, [], answers, {})


def test_stability_computed_by_hand() -> None:
    # Round 1: 2, 7, 7, 8 (thirds: 25 % low, 0 % middle, 75 % high); round 2: 2, 6, 7, 7, 7 (20 %, 20 %, 60 %).
    # Moves: 5, 20 and 15 points: the largest is 20, not under 15: not stable. Of the four who answered
    # both rounds, one changed (8 → 7).
    before = round_of(1, SCALE, [given(1, 2), given(2, 7), given(3, 7), given(4, 8)])
    after = round_of(2, SCALE, [given(1, 2), given(2, 7), given(3, 7), given(4, 7), given(5, 6)])
    (found,) = stability(before, after)
    assert (found.both, found.changed, round(found.largest_move, 6), found.stable) == (4, 1, 20.0, False)
    assert found.before is not None and found.after is not None
    assert (found.before.median, found.before.iqr, found.after.median, found.after.iqr) == (7, 1.5, 7, 1)
    calm = round_of(2, SCALE, [given(1, 3), given(2, 7), given(3, 8), given(4, 8)])  # 2 → 3, 7 → 8: thirds unchanged
    assert stability(before, calm)[0].stable and stability(before, calm)[0].changed == 2
    # Choices: each option's share. A 1/3 → 2/3 is a move of 33 points.
    options_before = round_of(1, CHOICE, [given(1, 0), given(2, 1), given(3, 2)])
    options_after = round_of(2, CHOICE, [given(1, 0), given(2, 0), given(3, 2)])
    assert round(stability(options_before, options_after)[0].largest_move) == 33


def test_pseudonyms_are_stable_within_a_study_and_differ_between_studies() -> None:
    key, other = b"k" * 32, b"o" * 32
    assert pseudonym(key, 601) == pseudonym(key, 601) != pseudonym(key, 602)
    assert pseudonym(key, 601) != pseudonym(other, 601)
    assert "601" not in pseudonym(key, 601) and len(pseudonym(key, 601)) == 10


def test_a_file_whose_texts_no_message_could_show_is_refused_at_loading(catalogue: Catalogue) -> None:
    """Texts as long as allowed fit every message that shows them (tests/test_every_message.py); longer ones
    are named at loading, in every language, instead of being refused by Telegram at each question."""

    def file(title: int, text: int, option: int) -> bytes:
        longest = {"en": "t" * title, "fr": "é" * title}
        question = {"en": "q", "es": "ñ" * text}
        return json.dumps(
            {
                "study": "s",
                "round": 1,
                "title": longest,
                "opens": "2026-12-01T00:00:00Z",
                "closes": "2026-12-10T00:00:00Z",
                "questions": [
                    {"id": "a", "type": "choice", "text": question, "options": ["o" * option, "p"]},
                    {"id": "b", "type": "likert", "text": "q", "labels": {"9": "l" * option}},
                ],
            }
        ).encode()

    now = datetime(2026, 11, 1, tzinfo=UTC)
    assert parse(file(TITLE_LIMIT, QUESTION_LIMIT, OPTION_LIMIT), catalogue, now).title("fr") == "é" * TITLE_LIMIT
    with pytest.raises(RoundFileRefused) as refused:
        parse(file(TITLE_LIMIT + 1, QUESTION_LIMIT + 1, OPTION_LIMIT + 1), catalogue, now)
    assert [(p.path, p.code, p.args) for p in refused.value.problems] == [
        ("title", "too_long", ("200",)),
        ("questions[0].text", "too_long", ("1000",)),
        ("questions[0].options[0]", "too_long", ("100",)),
        ("questions[1].labels.9", "too_long", ("100",)),
    ]


def test_texts_in_charts_are_plain_text_never_tex(catalogue: Catalogue) -> None:
    """Two dollar signs in a question or an option made matplotlib read TeX and fail: no chart, no PDF."""
    money = "Budget from $5M (50%) or $2M?"
    question = Question.model_validate(
        {"id": "q9", "type": "choice", "text": money, "options": ["$5M (50%)", "$2M_x^2 or $1M"]}
    )
    rounds = []
    for number, answers in ((1, [given(1, 0), given(2, 1)]), (2, [given(1, 1)])):
        empty = round_of(number, question, answers)
        whole = part(empty.round, question, answers)
        rounds.append(replace(empty, questions=[QuestionResult(0, question, 2, whole, {}, {})]))
    assert chart(translator("en"), rounds[0].questions[0], money).startswith(b"\x89PNG")
    panel = Composition(2, 1, groups({}), groups({}))
    made = report_pdf(translator("en"), assembled(StudyResults(rounds, []), [panel, panel]), catalogue, NOW)
    assert money in " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(made)).pages)
