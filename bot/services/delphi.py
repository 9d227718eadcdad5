"""The Delphi study's rules: a round loaded from its file, opened, answered, reminded, closed.

Every answer is a row written the moment it is given. What a panellist is asked is fixed
when the round opens (`delphi_asked`), so the next question, the progress and whom to
remind are questions to the database, and a restart finds everything where it was.

Typed answers (numbers, texts, comments) go to the flow that asked last: a Delphi question
waiting for typed text is a row (`delphi_waiting`), cleared by any other flow's button or
command, which asks something newer (see handlers/delphi.py).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.delphi_models import Question, QuestionType, RoundFile, Stopping
from bot.models import Catalogue, TextRefused
from bot.services.authority import require_admin
from bot.services.delphi_results import Conclusion, conclusion_of, feedback
from bot.services.errors import Refused
from bot.services.fields import clean_text
from bot.services.redelivery import delivered_again
from bot.storage import audit, outbox
from bot.storage import delphi as rows
from bot.storage.database import Database, Reader, Transaction
from bot.storage.delphi import Answer, OfRound, StoredRound

log = logging.getLogger("bot.delphi")
FILE_LIMIT = 256_000  # bytes: a round of 30 questions in three languages is a few kilobytes
TEXT_LIMIT = 1000  # characters of a typed answer or a comment
# Characters of the file's texts, in every language, so that every message showing them fits Telegram's
# 4096: the title heads every question, a question's text comes with an answer of TEXT_LIMIT, and the
# options and a scale's labels (up to ten each) come together.
TITLE_LIMIT = 200
QUESTION_LIMIT = 1000
OPTION_LIMIT = 100
MAX_DIGITS = 30  # of a number in the file: Python refuses to read an integer of over 4 300
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
EVENT_KIND = "delphi_event"  # the Secretariat told that a round opened, closed, or failed to invite some
Happened = Literal["opened", "closed", "invitations"]


class Event(OfRound):
    """What happened to the round by itself."""

    event: Happened


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a round's file: where (`questions[2].max`), a code the views word, its arguments."""

    path: str
    code: str
    args: tuple[str, ...] = ()


# pydantic's error types as codes the views word in the reader's language: pydantic's own messages are
# English only ("Input should be a valid integer"), and the Secretariat may read French or Spanish. A type
# not listed here reads as "not a value this field takes", its field named all the same.
EXPECTED = {
    **dict.fromkeys(("string_type",), "expects_text"),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), "expects_whole"),
    **dict.fromkeys(("float_type", "float_parsing", "finite_number"), "expects_number"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "expects_object"),
    **dict.fromkeys(("tuple_type", "list_type"), "expects_list"),
    **dict.fromkeys(("datetime_type", "datetime_parsing", "datetime_from_date_parsing"), "expects_moment"),
    **dict.fromkeys(("time_delta_type", "time_delta_parsing"), "expects_duration"),
}
# Bounds pydantic checks itself: our code for each, and the key of its error's context that gives the bound.
BOUNDS = {
    "too_long": ("too_many", "max_length"),
    "too_short": ("too_few", "min_length"),
    "less_than_equal": ("at_most", "le"),
    "less_than": ("below", "lt"),
    "greater_than_equal": ("at_least", "ge"),
    "greater_than": ("above", "gt"),
}


class Unholdable:
    """A number of the file that no field can hold (over MAX_DIGITS digits, infinite, NaN), read as this
    instead: pydantic then refuses it in its field, and `_problem` says what is wrong with it."""

    def __init__(self, written: str) -> None:
        self.written = written


def _integer(written: str) -> int | Unholdable:
    return int(written) if len(written.lstrip("-")) <= MAX_DIGITS else Unholdable(written)


def _decimal(written: str) -> float | Unholdable:
    value = float(written)
    return value if math.isfinite(value) else Unholdable(written)


