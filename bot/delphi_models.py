"""A Delphi round as its file gives it: validated once, stored as JSON, read by every layer.

Checks that need nothing but the file live here, each raising a short code that the views
turn into a sentence naming the field; checks that need the catalogue or the clock live in
`services/delphi_rounds.py`. Times without a zone are read as UTC, a date alone as its
midnight UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.models import OBJECTIVE_CODE, Localized

STUDY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
QUESTION_ID = r"^[A-Za-z0-9_.-]{1,20}$"
RULE = re.compile(r"^(70/15|rand-ucla|percent:(?P<percent>\d{1,3})|iqr:(?P<iqr>\d+(\.\d+)?))$")
MAX_QUESTIONS = 30
MAX_OPTIONS = 10  # a button each
MAX_SCALE = 10  # a button each, two rows at most
DEFAULT_SCALE = 9
DEFAULT_REMINDERS = (timedelta(days=3), timedelta(days=1))
MAX_ROUND = 99  # a round number SQLite can hold, and far more rounds than a Delphi study has
# A number question's answers and bounds: finite, and within ±NUMBER_LIMIT when the file sets no bound. Beyond
# 10^15 a float no longer holds every integer, and no share, count or amount a panellist types is that large.
NUMBER_LIMIT = 1e15
MAX_REMINDER_DAYS = 366  # a reminder further before closing would fall before the years datetime holds
# The smallest group of answers shown apart (a stakeholder type, a region, a type in a region): below it a group
# is merged into "other groups", so that nobody reads one person's answer in a group's figures. Never below 3.
DEFAULT_MIN_GROUP, LEAST_MIN_GROUP, MOST_MIN_GROUP = 5, 3, 1000


class QuestionType(StrEnum):
    LIKERT = "likert"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"

    @property
    def typed(self) -> bool:
        """Answered by typing, not with a button."""
        return self in (QuestionType.NUMBER, QuestionType.TEXT)


def as_utc(value: datetime) -> datetime:
    """In UTC (a moment without a zone is taken as UTC); ValueError("moment_range") beyond the years Python holds."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-14:00 is in the year 10000 in UTC
        raise ValueError("moment_range") from None


# A round's moments: within years where every sum the bot makes with them (a reminder before closing, a
# moment shown in a reader's zone) stays inside datetime's years 1 to 9999, and far around any real study.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _within_years(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"moment_years:{FIRST_YEAR}:{LAST_YEAR}")
    return value


