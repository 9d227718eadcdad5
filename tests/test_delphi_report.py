"""The Delphi study's report, the PDF the Secretariat circulates: made by the bot, read back as a reader would."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from pypdf import PdfReader

from bot.delphi_models import Question, RoundFile
from bot.i18n import translator
from bot.models import Catalogue, RegistrationStatus, Role
from bot.services.delphi_report import Composition, assembled, changes, groups
from bot.services.delphi_results import QuestionResult, Results, StudyResults, part
from bot.storage.delphi import Given, StoredRound
from bot.views.delphi_charts import rounds_figure, share_limit
from bot.views.words import when
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, bot_with, seed
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
PANEL = [  # five in the largest groups; two alone in theirs, whom the report must not single out
    *(Seeded(700 + n, places=(("B3", Role.MEMBER, RegistrationStatus.ACTIVE),)) for n in range(5)),
    Seeded(
        705, region="Europe", kind="Civil society and NGOs", places=(("B3", Role.MEMBER, RegistrationStatus.ACTIVE),)
    ),
    Seeded(
        706,
        region="Latin America and the Caribbean",
        kind="Private companies",
        places=(("B3", Role.MEMBER, RegistrationStatus.ACTIVE),),
    ),
]
# Round 1, q1: 4 of 7 in 7–9 (57 %): no consensus, asked again. Round 2: 6 of 7, none in 1–3: consensus in.
FIRST_POINTS, SECOND_POINTS = ("2", "7", "7", "8", "3", "9", "5"), ("7", "7", "8", "8", "7", "6", "9")
COMMENT = "Too costly for now, and the regions differ."


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


async def two_rounds(running: RunningBot, admin: ChatUser) -> None:
    """Round 1 answered by the seven and closed; round 2 (q1 asked again, q5 new) answered and closed."""
    await seed(running, *PANEL)
    assert running.db is not None
    await running.db.write(
        "UPDATE registrations SET created_at = ?", ((running.clock() - timedelta(days=5)).isoformat(),)
    )
    people = [ChatUser(running.standin, seeded.telegram_id) for seeded in PANEL]
    assert "Round loaded" in (await send_round(admin, study_round(running.clock(), 1, FIRST_QUESTIONS))).text
    running.clock.advance(hours=2)
    await running.settled()
    for place, (person, point) in enumerate(zip(people, FIRST_POINTS, strict=True)):
        await answer(person, "How important", point, comment=COMMENT if place == 0 else None)
        await answer(person, "Which region", "Latin America" if place % 2 else "Sub-Saharan")
        await answer(person, "Share of countries", str(10 * place), typed=True)
    await admin.say(f"/delphi_close {STUDY}")
    assert "Round loaded" in (await send_round(admin, study_round(running.clock(), 2, [NEW_QUESTION]))).text
    running.clock.advance(hours=2)
    await running.settled()
    for place, (person, point) in enumerate(zip(people, SECOND_POINTS, strict=True)):
        await answer(person, "How important", point)
        await answer(person, "Who should run it", "The FAO" if place < 5 else "Us")
    await admin.say(f"/delphi_close {STUDY}")


async def report_read(admin: ChatUser) -> tuple[PdfReader, str]:
    """The PDF /delphi_results sends, and its text with every run of spaces and line ends made one space."""
    marker = len(admin.standin.sent)
    await admin.say(f"/delphi_results {STUDY}")
    sent = await admin.standin.wait_for(lambda s: document_of(s).startswith(b"%PDF"), start=marker)
    assert sent.params.get("caption")
    reader = PdfReader(io.BytesIO(document_of(sent)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"[ \n]+", " ", text)


def laid_out(text: str) -> str:
    """A text as fpdf2 writes it: a no-break space is kept from breaking the line, then written as a space."""
    return text.replace("\u00a0", " ")


async def test_the_report_says_the_study_whole_in_the_requesters_language(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:
        english, french = (ChatUser(standin, ADMIN_ID, first_name="Sec", language_code=code) for code in ("en", "fr"))
        await two_rounds(running, english)
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
    assert "By stakeholder type: Research and education 5, other 2" in english_text
    assert "By region: Africa 5, other 2" in english_text and "Europe" not in english_text
    assert "no consensus" in english_text and "consensus in" in english_text
    assert "Asked again: q1 (no consensus in round 1)" in english_text
    assert "New: q5" in english_text and "Not asked again: q2, q3" in english_text
    assert f"« {COMMENT} »" in english_text  # fed back before q1 in round 2
    assert "Median 7 · interquartile range 4–7.5" in english_text  # what round 2's panellists read of round 1

    _, french_text = read["fr"]
    assert "Plan stratégique" in french_text and "Implementation strategies" not in french_text
    assert "pas de consensus" in french_text and "consensus pour" in french_text
    assert "Tours" in french_text and "Rounds" not in french_text
    assert f"« {COMMENT} »" in french_text
    # The narrow no-break spaces before ; ? ! are written as such; a no-break space (before :, inside « ») is
    # written as a space, so a space stands where one is due, and none is missing.
    written = french_text.replace(" :", "\u00a0:").replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    assert french_typography_faults(written) == []


# ---------------------------------------------------------------- the parts, without a chat


SCALE = Question.model_validate({"id": "q1", "type": "likert", "text": "How important?"})
CHOICE = Question.model_validate({"id": "q2", "type": "choice", "text": "Where?", "options": REGIONS["en"]})


def round_results(number: int, question: Question, answers: list[Given], *, opened: bool = True) -> Results:
    """A round of one question (asked again after round 1) and its answers."""
    data: dict[str, Any] = {"study": "s", "round": number, "title": "t", "questions": [question.model_dump()]}
    data |= {"opens": "2026-12-01T00:00:00Z", "closes": "2026-12-10T00:00:00Z"}
    file = RoundFile.model_validate(data | ({"repeat": [question.id]} if number > 1 else {}))
    moment = datetime(2026, 12, number).astimezone()
    stored = StoredRound(number, file, moment, moment if opened else None, None)
    result = QuestionResult(0, question, len(answers), part(stored, question, answers), {}, {})
    return Results(stored, [result], answers, {})


def answered(question: Question, values: list[float]) -> QuestionResult:
    answers = [Given(0, person, value, None, None, None, None) for person, value in enumerate(values)]
    return round_results(1, question, answers).questions[0]


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


def test_the_panels_make_up_counts_small_groups_together() -> None:
    found = groups({"Africa": 6, "Europe": 5, "Asia and Pacific": 1, "": 2, "North America": 4})
    assert found.shown == [("Africa", 6), ("Europe", 5)] and found.other == 7
    assert groups({"Africa": 2}).shown == [] and groups({"Africa": 2}).other == 2


def test_a_later_round_has_fed_back_the_previous_result_once_it_has_opened() -> None:
    first = round_results(
        1, SCALE, [Given(0, 1, 2, None, "Too costly.", None, None), Given(0, 2, 8, None, None, None, None)]
    )
    panel = Composition(2, 2, groups({}), groups({}))
    for opened in (False, True):
        second = round_results(2, SCALE, [], opened=opened)
        said = assembled(StudyResults([first, second], []), [panel, panel]).rounds[1].fed_back
        if not opened:
            assert said == {}  # loaded, not open: nobody has read anything yet
            continue
        assert list(said) == ["q1"] and said["q1"].round == 1
        assert said["q1"].result.whole.count == 2 and said["q1"].comments == ["Too costly."]


def test_round_to_round_names_what_was_asked_again_added_and_dropped() -> None:
    def file(number: int, ids: list[str], repeat: list[str] | None = None) -> RoundFile:
        questions = [{"id": name, "type": "likert", "text": name} for name in ids]
        data: dict[str, Any] = {"study": "s", "round": number, "title": "t", "questions": questions}
        data |= {"opens": "2026-12-01T00:00:00Z", "closes": "2026-12-10T00:00:00Z", "repeat": repeat}
        return RoundFile.model_validate(data)

    found = changes(file(1, ["a", "b", "c"]), file(2, ["c", "a", "d"], repeat=["c", "a"]))
    assert (found.repeated, found.added, found.dropped) == (["c", "a"], ["d"], ["b"])
