"""The shipped objectives.json is the Strategic Plan as the page gives it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.models import Catalogue

# The Initiative's page as it was read when objectives.json was written, kept with the tests so that
# a clean clone checks the numbers against it.
PAGE = Path(__file__).with_name("data") / "taskforces-page.txt"


def test_six_goals_and_twenty_four_objectives(catalogue: Catalogue) -> None:
    assert [goal.code for goal in catalogue.goals] == list("ABCDEF")
    goal_f = catalogue.goal("F")
    assert goal_f is not None and goal_f.title is not None and goal_f.title.en == "Crosscutting actions"
    expected = [
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
        "A6",
        "B1",
        "B2",
        "B3",
        "B4",
        "C1",
        "C2",
        "C3",
        "C4",
        "D1",
        "D2",
        "D3",
        "D4",
        "E1",
        "E2",
        "E3",
        "F1",
        "F2",
        "F3",
    ]
    assert [objective.code for objective in catalogue.objectives] == expected
    assert len(catalogue.regions) == 5 and len(catalogue.stakeholder_types) == 7
    assert [status.may_lead for status in catalogue.member_statuses] == [True, True, False]


def test_every_number_of_the_page_is_kept(catalogue: Catalogue) -> None:
    page = PAGE.read_text(encoding="utf-8")
    plan = page[page.index("Facilitate the emergence") : page.index("Task Force F3")]
    plan = re.sub(r"Task Force [A-F][1-6]|Baseline 202020302050|Baseline 2020(Target 2030Target 2050)?", " ", plan)
    numbers = set(re.findall(r"\d+(?:[.,]\d+)?", plan))
    stored = set(re.findall(r"\d+(?:[.,]\d+)?", catalogue.model_dump_json()))
    assert numbers - stored == set()
