"""What a Delphi round says, for the Secretariat only: response rates, figures, verdicts, comments.

Panellists appear only as pseudonyms: a keyed hash (HMAC-SHA-256) of their id with the
study's own random key, kept in the database and never shown, so the same person has the
same pseudonym in every round of a study and nobody can turn it back into a Telegram id
without the key. Facilitators get nothing here: individual answers are nobody's business
but the panellist's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.delphi_models import Question, QuestionType
from bot.services.consensus import Figures, Outcome, distribution, figures, thirds, verdict
from bot.services.errors import Refused
from bot.services.facilitation import require_admin
from bot.storage import delphi as rows
from bot.storage.database import Database
from bot.storage.delphi import Given, Response, StoredRound

PSEUDONYM_LENGTH = 10  # hex digits: collisions among thousands of panellists stay improbable


@dataclass(frozen=True)
class Status:
    round: StoredRound
    by_question: list[Response]
    by_taskforce: list[Response]


async def status(db: Database, actor: int, admins: Collection[int], study: str | None, now: datetime) -> list[Status]:
    """The running rounds (or the study's latest round): answers given against answers asked."""
    require_admin(actor, admins)
    if study is not None:
        found = await rows.find(db, study)
        if found is None:
            raise Refused("no_study", study=study)
        chosen = [found]
    else:
        chosen = await rows.running(db, now)
    return [
        Status(stored, await rows.response_by_question(db, stored.id), await rows.response_by_taskforce(db, stored.id))
        for stored in chosen
    ]


@dataclass(frozen=True)
class Part:
    """The figures of one question among some of the panel (everyone, a region, a stakeholder type)."""

    count: int
    figures: Figures | None  # Likert and number
    outcome: Outcome | None  # by the file's rule, where it applies
    counts: list[int]  # per point of a Likert scale, per option of a choice
    thirds: tuple[float, float, float] | None  # Likert


@dataclass(frozen=True)
class QuestionResult:
    index: int
    question: Question
    asked: int
    whole: Part
    by_type: dict[str, Part]
    by_region: dict[str, Part]
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    round: StoredRound
    questions: list[QuestionResult]
    given: list[Given]
    pseudonyms: dict[int, str]


async def results(db: Database, actor: int, admins: Collection[int], study: str, number: int | None) -> Results:
    require_admin(actor, admins)
    stored = await rows.find(db, study, number)
    if stored is None:
        raise Refused("no_study", study=study)
    given = await rows.given(db, stored.id)
    asked = await rows.asked_counts(db, stored.id)
    key = await rows.secret(db, study)
    by_question: dict[int, list[Given]] = {}
    for answer in given:
        by_question.setdefault(answer.question, []).append(answer)
    questions = [
        _question_result(stored, index, question, asked.get(index, 0), by_question.get(index, []))
        for index, question in enumerate(stored.file.questions)
    ]
    pseudonyms = {person: pseudonym(key, person) for person in {answer.person_id for answer in given}}
    return Results(stored, questions, given, pseudonyms)


def pseudonym(key: bytes, person_id: int) -> str:
    return hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _question_result(
    stored: StoredRound, index: int, question: Question, asked: int, answers: list[Given]
) -> QuestionResult:
    def grouped(key: str) -> dict[str, Part]:
        groups: dict[str, list[Given]] = {}
        for answer in answers:
            groups.setdefault(getattr(answer, key) or "—", []).append(answer)
        return {name: part(stored, question, members) for name, members in sorted(groups.items())}

    return QuestionResult(
        index=index,
        question=question,
        asked=asked,
        whole=part(stored, question, answers),
        by_type=grouped("stakeholder_type"),
        by_region=grouped("region"),
        comments=[answer.comment for answer in answers if answer.comment],
    )


def part(stored: StoredRound, question: Question, answers: Sequence[Given]) -> Part:
    values = [answer.value for answer in answers if answer.value is not None]
    rule = stored.file.consensus
    if question.type is QuestionType.LIKERT:
        scale = question.scale or 0
        return Part(
            len(answers),
            figures(values),
            verdict(rule, values, scale),
            distribution(values, scale),
            thirds(values, scale),
        )
    if question.type is QuestionType.NUMBER:
        outcome = verdict(rule, values, None) if rule.name == "iqr" else None
        return Part(len(answers), figures(values), outcome, [], None)
    if question.type is QuestionType.CHOICE:
        counted = Counter(int(value) for value in values)
        return Part(len(answers), None, None, [counted[place] for place in range(len(question.options))], None)
    return Part(len(answers), None, None, [], None)
