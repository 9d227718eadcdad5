"""Checks for what people type, shared by the join flow and /profile."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.models import Catalogue, Profile
from bot.services.errors import Refused

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ProfileField(StrEnum):
    NAME = "name"
    ORGANISATION = "organisation"
    COUNTRY = "country"
    REGION = "region"
    STAKEHOLDER_TYPE = "stakeholder_type"
    MEMBER_STATUS = "member_status"
    EMAIL = "email"

    @property
    def typed(self) -> bool:
        """Typed fields are answered with text; the others with a button from a list."""
        return self in TYPED_LIMITS

    @property
    def optional(self) -> bool:
        """May be left empty, and emptied again later."""
        return self is ProfileField.EMAIL


TYPED_LIMITS: dict[ProfileField, int] = {
    ProfileField.NAME: 100,
    ProfileField.ORGANISATION: 200,
    ProfileField.COUNTRY: 100,
    ProfileField.EMAIL: 254,
}
MOTIVATION_LIMIT = 1000
REASON_LIMIT = 1000


def clean_text(text: str, limit: int) -> str:
    """Collapse white space; refuse empty or over-long answers with the limit."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Refused("empty")
    if len(cleaned) > limit:
        raise Refused("too_long", limit=limit, length=len(cleaned))
    return cleaned


def typed_value(field: ProfileField, text: str) -> str:
    value = clean_text(text, TYPED_LIMITS[field])
    if field is ProfileField.EMAIL and not EMAIL.match(value):
        raise Refused("bad_email")
    return value


def chosen_value(field: ProfileField, choice: str, catalogue: Catalogue) -> str:
    """A choice from a list arrives as an index (regions, types) or a code (member status)."""
    if field is ProfileField.MEMBER_STATUS:
        option = catalogue.member_status(choice)
        if option is None:
            raise Refused("stale")
        return option.code
    options = catalogue.region_names if field is ProfileField.REGION else catalogue.stakeholder_type_names
    if field not in (ProfileField.REGION, ProfileField.STAKEHOLDER_TYPE):
        raise Refused("stale")
    if not choice.isdigit() or int(choice) >= len(options):
        raise Refused("stale")
    return options[int(choice)]


def missing_field(profile: Profile) -> ProfileField | None:
    """The first field still to ask, in the order people are asked."""
    for field in ProfileField:
        if field is ProfileField.EMAIL:
            if not profile.email_answered:
                return field
        elif getattr(profile, field.value) is None:
            return field
    return None


def may_lead(profile: Profile, catalogue: Catalogue) -> bool:
    """Only members and partners of "4 per 1000" may be Leader or Representative."""
    option = catalogue.member_status(profile.member_status)
    return option is not None and option.may_lead
