"""The Delphi rules that need no chat: the comments a panellist hears, stability, pseudonyms."""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from bot.delphi_models import DEFAULT_MIN_GROUP, Question, RoundFile
from bot.i18n import translator
from bot.models import Catalogue
from bot.services.consensus import Verdict, figures
from bot.services.delphi import OPTION_LIMIT, QUESTION_LIMIT, TITLE_LIMIT, RoundFileRefused, parse
from bot.services.delphi_report import assembled
from bot.services.delphi_results import (
    OTHER,
    Conclusion,
    QuestionResult,
    Results,
    Stop,
    StudyResults,
    compare,
    conclude,
    heard,
    part,
    pseudonym,
    shown_groups,
    stability,
    table_groups,
)
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


def round_of(number: int, question: Question | list[Question], answers: list[Given], **fields: Any) -> Results:
    """A round of the study "s" with these questions (repeated from the round before) and answers; `fields` are
    the file's others (a rule, stopping rules)."""
    questions = question if isinstance(question, list) else [question]
    file = RoundFile.model_validate(
        {
            "study": "s",
            "round": number,
            "title": "t",
            "opens": "2026-12-01T00:00:00Z",
            "closes": "2026-12-10T00:00:00Z",
            "questions": [q.model_dump() for q in questions],
            **({"repeat": [q.id for q in questions]} if number > 1 else {}),
            **fields,
        }
    )
    stored = StoredRound(number, file, datetime(2026, 12, 10, tzinfo=UTC), None, None)
    results = [
        QuestionResult(index, q, len(answers), part(stored, q, [a for a in answers if a.question == index]), {}, {})
        for index, q in enumerate(file.questions)
    ]
    return Results(stored, results, answers, {}, DEFAULT_MIN_GROUP)


def test_stability_computed_by_hand_on_the_panellists_who_answered_both_rounds() -> None:
    # Both rounds: persons 1–5. Round 1: 2, 7, 7, 8, 5 (thirds: 20 % low, 20 % middle, 60 % high); round 2:
    # 2, 7, 7, 7, 7 (20 %, 0 %, 80 %). Moves: 0, 20 and 20 points: not under 15, not stable. Person 6 answers
    # only round 2 (1, low), person 7 only round 1 (9): neither counts, each is counted apart.
    before = round_of(1, SCALE, [given(1, 2), given(2, 7), given(3, 7), given(4, 8), given(5, 5), given(7, 9)])
    after = round_of(2, SCALE, [given(1, 2), given(2, 7), given(3, 7), given(4, 7), given(5, 7), given(6, 1)])
    (found,) = stability(before, after)
    assert (found.paired, found.dropped, found.joined) == (5, 1, 1)
    assert (round(found.largest_move, 6), found.stable) == (20.0, False)
    assert (found.changed, found.changed_band) == (2, 1)  # 8 → 7 within the top third; 5 → 7 out of the middle
    assert found.before is not None and found.after is not None
    assert (found.before.median, found.before.iqr, found.after.median, found.after.iqr) == (7, 2, 7, 0)
    # Quadratic weights: observed (0 + 0 + 0 + 1 + 4) / 5 = 1; by chance, from round 1's 2, 5, 7, 7, 8 and
    # round 2's 2, 7, 7, 7, 7: (1·4·25 + 2·1·25 + 1·1·36 + 1·4·1 + 1·1·9 + 1·4·4) / 25 = 8.6; κ = 1 − 1 / 8.6.
    assert found.kappa == pytest.approx(1 - 1 / 8.6)
    calm = round_of(2, SCALE, [given(1, 3), given(2, 7), given(3, 8), given(4, 8), given(5, 5)])  # within thirds
    assert stability(before, calm)[0].stable and stability(before, calm)[0].changed == 2
    assert stability(before, calm)[0].changed_band == 0
    # Choices: each option's share. A 1/3 → 2/3 is a move of 33 points; kappa unweighted.
    options_before = round_of(1, CHOICE, [given(1, 0), given(2, 1), given(3, 2)])
    options_after = round_of(2, CHOICE, [given(1, 0), given(2, 0), given(3, 2)])
    (options,) = stability(options_before, options_after)
    assert round(options.largest_move) == 33 and options.changed_band == 1
    # Observed disagreement 1/3; by chance 1 − (1·2 + 0 + 1·1) / 9 = 2/3: κ = 1 − (1/3) / (2/3) = 0.5.
    assert options.kappa == pytest.approx(0.5)