UtcDatetime = Annotated[datetime, AfterValidator(as_utc), AfterValidator(_within_years)]


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=QUESTION_ID)
    type: QuestionType
    text: Localized
    scale: int | None = Field(default=None, validate_default=True)
    labels: dict[int, Localized] = Field(default_factory=dict, validate_default=True)
    # A scale's agreement region: consecutive points from one end, not all of them (`percent:N` counts it; the
    # bands of stability are it, its mirror image and what lies between). Needed where thirds would mix
    # opposite answers: a scale of an even number of points judged by `percent:N`.
    agree: tuple[int, ...] = Field(default=(), validate_default=True)
    options: tuple[Localized, ...] = Field(default=(), validate_default=True)
    min: float | None = Field(
        default=None, validate_default=True, allow_inf_nan=False, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT
    )
    max: float | None = Field(
        default=None, validate_default=True, allow_inf_nan=False, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT
    )
    taskforces: tuple[str, ...] = ()

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("type") is not QuestionType.LIKERT:
            _only_for(value, "likert")
            return None
        value = DEFAULT_SCALE if value is None else value
        if not 2 <= value <= MAX_SCALE:
            raise ValueError(f"scale_range:{MAX_SCALE}")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[int, Localized], info: ValidationInfo) -> dict[int, Localized]:
        if value and info.data.get("type") is not QuestionType.LIKERT:
            raise ValueError("only_for:likert")
        scale = info.data.get("scale") or DEFAULT_SCALE
        if any(not 1 <= point <= scale for point in value):
            raise ValueError(f"label_outside:{scale}")
        return value

    @field_validator("agree")
    @classmethod
    def _agree(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        if info.data.get("type") is not QuestionType.LIKERT:
            _only_for(value or None, "likert")
            return ()
        if not value:
            return ()
        scale = info.data.get("scale") or DEFAULT_SCALE
        points = sorted(value)
        consecutive = points == list(range(points[0], points[0] + len(points)))
        from_an_end = points[0] == 1 or points[-1] == scale
        if not consecutive or not from_an_end or points[0] < 1 or points[-1] > scale or len(points) == scale:
            raise ValueError(f"agree_region:{scale}")
        return tuple(points)

    @field_validator("options")
    @classmethod
    def _options(cls, value: tuple[Localized, ...], info: ValidationInfo) -> tuple[Localized, ...]:
        if info.data.get("type") is not QuestionType.CHOICE:
            _only_for(value or None, "choice")
            return ()
        if not 2 <= len(value) <= MAX_OPTIONS:
            raise ValueError(f"options_count:{MAX_OPTIONS}")
        if len({option.en for option in value}) < len(value):
            raise ValueError("options_repeat")
        return value

    @field_validator("min")
    @classmethod
    def _min(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("type") is not QuestionType.NUMBER:
            _only_for(value, "number")
        return value

    @field_validator("max")
    @classmethod
    def _max(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("type") is not QuestionType.NUMBER:
            _only_for(value, "number")
            return None
        low = info.data.get("min")
        if value is not None and low is not None and value <= low:
            raise ValueError("max_not_above_min")
        return value

    @field_validator("taskforces")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _task_force_codes(value)

    @property
    def bounds(self) -> tuple[float, float]:
        """The numbers a number question takes: its file's `min` and `max`, else ±NUMBER_LIMIT."""
        low = self.min if self.min is not None else -NUMBER_LIMIT
        return low, self.max if self.max is not None else NUMBER_LIMIT

    def label(self, point: int, language: str) -> str:
        found = self.labels.get(point)
        return found(language) if found else ""


def _only_for(value: object, kind: str) -> None:
    """A field another type of question has: refused, not ignored (the author meant something by it)."""
    if value is not None:
        raise ValueError(f"only_for:{kind}")


def _task_force_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    pattern = re.compile(OBJECTIVE_CODE)
    if any(not pattern.fullmatch(code) for code in codes):
        raise ValueError("code_shape")
    return tuple(dict.fromkeys(codes))


class Panel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    taskforces: tuple[str, ...] = ()  # none: every task force
    registered_before: UtcDatetime | None = None  # the cut-off: registrations made before it count

    @field_validator("taskforces")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _task_force_codes(value)


class Consensus(BaseModel):
    """The rule fixed in advance: `70/15`, `percent:N`, `iqr:N` or `rand-ucla`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rule: str = "70/15"

    @field_validator("rule")
    @classmethod
    def _known(cls, value: str) -> str:
        found = RULE.fullmatch(value.strip())
        if found is None or (found["percent"] is not None and not 1 <= int(found["percent"]) <= 100):
            raise ValueError("rule_unknown")
        return value.strip()

    @property
    def name(self) -> str:
        return self.rule.split(":", 1)[0]

    @property
    def threshold(self) -> float:
        """N of `percent:N` and `iqr:N`."""
        return float(self.rule.split(":", 1)[1])

    @property
    def needs_nine_points(self) -> bool:
        return self.name in ("70/15", "rand-ucla")


class StopWhen(StrEnum):
    """When a question stops being asked: it reached consensus, its answers are stable, or either."""

    CONSENSUS = "consensus"
    STABLE = "stable"
    EITHER = "either"


class Stopping(BaseModel):
    """The study's stopping rules, fixed in advance in round 1's file; no maximum of rounds when absent."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_rounds: int | None = None
    when: StopWhen = StopWhen.CONSENSUS

    @field_validator("max_rounds")
    @classmethod
    def _rounds(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_ROUND:
            raise ValueError(f"round_range:{MAX_ROUND}")
        return value

    def last(self, number: int) -> bool:
        """Round `number` is the last the rules allow."""
        return self.max_rounds is not None and number >= self.max_rounds


class RoundFile(BaseModel):
    """A round's file; once loaded, a later round's `questions` hold the repeated ones first, `repeat` their ids.

    `panel` absent: every task force in round 1, nobody added in a later round (its panel is
    the previous round's). `consensus` and `min_group` absent: 70/15 and 5 in round 1, the
    previous round's later (a later round may raise `min_group`, never lower it). `stopping`:
    set in round 1 and copied into every later round, which may repeat it unchanged but not change it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    study: str = Field(pattern=STUDY_PATTERN)
    round: int
    title: Localized
    opens: UtcDatetime
    closes: UtcDatetime
    panel: Panel | None = None
    consensus: Consensus = Consensus()
    min_group: int = DEFAULT_MIN_GROUP
    stopping: Stopping = Stopping()
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    repeat: tuple[Annotated[str, Field(pattern=QUESTION_ID)], ...] | None = None  # later rounds: ids asked again
    questions: tuple[Question, ...] = Field(default=(), max_length=MAX_QUESTIONS)

    @model_validator(mode="before")
    @classmethod
    def _first_round_defaults(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("round") == 1 and data.get("panel") is None:
            return {**data, "panel": {}}
        return data

    @field_validator("round")
    @classmethod
    def _round_number(cls, value: int) -> int:
        if not 1 <= value <= MAX_ROUND:
            raise ValueError(f"round_range:{MAX_ROUND}")
        return value

    @field_validator("min_group")
    @classmethod
    def _group_size(cls, value: int) -> int:
        if not LEAST_MIN_GROUP <= value <= MOST_MIN_GROUP:
            raise ValueError(f"min_group_range:{LEAST_MIN_GROUP}:{MOST_MIN_GROUP}")
        return value

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, value: datetime, info: ValidationInfo) -> datetime:
        opens = info.data.get("opens")
        if isinstance(opens, datetime) and value <= opens:
            raise ValueError("closes_before_opens")
        return value

    @field_validator("reminders")
    @classmethod
    def _positive(cls, value: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        if any(offset <= timedelta(0) for offset in value):
            raise ValueError("reminder_not_positive")
        if any(offset > timedelta(days=MAX_REMINDER_DAYS) for offset in value):
            raise ValueError(f"reminder_too_early:{MAX_REMINDER_DAYS}")
        return tuple(sorted(set(value), reverse=True))

    @model_validator(mode="after")
    def _consistent(self) -> RoundFile:
        if self.round == 1 and not self.questions:
            raise ValueError("questions|no_questions")
        if self.round == 1 and self.repeat:
            raise ValueError("repeat|repeat_in_first_round")
        seen: set[str] = set()
        for index, question in enumerate(self.questions):
            if question.id in seen:
                raise ValueError(f"questions[{index}].id|question_repeat")
            seen.add(question.id)
        # A later round without a rule of its own carries the previous round's on: checked once it is copied in.
        if self.consensus.needs_nine_points and (self.round == 1 or "consensus" in self.model_fields_set):
            for index, question in enumerate(self.questions):
                if question.type is QuestionType.LIKERT and question.scale != DEFAULT_SCALE:
                    raise ValueError(f"questions[{index}].scale|rule_needs_nine")
                if question.agree:  # these rules fix their regions: 7–9 agrees, 1–3 disagrees
                    raise ValueError(f"questions[{index}].agree|agree_with_rule")
        return self

    def index_of(self, question_id: str) -> int | None:
        return next((index for index, q in enumerate(self.questions) if q.id == question_id), None)

    def repeated(self, index: int) -> bool:
        """Asked again from the previous round (its result is shown before it)."""
        return self.round > 1 and self.questions[index].id in (self.repeat or ())
