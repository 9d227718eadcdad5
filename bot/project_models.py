"""An entry of the catalogue of actions and projects, shared by every layer: what the task forces exist for.

The page the bot comes from says the task forces' primary objective is "a catalog of coordinated actions
and projects that represent compelling investment opportunities"; an entry is one of them, described by a
member of the task forces it contributes to and reviewed by their facilitators before funders read it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class ProjectStatus(StrEnum):
    DRAFT = "draft"  # being described (or, with `revises`, changes to an entry being written)
    REVIEW = "review"  # waiting for a facilitator's decision
    CHANGES = "changes"  # the reviewer asked for changes: the author edits and submits again
    ACCEPTED = "accepted"  # in the catalogue
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by its author

    @property
    def editable(self) -> bool:
        """What its author may still change (and submit again); a declined or withdrawn entry is closed."""
        return self in (ProjectStatus.REVIEW, ProjectStatus.CHANGES, ProjectStatus.ACCEPTED)


class ProjectKind(StrEnum):
    ONGOING = "ongoing"
    PLANNED = "planned"


class Stage(StrEnum):
    IDEA = "idea"
    DESIGN = "design"
    READY = "ready"  # ready for funding
    RUNNING = "running"
    COMPLETED = "completed"


class ProjectField(StrEnum):
    """The questions of /project, in the order they are asked; the values go into button data."""

    TITLE = "title"
    KIND = "kind"
    TASKFORCES = "tf"
    COUNTRIES = "countries"
    REGION = "region"
    LEAD = "lead"
    PARTNERS = "partners"
    SUMMARY = "summary"
    CONTRIBUTION = "contrib"
    STAGE = "stage"
    BUDGET = "budget"
    FUNDING = "funding"
    START = "start"
    END = "end"
    LINK = "link"
    DOCUMENT = "doc"
    LANGUAGE = "lang"


class Money(BaseModel):
    """An amount in whole units of an ISO 4217 currency."""

    amount: int
    currency: str


class Project(BaseModel):
    """An entry as stored; a draft's fields may still be missing."""

    id: int
    author_id: int | None  # the contact; None once they deleted their data ("contact withdrawn")
    revises: int | None  # a draft of changes to this entry
    status: ProjectStatus
    title: str | None = None
    kind: ProjectKind | None = None
    taskforces: list[str] = []
    countries: str | None = None
    region: str | None = None  # a region's English name, or GLOBAL
    lead: str | None = None
    partners: str | None = None
    summary: str | None = None
    contribution: str | None = None
    stage: Stage | None = None
    budget: Money | None = None
    funding: Money | None = None
    start: str | None = None  # YYYY-MM or YYYY-MM-DD
    end: str | None = None
    link: str | None = None
    document_id: str | None = None  # Telegram's file_id of the concept note
    document_name: str | None = None
    language: str | None = None  # the language it is written in
    comment: str | None = None  # the reviewer's words: the changes asked, or why it was declined
    decided_by: int | None = None
    decided_at: datetime | None = None
    submitted_at: datetime | None = None
    public_at: datetime | None = None  # marked public by a facilitator: on the public site while in the catalogue
    created_at: datetime
    updated_at: datetime
