"""The Delphi study's report, the PDF the Secretariat circulates: made by the bot, read back as a reader would.

It tells what `/delphi_results` and `/delphi_status` tell, by the same rules: the study's minimum group size and
its merging, the participation flow, the comments the Secretariat showed, the paired stability of every pair of
rounds, each scale's bands, and the stopping rules with what they said after each round."""

from __future__ import annotations

import io
import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from pypdf import PdfReader

from bot.delphi_models import Question, RoundFile
from bot.i18n import translator
from bot.models import Catalogue, RegistrationStatus, Role
from bot.services.delphi_report import assembled, changes
from bot.services.delphi_results import Flow, Participation, QuestionResult, Results, StudyResults, compare, part
from bot.storage.delphi import Given, StoredRound
from bot.views.delphi_charts import rounds_figure, share_limit
from bot.views.delphi_report import report_pdf
from bot.views.delphi_results import stability_parts, stop_words
from bot.views.pdf import MARGIN
from bot.views.words import when
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, bot_with, seed
from tests.pdf_layout import beyond_margins, drawn
from tests.standin import BotApiStandIn
from tests.test_delphi import answer, document_of, send_round, table
from tests.test_languages import french_typography_faults

STUDY = "soil-carbon-2030"
TITLE = {
    "en": "Implementation strategies 2030 for the Task Forces of the Strategic Plan: regional helpdesks, the "
    "toolbox for measuring soil organic carbon, and the money each region still lacks",
    "fr": "Stratégies de mise en œuvre 2030 des Task Forces du Plan stratégique\u00a0: guichets régionaux, boîte "
    "à outils pour le carbone organique des sols, et l'argent qui manque à chaque région",
}
REGIONS = {  # options of 80 to 100 characters: the old PDF cut them at 24 ("Latin America and the Ca")
    "en": [
        "Latin America and the Caribbean, beginning with the small island states and their coastal soils",
        "Sub-Saharan Africa and its drylands, where soil organic carbon is the lowest today",
        "Asia and Pacific",
    ],
    "fr": [
        "Amérique latine et Caraïbes, en commençant par les petits États insulaires et leurs sols côtiers",
        "Afrique subsaharienne et ses terres arides, où le carbone organique des sols est le plus bas",
        "Asie et Pacifique",
    ],
}
RUNNERS = {
    "en": ["The FAO's regional offices, with the Secretariat's help and a budget of its own", "Us"],
    "fr": ["Les bureaux régionaux de la FAO, avec l'aide du Secrétariat et un budget propre", "Nous"],
}
ALONE = (("B3", Role.MEMBER, RegistrationStatus.ACTIVE),)
# With the study's minimum of 3: four researchers in Africa, four in civil society in Europe, one private company in
# Latin America. The company is under the minimum; merged with it alone, Other groups would be that one person, so
# the smaller of the two groups of four joins it: "Research and education 4, Other groups 5". The report's own rule
# (5, no joining) said "other 9", and the same rule under the study's 3 "... 4, other 1", the company alone.
RESEARCHERS = [Seeded(700 + n, places=ALONE) for n in range(4)]
CIVIL = [Seeded(704 + n, region="Europe", kind="Civil society and NGOs", places=ALONE) for n in range(4)]
COMPANY = Seeded(708, region="Latin America and the Caribbean", kind="Private companies", places=ALONE)
PANEL = [*RESEARCHERS, *CIVIL, COMPANY]
UNREACHABLE = CIVIL[3].telegram_id  # blocked the bot: invited to both rounds, reached by neither
# Round 1, q1 by eight: 5 of 8 in 7–9 (62.5 %), no consensus, asked again; the company answers q1 only.
# Round 2, q1 by seven (706 answers nothing: dropped): 6 of 7 in 7–9, none in 1–3, consensus in; no question goes on.
FIRST_POINTS = {700: "2", 701: "7", 702: "7", 703: "8", 704: "3", 705: "9", 706: "5", 708: "7"}
SECOND_POINTS = {700: "7", 701: "7", 702: "8", 703: "8", 704: "7", 705: "6", 708: "9"}
# Comments on q1 in round 1, in the order of the Secretariat's list: the first shown, the second never reviewed,
# the third hidden. Only the first reached round 2's panel.
SHOWN, UNREVIEWED, HIDDEN = "Too costly for now, and the regions differ.", "Helpdesks work in Kenya.", "Ask Ms Dupont."
COMMENTS = {700: SHOWN, 701: UNREVIEWED, 704: HIDDEN}