class RoundFileRefused(Exception):
    """The file cannot be loaded; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class Loaded:
    round: StoredRound
    panel: int  # people, as the registrations stand now
    per_taskforce: dict[str, int]
    replaced: bool
    opened: bool  # its opening time had come: the invitations are queued
    unreviewed: int  # comments of the previous round on the questions asked again, not reviewed yet: not shown


def parse(raw: bytes, catalogue: Catalogue, now: datetime) -> RoundFile:
    """The file as a round, or every problem with it at once."""
    if len(raw) > FILE_LIMIT:
        raise RoundFileRefused([Problem("", "file_too_large", (str(FILE_LIMIT // 1000),))])
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_integer, parse_float=_decimal, parse_constant=Unholdable)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = (str(error.lineno), str(error.colno)) if isinstance(error, json.JSONDecodeError) else ("1", "1")
        raise RoundFileRefused([Problem("", "not_json", where)]) from None
    except RecursionError:  # arrays or objects nested thousands deep: the parser gives up
        raise RoundFileRefused([Problem("", "too_deep")]) from None
    try:
        file = RoundFile.model_validate(data)
    except ValidationError as error:
        raise RoundFileRefused([_problem(item) for item in error.errors()]) from None
    problems = _against_catalogue(file, catalogue) + _too_long(file)
    if file.closes <= now:
        problems.append(Problem("closes", "closes_past"))
    if problems:
        raise RoundFileRefused(problems)
    return file


def _problem(error: ErrorDetails) -> Problem:
    """pydantic's error as ours: our checks raise a code (`max_not_above_min`, `only_for:choice`), pydantic's
    own types become codes too (`EXPECTED`, `BOUNDS`), with what the reader needs to know (a bound, the values
    a field takes); nothing of pydantic's English is passed on."""
    path = _path(list(error["loc"]))
    if isinstance(error.get("input"), Unholdable):
        return Problem(path, "number_unholdable", (str(MAX_DIGITS),))
    kind, context = error["type"], error.get("ctx") or {}
    if isinstance(context.get("error"), TextRefused):
        return Problem(path, context["error"].code)
    if kind == "value_error":
        code = error["msg"].removeprefix("Value error, ")
        if "|" in code:  # a check of the whole round that names its own field
            relative, code = code.split("|", 1)
            path = f"{path}.{relative}" if path else relative
        name, *args = code.split(":")
        return Problem(path, name, tuple(args))
    if kind in EXPECTED:
        return Problem(path, EXPECTED[kind])
    code, bound = BOUNDS.get(kind, (kind, ""))
    if bound in context:
        return Problem(path, code, (f"{context[bound]:g}",))
    if kind in ("enum", "literal_error"):  # its context lists the values, each quoted: 'likert', 'choice' or 'text'
        return Problem(path, "one_of", tuple(re.findall(r"'([^']*)'", str(context.get("expected", "")))))
    return Problem(path, kind)


def _too_long(file: RoundFile) -> list[Problem]:
    """Texts longer than a message can show; checked when a file is loaded (rounds stored before stay readable)."""
    texts = [("title", file.title, TITLE_LIMIT)]
    for number, question in enumerate(file.questions):
        texts.append((f"questions[{number}].text", question.text, QUESTION_LIMIT))
        texts += [
            (f"questions[{number}].options[{i}]", option, OPTION_LIMIT) for i, option in enumerate(question.options)
        ]
        texts += [
            (f"questions[{number}].labels.{point}", label, OPTION_LIMIT) for point, label in question.labels.items()
        ]
    return [
        Problem(path, "too_long", (str(limit),))
        for path, text, limit in texts
        if any(len(value) > limit for value in text.root.values())
    ]


