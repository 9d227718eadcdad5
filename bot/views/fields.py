"""A profile field as people meet it both when joining and in /profile: its label, its question, the
buttons that answer it and the answer as shown; one place, so that both flows ask alike."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.i18n import Translate
from bot.models import Catalogue, Profile
from bot.services.fields import TYPED_LIMITS, ProfileField
from bot.views.buttons import Button, button, rows_of
from bot.views.words import labelled

# Makes a choice's button data: the join's family, or /profile's.
Chosen = Callable[[ProfileField, str], str]


def field_label(_: Translate, field: ProfileField) -> str:
    return {
        ProfileField.NAME: _("Name"),
        ProfileField.ORGANISATION: _("Organisation"),
        ProfileField.COUNTRY: _("Country"),
        ProfileField.REGION: _("Region"),
        ProfileField.STAKEHOLDER_TYPE: _("Stakeholder type"),
        ProfileField.MEMBER_STATUS: _('Member of "4 per 1000"'),
        ProfileField.EMAIL: _("E-mail"),
    }[field]


def shown_value(_: Translate, profile: Profile, field: ProfileField, catalogue: Catalogue) -> str:
    """A profile answer as the person reads it (not escaped): in their language, "—" when missing."""
    value = getattr(profile, field.value)
    if field is ProfileField.EMAIL:
        return value or _("(none)")
    if value is None:
        return "—"
    if field is ProfileField.MEMBER_STATUS:
        status = catalogue.member_status(value)
        return status.label(_.language) if status else "—"
    if field in (ProfileField.REGION, ProfileField.STAKEHOLDER_TYPE):
        return catalogue.label_of(value, _.language)
    return str(value)


def profile_lines(_: Translate, profile: Profile, catalogue: Catalogue) -> list[str]:
    return [
        labelled(_, field_label(_, field), escape(shown_value(_, profile, field, catalogue))) for field in ProfileField
    ]


def profile_question(_: Translate, field: ProfileField, first_time: bool) -> str:
    limit = TYPED_LIMITS.get(field)
    questions = {
        ProfileField.NAME: _("What is your full name?"),
        ProfileField.ORGANISATION: _("Which organisation do you belong to?"),
        ProfileField.COUNTRY: _("In which country are you based?"),
        ProfileField.REGION: _('In which region of "4 per 1000" do you work?'),
        ProfileField.STAKEHOLDER_TYPE: _("Which kind of stakeholder is your organisation?"),
        ProfileField.MEMBER_STATUS: _(
            "Is your organisation a member (Consortium of Members) or a partner (Forum of Partners) "
            'of "4 per 1000"? Only members and partners may be Global Leader or Regional Representative.'
        ),
        ProfileField.EMAIL: _(
            "Your e-mail address, so that the Facilitator can reach you outside Telegram (optional). "
            "Only the Facilitators of your Task Forces and the Executive Secretariat see it."
        ),
    }
    header = _("<b>Your profile</b> (asked once, editable later with /profile)") if first_time else ""
    text = questions[field]
    if limit:
        text += "\n" + _("(at most {limit} characters)").format(limit=limit)
    return "\n\n".join(part for part in (header, text) if part)


def profile_choices(
    _: Translate, field: ProfileField, catalogue: Catalogue, pressed: Chosen, kept: str | None = None
) -> list[list[Button]]:
    """The buttons that answer a profile question chosen from a list (none for a typed one), in the join
    flow or in /profile: `pressed` makes each button's data; `kept`, the earlier answer, is marked ✓."""

    def choice(label: str, value: str, stored: str = "") -> Button:
        mark = "✓ " if kept is not None and stored == kept else ""
        return button(mark + label, pressed(field, value))

    if field is ProfileField.REGION:
        regions = zip(catalogue.regions, catalogue.region_names, strict=True)
        return rows_of([choice(r(_.language), str(i), name) for i, (r, name) in enumerate(regions)], 1)
    if field is ProfileField.STAKEHOLDER_TYPE:
        kinds = zip(catalogue.stakeholder_types, catalogue.stakeholder_type_names, strict=True)
        return rows_of([choice(t(_.language), str(i), name) for i, (t, name) in enumerate(kinds)], 1)
    if field is ProfileField.MEMBER_STATUS:
        return rows_of([choice(s.label(_.language), s.code, s.code) for s in catalogue.member_statuses], 1)
    return []
