"""Pydantic models shared by every layer: the catalogue, people and registrations."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

OBJECTIVE_CODE = r"^[A-Z][1-9]$"


class Role(StrEnum):
    LEADER = "leader"
    REPRESENTATIVE = "representative"
    MEMBER = "member"

    @property
    def needs_decision(self) -> bool:
        """Leaders and representatives are chosen by the Secretariat; members join at once."""
        return self is not Role.MEMBER


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def holds_place(self) -> bool:
        """Active and pending registrations count against the cap and block re-joining."""
        return self in (RegistrationStatus.ACTIVE, RegistrationStatus.PENDING)


class TextRefused(ValueError):
    """A text of several languages refused: English for the operator's log (objectives.json), and a `code`
    that the views word in the reader's language (a Delphi round's file)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class EndedBy(StrEnum):
    """Who ended a place: its person (left, gave it up, deleted their data) or the Secretariat (/withdraw)."""

    PERSON = "person"
    SECRETARIAT = "secretariat"


class Standing(StrEnum):
    """A registration as people read it: its status, a withdrawn place told apart by who ended it."""

    ACTIVE = "active"
    PENDING = "pending"
    REJECTED = "rejected"
    LEFT = "left"  # its person left (or gave the place up, or deleted their data)
    WITHDRAWN = "withdrawn"  # the Secretariat withdrew it