def test_one_dropout_no_longer_turns_a_stable_question_unstable() -> None:
    """Four panellists keep their answers; a fifth, who had answered 2, does not answer round 2. On all
    answers the bottom third went from 20 % to 0 %: "not stable". Nobody changed their mind."""
    before = round_of(1, SCALE, [given(1, 7), given(2, 8), given(3, 8), given(4, 9), given(5, 2)])
    after = round_of(2, SCALE, [given(1, 7), given(2, 8), given(3, 8), given(4, 9)])
    (found,) = stability(before, after)
    assert found.stable and found.largest_move == 0
    assert (found.paired, found.dropped, found.joined, found.changed) == (4, 1, 0, 0)
    assert found.kappa == 1.0
    nobody = round_of(2, SCALE, [given(8, 7)])
    assert not stability(before, nobody)[0].stable  # nobody answered both rounds: not judged stable


def test_a_move_from_2_to_3_on_a_4_point_scale_is_seen() -> None:
    """In thirds a 4-point scale is 1 | 2–3 | 4: 2 and 3, opposite answers, shared a band."""
    four = Question.model_validate({"id": "q4", "type": "likert", "scale": 4, "text": "Agree?", "agree": [3, 4]})
    rule = {"consensus": {"rule": "percent:70"}}
    before = round_of(1, four, [given(1, 2), given(2, 2), given(3, 3), given(4, 4)], **rule)
    after = round_of(2, four, [given(1, 3), given(2, 3), given(3, 3), given(4, 4)], **rule)
    (found,) = stability(before, after)
    assert (found.changed_band, found.largest_move, found.stable) == (2, 50.0, False)
    assert before.questions[0].whole.bands == (0.5, 0.0, 0.5)
    assert after.questions[0].whole.outcome is not None and after.questions[0].whole.outcome.verdict is Verdict.IN


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
    made = report_pdf(translator("en"), assembled(StudyResults(rounds, []), [None, None], [{}, {}]), catalogue, NOW)
    assert money in " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(made)).pages)


def test_a_group_under_the_minimum_is_merged_and_the_merged_group_is_never_the_whole_less_those_shown() -> None:
    def sizes(**groups: int) -> dict[str, list[int]]:
        return {name: list(range(size)) for name, size in groups.items()}

    def shown(**groups: int) -> dict[str, int]:
        return {name: len(members) for name, members in shown_groups(sizes(**groups), 5).items()}

    # The "International organisations: n = 1" beside two groups of five: alone it would be shown; merged
    # with nothing else it would be the whole less the others. The smaller of the two joins it.
    assert shown(io=1, research=5, states=5) == {"states": 5, OTHER: 6}
    assert shown(io=1, research=5) == {}  # merged, it is the whole: nothing more to show than the whole
    assert shown(a=6, b=5, c=2, d=3) == {"a": 6, "b": 5, OTHER: 5}  # together small groups reach the minimum
    assert shown(a=2, b=2) == {}  # the whole is under the minimum: no group at all
    assert shown(a=5, b=7) == {"a": 5, "b": 7}


def test_no_type_in_a_region_of_the_csv_holds_fewer_panellists_than_the_minimum() -> None:
    """The issue's CSV: 14 of 21 type × region cells held one person, whom /members then named."""
    regions = ["Africa", "Asia and Pacific", "Europe", "Latin America and the Caribbean", "North America"]
    others = ["International organisations", "Donors and foundations", "Private companies"]
    cells = (
        [("Research and education", "Africa")] * 7
        + [("States or local authorities", region) for region in regions]  # five alone, one type: shown as such
        + [(kind, region) for kind in others for region in regions[:3]]  # nine alone: neither type nor region
    )
    answers = [Given(0, person, 5, None, None, region, kind) for person, (kind, region) in enumerate(cells)]
    shown = table_groups([round_of(1, SCALE, answers)])
    assert Counter(shown.values()) == {
        ("Research and education", "Africa"): 7,
        ("States or local authorities", OTHER): 5,
        (OTHER, OTHER): 9,
    }
    fewer = [answer for answer in answers if answer.person_id < 16]  # four left of the nine: the officials join them
    assert Counter(table_groups([round_of(1, SCALE, fewer)]).values()) == {
        ("Research and education", "Africa"): 7,
        (OTHER, OTHER): 9,
    }