def _path(loc: list[object]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _against_catalogue(file: RoundFile, catalogue: Catalogue) -> list[Problem]:
    panel = file.panel.taskforces if file.panel is not None else ()
    problems = [
        Problem(f"panel.taskforces[{index}]", "unknown_code", (code,))
        for index, code in enumerate(panel)
        if catalogue.objective(code) is None
    ]
    for number, question in enumerate(file.questions):
        for index, code in enumerate(question.taskforces):
            path = f"questions[{number}].taskforces[{index}]"
            if catalogue.objective(code) is None:
                problems.append(Problem(path, "unknown_code", (code,)))
            elif file.round == 1 and panel and code not in panel:
                problems.append(Problem(path, "outside_panel", (code,)))
    return problems


async def _later_round(db: Reader, file: RoundFile) -> tuple[RoundFile, StoredRound]:
    """A round after the first: the previous one closed, within the stopping rules of round 1, its questions to
    repeat resolved and copied.

    Without `repeat`, the questions repeated are those the stopping rules let go on (by default those
    the consensus rule judged without consensus: scales, and numbers under `iqr:N`); a question that
    stopped, and one no stopping rule judges (a text; a choice when only consensus stops), is repeated
    only when named. The previous round's consensus rule and `min_group` carry on unless the file names
    them (a smaller `min_group` is refused: groups hidden before would show now); its stopping rules
    always do.
    """
    previous = await rows.find(db, file.study, file.round - 1)
    before = str(file.round - 1)
    if previous is None:
        raise RoundFileRefused([Problem("round", "no_previous", (before,))])
    if previous.closed_at is None:
        raise RoundFileRefused([Problem("round", "previous_open", (before,))])
    _within_stopping_rules(file, previous.file.stopping)
    known = {question.id: question for question in previous.file.questions}
    # A previous question listed again exactly as it was is repeated, as if named in `repeat`: copying it is
    # what an officer does first. Listed otherwise, it is refused: a repeated question is asked as before.
    again = [question.id for question in file.questions if known.get(question.id) == question]
    problems = [
        Problem(
            f"questions[{index}].id",
            "asked_before" if question.text != known[question.id].text else "changed",
            (question.id, before),
        )
        for index, question in enumerate(file.questions)
        if question.id in known and question.id not in again
    ]
    problems += [
        Problem(f"repeat[{index}]", "not_in_previous", (question_id, before))
        for index, question_id in enumerate(file.repeat or ())
        if question_id not in known
    ]
    if "min_group" in file.model_fields_set and file.min_group < previous.file.min_group:
        problems.append(Problem("min_group", "min_group_lowered", (str(previous.file.min_group), before)))
    if problems:
        raise RoundFileRefused(problems)
    named = None if file.repeat is None and not again else (*(file.repeat or ()), *again)
    chosen = named if named is not None else (await conclusion_of(db, previous)).going_on
    repeated = [question for question in previous.file.questions if question.id in chosen]
    new = [question for question in file.questions if question.id not in known]
    if not repeated and not new:
        raise RoundFileRefused([Problem("repeat", "nothing_to_ask", (before,))])
    data = file.model_dump()
    data |= {"questions": [q.model_dump() for q in (*repeated, *new)]}
    data |= {"repeat": [question.id for question in repeated], "stopping": previous.file.stopping.model_dump()}
    if "consensus" not in file.model_fields_set:
        data["consensus"] = previous.file.consensus.model_dump()
    if "min_group" not in file.model_fields_set:
        data["min_group"] = previous.file.min_group
    try:
        return RoundFile.model_validate(data), previous
    except ValidationError as error:
        raise RoundFileRefused([_problem(item) for item in error.errors()]) from None


def _within_stopping_rules(file: RoundFile, fixed: Stopping) -> None:
    """Round 1 fixed the stopping rules: a later file may repeat them unchanged (a copy of round 1's file) but
    not change them, and no round comes after the last they allow."""
    problems = []
    if "stopping" in file.model_fields_set and file.stopping != fixed:
        problems.append(Problem("stopping", "stopping_fixed"))
    if fixed.max_rounds is not None and file.round > fixed.max_rounds:
        problems.append(Problem("round", "beyond_max_rounds", (str(fixed.max_rounds),)))
    if problems:
        raise RoundFileRefused(problems)


def _agreement_needed(file: RoundFile) -> list[Problem]:
    """`percent:N` counts the answers in the agreement region: a scale without a midpoint (an even number of
    points) has no top third that would not mix opposite answers, so it must name its region. Checked at
    loading, on the round as it will be asked (repeated questions and the rule carried on included): rounds
    stored before stay readable."""
    if file.consensus.name != "percent":
        return []
    return [
        Problem(f"questions[{index}].agree", "agree_needed", (question.id, str(question.scale)))
        for index, question in enumerate(file.questions)
        if question.type is QuestionType.LIKERT and (question.scale or 0) % 2 == 0 and not question.agree
    ]


async def load(
    db: Database, actor: int, admins: Collection[int], raw: bytes, catalogue: Catalogue, now: datetime
) -> Loaded:
    """Save the round (replacing it if it has not opened yet); open it at once if its time has come."""
    require_admin(actor, admins)
    file = parse(raw, catalogue, now)
    previous = None
    async with db.transaction() as tx:
        existing = await rows.find(tx, file.study, file.round)
        if existing is not None and existing.opened_at is not None:
            raise Refused("round_exists", study=file.study, round=file.round)
        if file.round > 1:
            file, previous = await _later_round(tx, file)
        if problems := _agreement_needed(file):
            raise RoundFileRefused(problems)
        round_id = await rows.save(tx, file, actor, now, existing.id if existing else None)
        stored = await rows.get(tx, round_id)
        assert stored is not None
        opened = file.opens <= now
        if opened:
            await rows.open_round(tx, stored, now, previous.id if previous else None)
        detail = {"study": file.study, "round": file.round, "questions": len(file.questions)}
        await audit.record(tx, now, actor, "delphi.loaded", detail=detail)
    panel, per_taskforce = await rows.panel_preview(db, file.panel, previous.id if previous else None)
    unreviewed = await _unreviewed(db, file, previous) if previous is not None else 0
    return Loaded(stored, panel, per_taskforce, existing is not None, opened, unreviewed)


async def _unreviewed(db: Reader, file: RoundFile, previous: StoredRound) -> int:
    """The previous round's comments that panellists would read before a repeated question, had the Secretariat
    shown them: said at loading, while there is time to review them before the round opens."""
    repeated = [previous.file.index_of(question_id) for question_id in file.repeat or ()]
    return await rows.unreviewed_comments(db, previous.id, [index for index in repeated if index is not None])


async def _apart(failing: set[str], what: str, work: Awaitable[None]) -> None:
    """One due item's work, apart from the others': its failure stops none of them, and is logged once (it is
    tried again at every tick, and logged again only after it has succeeded once)."""
    try:
        await work
    except Exception:
        if what not in failing:
            failing.add(what)
            log.exception("Delphi %s failed; tried again at every tick, logged only now", what)
        return
    failing.discard(what)


async def open_due(db: Database, now: datetime, admins: Collection[int], failing: set[str]) -> None:
    """Rounds whose opening time has come: panel formed, invitations queued, the Secretariat told."""
    for round_id in await rows.due_to_open(db, now):
        await _apart(failing, f"opening of round {round_id}", _open(db, round_id, now, admins))


async def _open(db: Database, round_id: int, now: datetime, admins: Collection[int]) -> None:
    async with db.transaction() as tx:
        fresh = await rows.get(tx, round_id)
        if fresh is None or fresh.opened_at is not None:
            return
        previous = await rows.find(tx, fresh.study, fresh.file.round - 1) if fresh.file.round > 1 else None
        size = await rows.open_round(tx, fresh, now, previous.id if previous else None)
        await _tell_admins(tx, admins, fresh.id, "opened", now)
        await audit.record(tx, now, None, "delphi.opened", detail={"study": fresh.study, "panel": size})
    log.info("Delphi round %s opened: %s panellists invited", round_id, size)


async def close_due(db: Database, now: datetime, admins: Collection[int], failing: set[str]) -> None:
    """Rounds past their closing time close; the Secretariat is told, with the response rate."""
    for round_id in await rows.due_to_close(db, now):
        await _apart(failing, f"closing of round {round_id}", _close(db, round_id, now, admins))


async def _close(db: Database, round_id: int, now: datetime, admins: Collection[int]) -> None:
    async with db.transaction() as tx:
        if await rows.close(tx, round_id, now):
            await _tell_admins(tx, admins, round_id, "closed", now)
            await audit.record(tx, now, None, "delphi.closed", detail={"round": round_id})


async def _tell_admins(tx: Transaction, admins: Collection[int], round_id: int, what: Happened, now: datetime) -> None:
    """A notice to each admin that a round opened or closed by itself, or that some invitations failed."""
    for admin in sorted(admins):
        await outbox.enqueue(tx, admin, EVENT_KIND, now, payload=Event(round=round_id, event=what))


@dataclass(frozen=True)
class Told:
    """A round the Secretariat is told about: its panel, the panellists who answered everything, and once it has
    closed, what the stopping rules say (whether the study is complete)."""

    round: StoredRound
    panel: int
    answered_all: int
    conclusion: Conclusion | None


async def event(db: Database, round_id: int, *, closed: bool) -> Told | None:
    stored = await rows.get(db, round_id)
    if stored is None:
        return None
    panel, complete = await rows.completion(db, round_id)
    conclusion = await conclusion_of(db, stored) if closed else None
    return Told(stored, panel, complete, conclusion)


async def tell_failed_invitations(db: Database, now: datetime, admins: Collection[int], failing: set[str]) -> None:
    """Rounds whose invitations have all settled: the Secretariat told once, in one notice, of those that failed
    (not one message per failure, and nothing when none did)."""
    for round_id in await rows.invitations_settled(db):
        await _apart(failing, f"invitations of round {round_id}", _tell_failed(db, round_id, now, admins))


async def _tell_failed(db: Database, round_id: int, now: datetime, admins: Collection[int]) -> None:
    async with db.transaction() as tx:
        if await rows.mark_invitations_told(tx, round_id, now):
            await _tell_admins(tx, admins, round_id, "invitations", now)


@dataclass(frozen=True)
class Invited:
    """A round's invitations once settled: how many went out, and which failed."""

    round: StoredRound
    invited: int
    undelivered: list[rows.Undelivered]


async def invitations(db: Database, round_id: int) -> Invited | None:
    """Read when the notice goes, as the other notices are: someone forgotten since is no longer named."""
    stored = await rows.get(db, round_id)
    if stored is None:
        return None
    invited, undelivered = await rows.invitations(db, round_id)
    return Invited(stored, invited, undelivered)


async def remind_due(db: Database, now: datetime, failing: set[str]) -> None:
    for round_id, due_at in await rows.due_reminders(db, now):
        await _apart(failing, f"reminder of round {round_id} due {due_at}", _remind(db, round_id, due_at, now))


async def _remind(db: Database, round_id: int, due_at: str, now: datetime) -> None:
    async with db.transaction() as tx:
        queued = await rows.queue_reminder(tx, round_id, due_at, now)
    log.info("Delphi round %s: %s reminders queued", round_id, queued)


async def steer_round(db: Database, actor: int, admins: Collection[int], study: str) -> StoredRound:
    """The study's running (or not yet opened) round, for an admin to close or extend."""
    require_admin(actor, admins)
    stored = await rows.find(db, study)
    if stored is None:
        raise Refused("no_study", study=study)
    if stored.closed_at is not None:
        raise Refused("round_closed_already", study=study, round=stored.file.round)
    return stored


async def close_now(db: Database, actor: int, admins: Collection[int], study: str, now: datetime) -> Conclusion:
    """The round closed; what the stopping rules say of it (the study may be complete)."""
    stored = await steer_round(db, actor, admins, study)
    if stored.opened_at is None:
        raise Refused("round_not_open", study=study)
    async with db.transaction() as tx:
        await rows.close(tx, stored.id, now)
        await audit.record(tx, now, actor, "delphi.closed", detail={"study": study, "early": True})
    closed = await rows.get(db, stored.id)
    assert closed is not None
    return await conclusion_of(db, closed)


async def extend(
    db: Database, actor: int, admins: Collection[int], study: str, closes_at: datetime, now: datetime
) -> StoredRound:
    """A new closing time, later than now and than the opening; reminders follow it."""
    stored = await steer_round(db, actor, admins, study)
    if closes_at <= now or closes_at <= stored.file.opens:
        raise Refused("closes_too_soon")
    async with db.transaction() as tx:
        await rows.set_closing(tx, stored, closes_at, now)
        await audit.record(tx, now, actor, "delphi.extended", detail={"study": study, "closes": closes_at.isoformat()})
    found = await rows.get(db, stored.id)
    assert found is not None
    return found


# ---------------------------------------------------------------- answering


@dataclass(frozen=True)
class Step:
    """One question as a panellist meets it: its place among theirs, and their answer so far."""

    round: StoredRound
    index: int  # in the file
    position: int  # 1-based among the questions this panellist is asked
    total: int
    answer: Answer | None
    answered: int  # of their questions

    @property
    def question(self) -> Question:
        return self.round.file.questions[self.index]


async def running_round(db: Database, round_id: int, now: datetime) -> StoredRound:
    stored = await rows.get(db, round_id)
    if stored is None or stored.opened_at is None:
        raise Refused("stale")
    if not stored.is_open(now):
        raise Refused("round_closed", at=stored.closed_at or stored.closes_at)
    return stored


async def step(db: Database, person: int, round_id: int, index: int | None, now: datetime) -> Step | None:
    """Question `index`, or (None) the first one not answered yet; None when all are answered."""
    stored = await running_round(db, round_id, now)
    asked = await rows.asked(db, round_id, person)
    if not asked or (index is not None and index not in asked):
        raise Refused("stale")
    answers = await rows.answers_of(db, round_id, person)
    if index is None:
        index = next((number for number in asked if number not in answers), None)
        if index is None:
            return None
    return Step(stored, index, asked.index(index) + 1, len(asked), answers.get(index), len(answers))


async def answer(db: Database, person: int, round_id: int, index: int, given: str, now: datetime) -> Step:
    """Save (or change) an answer: a button's value or typed text, checked against the question."""
    current = await step(db, person, round_id, index, now)
    assert current is not None
    value, text = _value(current.question, given)
    async with db.transaction() as tx:
        await rows.save_answer(tx, round_id, index, person, value, text, now)
        await rows.stop_waiting(tx, person)
    comment = current.answer.comment if current.answer is not None else None  # a changed answer keeps it
    answered = current.answered + (current.answer is None)
    return replace(current, answer=Answer(index, value, text, comment), answered=answered)


def _value(question: Question, given: str) -> tuple[float | None, str | None]:
    """(value, text) as stored: a point, an option's place, a number, or a text."""
    if question.type is QuestionType.TEXT:
        return None, clean_text(given, TEXT_LIMIT)
    if question.type is QuestionType.NUMBER:
        return _number(question, given), None
    top = question.scale if question.type is QuestionType.LIKERT else len(question.options) - 1
    bottom = 1 if question.type is QuestionType.LIKERT else 0
    if not given.isdigit() or not bottom <= int(given) <= (top or 0):
        raise Refused("stale")
    return float(given), None


def _number(question: Question, given: str) -> float:
    cleaned = given.strip().rstrip("%").strip().replace(" ", "").replace("\u202f", "")
    if not NUMBER.fullmatch(cleaned):
        raise Refused("number_expected", low=question.min, high=question.max)
    value = float(cleaned.replace(",", "."))  # 400 digits give infinity, which no bound lets through
    low, high = question.bounds
    if not low <= value <= high:
        raise Refused("number_outside", low=question.min, high=question.max)
    return value


async def keep(db: Database, person: int, round_id: int, index: int, now: datetime) -> Step:
    """A repeated question answered as in the previous round, with one tap."""
    current = await step(db, person, round_id, index, now)
    said = await feedback(db, current.round, index, person) if current is not None else None
    if current is None or said is None or said.own is None:
        raise Refused("stale")
    return await answer(db, person, round_id, index, given_again(current.question, said.own), now)


def given_again(question: Question, own: Answer) -> str:
    """A stored answer as the panellist would give it (a button's value, or what they typed)."""
    if question.type is QuestionType.TEXT:
        return own.text or ""
    value = own.value or 0.0
    return plain_number(value) if question.type is QuestionType.NUMBER else str(int(value))


def plain_number(value: float) -> str:
    """42.5, 1000000: never 1e+06, which nobody types."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


async def ask_comment(db: Database, person: int, round_id: int, index: int, now: datetime, update_id: int) -> Step:
    current = await step(db, person, round_id, index, now)
    if current is None or current.answer is None:
        raise Refused("stale")
    async with db.transaction() as tx:
        await rows.wait_for(tx, person, round_id, index, "comment", update_id, now)
    return current


async def comment(db: Database, person: int, round_id: int, index: int, given: str, now: datetime) -> Step:
    current = await step(db, person, round_id, index, now)
    if current is None or current.answer is None:
        raise Refused("stale")
    cleaned = clean_text(given, TEXT_LIMIT)
    async with db.transaction() as tx:
        await rows.save_comment(tx, round_id, index, person, cleaned)
        await rows.stop_waiting(tx, person)
    return current


async def wait_for_typed(db: Database, person: int, current: Step, update_id: int, now: datetime) -> None:
    """A number or text question was just shown: the person's next typed message answers it."""
    if current.question.type.typed:
        async with db.transaction() as tx:
            await rows.wait_for(tx, person, current.round.id, current.index, "answer", update_id, now)


async def waiting(db: Database, person: int) -> rows.Waiting | None:
    return await rows.waiting(db, person)


def typed_again(found: rows.Waiting, update_id: int, now: datetime) -> bool:
    """This typed message came before the wait was set (by it, or by a later update), and Telegram delivers it
    again after a kill: it was applied already. Not one whose id only looks old because ids restarted."""
    return delivered_again(update_id, found.since_update, found.since_at, now)


async def stop_waiting(db: Database, person: int) -> None:
    async with db.transaction() as tx:
        await rows.stop_waiting(tx, person)


async def people_waiting(db: Database) -> set[int]:
    """Whose next typed message a Delphi question waits for."""
    return await rows.people_waiting(db)


async def my_rounds(db: Database, person: int, now: datetime) -> list[tuple[StoredRound, list[int], dict[int, Answer]]]:
    """The running rounds of this panellist, with their questions and answers."""
    found = []
    for stored in await rows.rounds_of(db, person, now):
        found.append((stored, await rows.asked(db, stored.id, person), await rows.answers_of(db, stored.id, person)))
    return found


async def next_question(db: Database, person: int, round_id: int, now: datetime) -> Step | None:
    """The question an invitation or a reminder leads to when it goes; None: nothing to say (closed, all answered)."""
    try:
        return await step(db, person, round_id, None, now)
    except Refused:
        return None