class Localized(RootModel[dict[str, str]]):
    """A text of objectives.json in several languages; English is required and the fallback.

    A plain string is read as English only.
    """

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        return {"en": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_english(self) -> Localized:
        if not self.root.get("en", "").strip():
            raise TextRefused("english_required", "an English text (en) is required")
        if any(not text.strip() for text in self.root.values()):
            raise TextRefused("translation_empty", "a translation is empty")
        return self

    @property
    def en(self) -> str:
        return self.root["en"]

    def __call__(self, language: str) -> str:
        return self.root.get(language) or self.root["en"]


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(pattern=r"^[A-Z]$")
    title: Localized | None = None
    headline: Localized


class Objective(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(pattern=OBJECTIVE_CODE)
    goal: str = Field(pattern=r"^[A-Z]$")
    title: Localized
    text: Localized
    baseline_2020: Localized
    target_2030: Localized
    target_2050: Localized

    @model_validator(mode="after")
    def _short_title(self) -> Objective:
        if any(len(title) > 60 for title in self.title.root.values()):
            raise ValueError("title: at most 60 characters in every language (it goes on buttons)")
        return self


class MemberStatusOption(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(pattern=r"^[a-z_]{1,20}$")
    label: Localized
    may_lead: bool


class Catalogue(BaseModel):
    """objectives.json: the Strategic Plan and the lists people choose from."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    comment: str | None = Field(default=None, alias="_comment")
    goals: tuple[Goal, ...] = Field(min_length=1)
    objectives: tuple[Objective, ...] = Field(min_length=1)
    translations_status: str | None = None
    regions: tuple[Localized, ...] = Field(min_length=1)
    stakeholder_types: tuple[Localized, ...] = Field(min_length=1)
    member_statuses: tuple[MemberStatusOption, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        _require_unique("goals", [goal.code for goal in self.goals])
        _require_unique("objectives", [objective.code for objective in self.objectives])
        _require_unique("regions", list(self.region_names))
        _require_unique("stakeholder_types", list(self.stakeholder_type_names))
        _require_unique("member_statuses", [status.code for status in self.member_statuses])
        goal_codes = {goal.code for goal in self.goals}
        for objective in self.objectives:
            if objective.goal not in goal_codes or not objective.code.startswith(objective.goal):
                raise ValueError(f"objectives.{objective.code}.goal: no goal {objective.goal!r}")
        return self

    def objective(self, code: str) -> Objective | None:
        return next((item for item in self.objectives if item.code == code), None)

    def goal(self, code: str) -> Goal | None:
        return next((item for item in self.goals if item.code == code), None)

    def objectives_of(self, goal_code: str) -> list[Objective]:
        return [item for item in self.objectives if item.goal == goal_code]

    def member_status(self, code: str | None) -> MemberStatusOption | None:
        return next((item for item in self.member_statuses if item.code == code), None)

    @property
    def region_names(self) -> tuple[str, ...]:
        """The stored values are the English names; they are shown translated."""
        return tuple(region.en for region in self.regions)

    @property
    def stakeholder_type_names(self) -> tuple[str, ...]:
        return tuple(kind.en for kind in self.stakeholder_types)

    def label_of(self, value: str | None, language: str) -> str:
        """A stored region or stakeholder type in the reader's language."""
        for option in (*self.regions, *self.stakeholder_types):
            if option.en == value:
                return option(language)
        return value or ""


def _require_unique(field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{field}: duplicate {value!r}")
        seen.add(value)


class Profile(BaseModel):
    """What a person tells about themselves; every field may still be missing in a draft."""

    name: str | None = None
    organisation: str | None = None
    country: str | None = None
    region: str | None = None
    stakeholder_type: str | None = None
    member_status: str | None = None
    email: str | None = None
    email_answered: bool = False


class Person(BaseModel):
    telegram_id: int
    name: str
    organisation: str
    country: str
    region: str
    stakeholder_type: str
    member_status: str
    email: str | None
    created_at: datetime
    updated_at: datetime
    member_status_confirmed: bool | None = None
    listed: bool = False  # agreed to be listed by name and organisation on the public site, as Leader or Representative

    def as_profile(self) -> Profile:
        return Profile(
            name=self.name,
            organisation=self.organisation,
            country=self.country,
            region=self.region,
            stakeholder_type=self.stakeholder_type,
            member_status=self.member_status,
            email=self.email,
            email_answered=True,
        )


class Registration(BaseModel):
    id: int
    person_id: int | None
    taskforce: str
    role: Role
    status: RegistrationStatus
    region: str | None
    motivation: str | None
    decided_by: int | None
    decided_at: datetime | None
    reason: str | None
    created_at: datetime
    updated_at: datetime
    # An application for a Representative place made by giving up this active one, of another region.
    moved_from: int | None = None
    verdict: str | None = None  # the facilitator's decision (services.facilitation.Verdict), kept as decided
    declared_status: str | None = None  # the member status the applicant declared, as the decider saw it
    ended_by: EndedBy | None = None  # a withdrawn place: who ended it

    @property
    def region_held(self) -> str | None:
        """The region a Representative place is for: the place's own, whatever its holder's profile says now."""
        return self.region if self.role is Role.REPRESENTATIVE else None

    @property
    def standing(self) -> Standing:
        return standing(self.status, self.ended_by)


def standing(status: RegistrationStatus, ended_by: EndedBy | str | None) -> Standing:
    """A place its person left reads "left"; "withdrawn" only when the Secretariat withdrew it."""
    if status is not RegistrationStatus.WITHDRAWN:
        return Standing(status.value)
    return Standing.WITHDRAWN if ended_by == EndedBy.SECRETARIAT else Standing.LEFT


class KnownUser(BaseModel):
    """Someone who has written to the bot, so the bot may write to them."""

    telegram_id: int
    username: str | None
    full_name: str
    language: str | None
    first_seen: datetime
    chosen_language: str | None = None


class Lane(IntEnum):
    """Which outbox rows go first: notices about people's own affairs before bulk rows."""

    REPLY = 0  # a reply that carries an outcome, which Telegram did not take when it was due
    NOTICE = 1  # applications, decisions, prompts, reminders, digests
    BULK = 2  # broadcasts, Delphi invitations


class Payload(BaseModel):
    """What an outbox row of one kind carries, declared next to the kind's name by the module that queues it.

    Stored as the row's JSON (the `params` column), its fields being the keys; the sender validates a row
    against its kind's model before rendering it, so no renderer reads loose JSON.
    """

    model_config = ConfigDict(frozen=True)


class OutboxItem(BaseModel):
    id: int
    chat_id: int
    kind: str
    registration_id: int | None
    edit_message_id: int | None
    raw_payload: str | None  # the row's JSON as stored; the sender validates it against the kind's `Payload`
    attempts: int = 0
    broadcast_id: int | None = None


class Audience(BaseModel):
    """Who an announcement goes to; an empty list means any. All empty: every registered person."""

    taskforces: list[str] = []
    roles: list[Role] = []
    regions: list[str] = []
    types: list[str] = []

    @property
    def everyone(self) -> bool:
        return not (self.taskforces or self.roles or self.regions or self.types)


class ContentType(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"


class Content(BaseModel):
    """An announcement as written: Telegram's formatting kept as HTML, a file by its file_id."""

    type: ContentType
    html: str  # the text, or the caption of the file
    length: int  # characters as Telegram counts them (without the markup)
    file_id: str | None = None


class BroadcastState(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class Broadcast(BaseModel):
    id: int
    author_id: int
    author_name: str
    author_scope: list[str] | None  # a facilitator's task forces; None for the Secretariat
    state: BroadcastState
    content: Content
    audience: Audience
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_at: datetime | None