def test_the_stopping_rules_say_of_each_question_whether_it_stops_and_why() -> None:
    agreed = [given(person, 8) for person in range(1, 5)]  # 70/15: consensus in
    split = [given(person, point, question=1) for person, point in ((1, 2), (2, 5), (3, 8), (4, 8))]
    chosen = [given(person, 0, question=2) for person in range(1, 5)]
    questions = [SCALE, SCALE.model_copy(update={"id": "q1b"}), CHOICE]
    first, again = agreed + split + chosen, agreed + [replace(a, value=8) for a in split] + chosen

    def stops(number: int, answers: list[Given], when: str, most: int | None = None) -> dict[str, Stop]:
        """After round `number` (round 1 answered `first`), the study stopping `when`, in at most `most` rounds."""
        rules = {"stopping": {"max_rounds": most, "when": when}}
        found = round_of(number, questions, answers, **rules)
        compared = compare(round_of(1, questions, first, **rules), found) if number > 1 else None
        return conclude(found, compared).stops

    assert stops(1, first, "consensus") == {"q1": Stop.CONSENSUS, "q1b": Stop.GOES_ON, "q2": Stop.NOT_JUDGED}
    assert stops(1, first, "stable") == {"q1": Stop.GOES_ON, "q1b": Stop.GOES_ON, "q2": Stop.GOES_ON}  # one round
    assert stops(2, first, "stable") == {"q1": Stop.STABLE, "q1b": Stop.STABLE, "q2": Stop.STABLE}
    assert stops(2, first, "either") == {"q1": Stop.CONSENSUS, "q1b": Stop.STABLE, "q2": Stop.STABLE}
    # q1b's 2 and 5 move to 8: consensus, and not stable.
    assert stops(2, again, "stable") == {"q1": Stop.STABLE, "q1b": Stop.GOES_ON, "q2": Stop.STABLE}
    assert stops(2, again, "either") == {"q1": Stop.CONSENSUS, "q1b": Stop.CONSENSUS, "q2": Stop.STABLE}
    assert stops(2, first, "consensus", most=2) == {"q1": Stop.CONSENSUS, "q1b": Stop.LAST_ROUND, "q2": Stop.NOT_JUDGED}


def test_a_study_is_complete_at_its_last_round_or_when_no_question_goes_on() -> None:
    answers = [given(person, 8) for person in range(1, 5)]

    def conclusion(number: int, most: int | None, values: list[Given] = answers) -> Conclusion:
        return conclude(round_of(number, SCALE, values, stopping={"max_rounds": most}), None)

    assert conclusion(1, None).complete and conclusion(1, None).going_on == []  # consensus: stops
    undecided = [given(person, point) for person, point in ((1, 2), (2, 5), (3, 8))]
    assert not conclusion(1, 3, undecided).complete and conclusion(1, 3, undecided).going_on == ["q1"]
    assert conclusion(3, 3, undecided).complete and conclusion(3, 3, undecided).last_round


def test_agreement_regions_and_stopping_rules_are_checked_in_the_file(catalogue: Catalogue) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)

    def problems(question: dict[str, Any], **fields: Any) -> list[tuple[str, str]]:
        data = {
            "study": "s",
            "round": 1,
            "title": "t",
            "opens": "2026-12-01T00:00:00Z",
            "closes": "2026-12-10T00:00:00Z",
            "consensus": {"rule": "percent:70"},
            "questions": [{"id": "q", "type": "likert", "text": "Agree?", "scale": 4} | question],
        } | fields
        try:
            parse(json.dumps(data).encode(), catalogue, now)
        except RoundFileRefused as refused:
            return [(p.path, p.code) for p in refused.problems]
        return []

    assert problems({"agree": [4, 3]}) == []
    assert problems({"agree": [1]}) == []  # a scale read from 1 = agree
    for wrong in ([2, 3], [3, 5], [2, 4], [0, 1], [1, 2, 3, 4], [3, 3, 4]):
        assert problems({"agree": wrong}) == [("questions[0].agree", "agree_region")], wrong
    assert problems({"type": "choice", "scale": None, "options": ["a", "b"], "agree": [1]}) == [
        ("questions[0].agree", "only_for")
    ]
    nine = {"scale": 9, "agree": [7, 8, 9]}
    assert problems(nine, consensus={"rule": "70/15"}) == [("questions[0].agree", "agree_with_rule")]
    assert problems({}, stopping={"max_rounds": 0}) == [("stopping.max_rounds", "round_range")]
    assert problems({}, stopping={"when": "never"}) == [("stopping.when", "one_of")]