def options(texts: dict[str, list[str]]) -> list[dict[str, str]]:
    return [{"en": en, "fr": fr} for en, fr in zip(texts["en"], texts["fr"], strict=True)]


def study_round(now: datetime, number: int, questions: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "study": STUDY,
        "round": number,
        "title": TITLE,
        "opens": (now + timedelta(hours=1)).isoformat(),
        "closes": (now + timedelta(days=10)).isoformat(),
        "questions": questions,
    }
    if number == 1:
        data |= {
            "panel": {"taskforces": ["B3"], "registered_before": (now - timedelta(days=1)).isoformat()},
            "consensus": {"rule": "70/15"},
            "min_group": 3,
            "stopping": {"max_rounds": 3},
        }
    return data


FIRST_QUESTIONS = [
    {
        "id": "q1",
        "type": "likert",
        "text": {
            "en": "How important is a regional helpdesk by 2030?",
            "fr": "Quelle importance pour un guichet\u202f?",
        },
        "labels": {"1": "not important", "9": "critical"},
    },
    {"id": "q2", "type": "choice", "text": {"en": "Which region first?", "fr": "Quelle région d'abord\u202f?"}},
    {"id": "q3", "type": "number", "text": "Share of countries using the toolbox by 2030 (%)", "min": 0, "max": 100},
]
FIRST_QUESTIONS[1]["options"] = options(REGIONS)
NEW_QUESTION = {
    "id": "q5",
    "type": "choice",
    "text": {"en": "Who should run it?", "fr": "Qui devrait le porter\u202f?"},
    "options": options(RUNNERS),
}


async def two_rounds(running: RunningBot, admin: ChatUser) -> str:
    """Round 1 answered and closed, its comments reviewed; round 2 (q1 asked again, q5 new) loaded, then opened,
    answered and closed. Returns the report's text while round 2 was loaded and not open yet."""
    running.standin.forbidden_chats.add(UNREACHABLE)
    await seed(running, *PANEL)
    assert running.db is not None
    await running.db.write(
        "UPDATE registrations SET created_at = ?", ((running.clock() - timedelta(days=5)).isoformat(),)
    )
    assert "Round loaded" in (await send_round(admin, study_round(running.clock(), 1, FIRST_QUESTIONS))).text
    running.clock.advance(hours=2)
    await running.settled()
    for place, (who, point) in enumerate(FIRST_POINTS.items()):
        person = ChatUser(running.standin, who)
        await answer(person, "How important", point, comment=COMMENTS.get(who))
        if who != COMPANY.telegram_id:
            await answer(person, "Which region", "Latin America" if place % 2 else "Sub-Saharan")
            await answer(person, "Share of countries", str(10 * place), typed=True)
    await admin.say(f"/delphi_close {STUDY}")
    assert "Round loaded" in (await send_round(admin, study_round(running.clock(), 2, [NEW_QUESTION]))).text
    await admin.say(f"/delphi_comments {STUDY}")
    await admin.press("1: show")
    await admin.press("3: hide")
    _reader, loaded = await report_read(admin)
    running.clock.advance(hours=2)
    await running.settled()
    for place, (who, point) in enumerate(SECOND_POINTS.items()):
        person = ChatUser(running.standin, who)
        await answer(person, "How important", point)
        await answer(person, "Who should run it", "The FAO" if place < 5 else "Us")
    await admin.say(f"/delphi_close {STUDY}")
    return loaded


async def report_read(admin: ChatUser) -> tuple[PdfReader, str]:
    """The PDF /delphi_results sends, and its text with every run of spaces and line ends made one space."""
    marker = len(admin.standin.sent)
    await admin.say(f"/delphi_results {STUDY}")
    sent = await admin.standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)
    assert sent.params.get("caption")
    reader = PdfReader(io.BytesIO(document_of(sent)))
    return reader, read_text(reader)


def read_text(reader: PdfReader) -> str:
    return re.sub(r"[ \n]+", " ", "\n".join(page.extract_text() for page in reader.pages))


def laid_out(text: str) -> str:
    """A text as fpdf2 writes it: a no-break space is kept from breaking the line, then written as a space."""
    return text.replace("\u00a0", " ")


async def test_the_report_says_the_study_whole_in_the_requesters_language(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        english, french = (ChatUser(standin, ADMIN_ID, first_name="Sec", language_code=code) for code in ("en", "fr"))
        loaded = await two_rounds(running, english)
        moments = await table(running, "SELECT opened_at, closed_at FROM delphi_rounds ORDER BY round")
        read = {language: await report_read(admin) for language, admin in (("en", english), ("fr", french))}

    for language, (reader, text) in read.items():
        _ = translator(language)
        assert reader.metadata is not None and reader.metadata.title == TITLE[language]
        assert reader.trailer["/Root"]["/Lang"] == language
        assert laid_out(TITLE[language]) in text
        assert STUDY not in text  # titled by its title, not its code
        for opened, closed in moments:
            assert when(_, datetime.fromisoformat(opened)) in text and when(_, datetime.fromisoformat(closed)) in text
        for label in (*REGIONS[language], *RUNNERS[language]):
            assert laid_out(label) in text

    _, english_text = read["en"]
    assert "70/15, rounds 1, 2: consensus in when at least 70 % of the answers are in the top third" in english_text
    assert "9 points: 1–3 | 4–6 | 7–9" in english_text and "Hyndman and Fan's definition 7" in english_text
    assert "members of B3" in english_text  # eligibility
    assert "no consensus" in english_text and "consensus in" in english_text
    assert "Asked again: q1 (no consensus in round 1)" in english_text
    assert "New: q5" in english_text and "Not asked again: q2, q3" in english_text
    assert "Median 7 · interquartile range 4.5–7.25" in english_text  # what round 2's panellists read of round 1

    # The study's minimum group size and the one merging rule, in the panel's make-up of both rounds.
    assert "a group of fewer than 3 panellists is merged into Other groups" in english_text
    assert english_text.count("By stakeholder type: Research and education 4, Other groups 5") == 2
    assert english_text.count("By region: Europe 4, Other groups 5") == 2  # of two groups of 4, Africa joins
    for alone in ("Civil society", "Private companies"):
        assert alone not in english_text

    # The participation flow: invited, could not be reached, answered one, answered all (and dropped since round 1).
    assert "Total 9 1 8 7 By stakeholder type: · Research and education 4 0 4 4 · Other groups 5 1 4 3" in english_text
    assert "Dropped since round 1 Total 9 1 7 7 1 By stakeholder type: · Research and education 4 0 4 4 0" in (
        english_text
    )
    assert "By region: · Europe 4 1 3 3 · Other groups 5 0 5 4 Round 2" in english_text
    assert "By region: · Europe 4 1 2 2 1 · Other groups 5 0 5 5 0" in english_text

    # Only the comment the Secretariat showed was fed back: neither the hidden one nor the one never reviewed.
    assert f"Comments shown: « {SHOWN} »" in english_text
    assert UNREVIEWED not in english_text and HIDDEN not in english_text

    # Paired stability, as /delphi_results says it; the stopping rules, fixed in round 1, and what they said.
    paired = (
        "q1: 7 answered both rounds (1 dropped out, 0 new); 5 of 7 changed their answer (71 %); 3 of 7 changed band"
    )
    assert paired in english_text
    fixed = "Stopping rules: at most 3 rounds; a question stops when it reaches consensus, fixed in round 1's file"
    assert fixed in english_text
    assert "After round 1 q1: goes on to the next round q2: not judged" in english_text
    assert "After round 2 q1: stops (consensus reached) q5: not judged" in english_text
    assert "The study is complete: no question goes on under the stopping rules fixed in advance." in english_text

    # Loaded, not open yet: round 2 had no panel, had fed nothing back, nobody had dropped out of it, and the study
    # was not complete.
    assert "The panel is formed when the round opens." in loaded and "nothing was fed back" in loaded
    assert "dropped out" not in loaded and "Stability needs a question asked in two rounds." in loaded
    assert "After round 1 q1: goes on to the next round" in loaded and "After round 2" not in loaded
    assert "The study is complete:" not in loaded

    _, french_text = read["fr"]
    assert "Plan stratégique" in french_text and "Implementation strategies" not in french_text
    assert "pas de consensus" in french_text and "consensus pour" in french_text
    assert "Tours" in french_text and "Rounds" not in french_text
    assert f"« {SHOWN} »" in french_text and "Recherche et enseignement 4, Autres groupes 5" in french_text
    # The narrow no-break spaces before ; ? ! are written as such; a no-break space (before :, inside « ») is
    # written as a space, so a space stands where one is due, and none is missing.
    written = french_text.replace(" :", "\u00a0:").replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    assert french_typography_faults(written) == []


# ---------------------------------------------------------------- the parts, without a chat


SCALE = Question.model_validate({"id": "q1", "type": "likert", "text": "How important?"})
CHOICE = Question.model_validate({"id": "q2", "type": "choice", "text": "Where?", "options": REGIONS["en"]})


def round_results(number: int, questions: list[Question], answers: list[Given], **fields: Any) -> Results:
    """Round `number` of a study, opened and closed, asking these questions (again, after round 1) of six
    panellists; `fields` are its file's others (a rule, stopping rules)."""
    data: dict[str, Any] = {
        "study": "s",
        "round": number,
        "title": "t",
        "questions": [q.model_dump() for q in questions],
    }
    data |= {"opens": "2026-12-01T00:00:00Z", "closes": "2026-12-10T00:00:00Z", **fields}
    file = RoundFile.model_validate(data | ({"repeat": [q.id for q in questions]} if number > 1 else {}))
    moment = datetime(2026, 12, number).astimezone()
    stored = StoredRound(number, file, moment, moment, moment)
    results = [
        QuestionResult(index, q, 6, part(stored, q, [a for a in answers if a.question == index]), {}, {})
        for index, q in enumerate(questions)
    ]
    return Results(stored, results, answers, {}, 3)


def answered(question: Question, values: list[float]) -> QuestionResult:
    answers = [Given(0, person, value, None, None, None, None) for person, value in enumerate(values)]
    return round_results(1, [question], answers).questions[0]


def test_a_questions_rounds_are_drawn_on_the_same_axes_with_every_label_whole() -> None:
    # Round 1 spreads out (largest share 40 %), round 2 gathers (75 %): drawn alone, their axes would differ.
    rounds = [answered(CHOICE, [0, 0, 1, 1, 2]), answered(CHOICE, [0, 0, 0, 1]), answered(CHOICE, [2])]
    headings = [f"Round {n}: uncertain (disagreement: IPR 3.2, IPRAS 2.35) · n = 5" for n in range(1, 4)]
    figure = rounds_figure(translator("en"), list(zip(headings, rounds, strict=True)))
    drawn = [axes for axes in figure.axes if axes.get_visible()]
    assert len(drawn) == 3
    assert {axes.get_xlim() for axes in drawn} == {(0.0, 100.0)} and share_limit(rounds[:2]) == 80.0
    assert {axes.get_ylim() for axes in drawn} == {(2.5, -0.5)}
    labels = [tick.get_text().replace("\n", " ") for tick in drawn[0].get_yticklabels()]
    assert labels == REGIONS["en"]
    assert_every_text_whole_and_apart(figure)
    scale = [answered(SCALE, [2, 7, 7, 8]), answered(SCALE, [7, 7, 7, 8, 9, 9, 9, 9, 9, 9])]
    figure = rounds_figure(translator("en"), [("1", scale[0]), ("2", scale[1])])
    assert {axes.get_xlim() for axes in figure.axes} == {(0.0, 70.0)}  # 60 % of round 2 gave 9


def assert_every_text_whole_and_apart(figure: Figure) -> None:
    """Every label, tick and title drawn inside the figure (none cut at its edge), no two titles overlapping."""
    figure.canvas.draw()  # where the axis labels go is worked out when drawing
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [
        text
        for axes in figure.axes
        for text in (*axes.get_yticklabels(), *axes.get_xticklabels(), axes.title, axes.xaxis.label)
        if text.get_visible() and text.get_text()
    ]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1, text.get_text()
        assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1, text.get_text()
    titles = [axes.title.get_window_extent(renderer) for axes in figure.axes]
    assert not any(one.overlaps(other) for place, one in enumerate(titles) for other in titles[place + 1 :])


# Three rounds under iqr:1.5, stopping by consensus or stability within three rounds. q4 names its agreement region
# (3–4 of 4 points), q6 has no midpoint and names none (halves), q9 agrees from 6 of 9 points. Panellists 0–5 answer
# rounds 1 and 2; panellist 5 drops out of round 3.
AGREE_FOUR = Question.model_validate({"id": "q4", "type": "likert", "scale": 4, "agree": [3, 4], "text": "Agree?"})
HALVES = Question.model_validate({"id": "q6", "type": "likert", "scale": 6, "text": "How far?"})
AGREE_NINE = Question.model_validate({"id": "q9", "type": "likert", "agree": [6, 7, 8, 9], "text": "How much?"})
POINTS = [  # per round, per question, per panellist
    [[1, 2, 2, 3, 3, 4], [1, 2, 3, 4, 5, 6], [1, 3, 5, 6, 8, 9]],
    [[2, 3, 3, 3, 3, 4], [2, 3, 4, 4, 5, 6], [3, 5, 6, 7, 8, 9]],
    [[3, 3, 3, 3, 3], [3, 4, 4, 4, 5], [5, 6, 7, 7, 8]],
]


def test_every_pair_of_rounds_each_scales_bands_and_the_stopping_rules_are_reported(catalogue: Catalogue) -> None:
    rules = {"consensus": {"rule": "iqr:1.5"}, "stopping": {"max_rounds": 3, "when": "either"}}
    rounds = []
    for number, points in enumerate(POINTS, start=1):
        answers = [Given(q, who, p, None, None, None, None) for q, ps in enumerate(points) for who, p in enumerate(ps)]
        rounds.append(round_results(number, [AGREE_FOUR, HALVES, AGREE_NINE], answers, **rules))
    study = StudyResults(rounds, [compare(before, after) for before, after in itertools.pairwise(rounds)])
    flows = [Participation(n, n - 1 or None, Flow(6, 0, 6, 6, 0), {}, {}, 3) for n in (1, 2, 3)]
    made = assembled(study, flows, [{}, {}, {}])
    _ = translator("en")
    text = read_text(PdfReader(io.BytesIO(report_pdf(_, made, catalogue, datetime(2026, 12, 20).astimezone()))))

    # The method: each scale's cut as the shares and stability read it, and the stopping rules fixed in round 1.
    cuts = "4 points, agreement region 3–4 (q4): 1–2 | 3–4; 6 points: 1–3 | 4–6; 9 points, agreement region 6–9 (q9)"
    assert f"{cuts}: 1–4 | 5 | 6–9." in text
    stopping = "Stopping rules: at most 3 rounds; a question stops when it reaches consensus or its answers are stable"
    assert stopping in text and "no stopping rule" not in text
    # The results: each band's points and share, as /delphi_results shows them (round 1: 3 of 6 agree on q4,
    # 3 of 6 in the upper half of q6, on q9 2 of 6 in 1–4, 1 in 5, 3 in 6–9).
    assert "Shares: 1–2 50 % · 3–4 50 %" in text and "Shares: 1–3 50 % · 4–6 50 %" in text
    assert "Shares: 1–4 33 % · 5 17 % · 6–9 50 %" in text
    # Every pair of rounds, not the last alone, with the figures of /delphi_results; round 2 → 3 on q4 by hand:
    # five in both rounds, panellist 5 (who gave 4) dropped; 2 → 3 is the one change of answer, and of band.
    for pair in study.stability:
        assert f"Round {pair.before} → round {pair.after}" in text
        for item in pair.questions:
            assert f"{item.question.id}: " + "; ".join(stability_parts(_, item)) in text
    by_hand = (
        "q4: 5 answered both rounds (1 dropped out, 0 new); 1 of 5 changed their answer (20 %); 1 of 5 changed band"
    )
    assert by_hand in text
    # What the stopping rules said after each round, and the study complete at its last.
    for item in made.rounds:
        said = " ".join(f"{q}: {stop_words(_, stop)}" for q, stop in item.conclusion.stops.items())
        assert f"After round {item.results.round.file.round} {said}" in text
    assert "After round 1 q4: stops (consensus reached)" in text  # IQR 1 of 1, 2, 2, 3, 3, 4
    assert "q6: goes on to the next round" in text  # IQR 2.5, and nothing yet to be stable against
    assert "The study is complete: round 3 was the last of at most 3 rounds fixed in advance." in text


def test_a_word_longer_than_a_line_is_split_whole_and_stays_within_the_margins(catalogue: Catalogue) -> None:
    # In the question's paragraph, its heading over the chart, the results table's narrow columns and the chart.
    link = "https://example.org/" + "regional-helpdesks-for-soil-organic-carbon/" * 6
    asked = Question.model_validate(
        {"id": "q7", "type": "choice", "text": f"Which plan, as in {link}?", "options": [f"{link}plan", "None"]}
    )
    answers = [Given(0, person, float(person % 2), None, None, None, None) for person in range(6)]
    study = StudyResults([round_results(1, [asked], answers)], [])
    made = assembled(study, [Participation(1, None, Flow(6, 0, 6, 6, 0), {}, {}, 3)], [{}])
    pdf = report_pdf(translator("en"), made, catalogue, datetime(2026, 12, 20).astimezone())

    pieces = drawn(pdf)
    assert f"Which plan, as in{link}?" in "".join(piece.text for piece in pieces)  # not a character lost
    assert not any(link in piece.text for piece in pieces)  # too long for a line, it was split
    assert beyond_margins(pdf, MARGIN) == []


def test_round_to_round_names_what_was_asked_again_added_and_dropped() -> None:
    def file(number: int, ids: list[str], repeat: list[str] | None = None) -> RoundFile:
        questions = [{"id": name, "type": "likert", "text": name} for name in ids]
        data: dict[str, Any] = {"study": "s", "round": number, "title": "t", "questions": questions}
        data |= {"opens": "2026-12-01T00:00:00Z", "closes": "2026-12-10T00:00:00Z", "repeat": repeat}
        return RoundFile.model_validate(data)

    found = changes(file(1, ["a", "b", "c"]), file(2, ["c", "a", "d"], repeat=["c", "a"]))
    assert (found.repeated, found.added, found.dropped) == (["c", "a"], ["d"], ["b"])
