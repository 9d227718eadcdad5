"""The words and keyboards of /profile: the fields to change, what was saved, a Representative place
after a move to another region."""

from __future__ import annotations

from html import escape
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.models import Catalogue, Person, RegistrationStatus
from bot.services.accounts import FieldSaved, PlaceChoice, PlaceQuestion
from bot.services.fields import ProfileField
from bot.views.buttons import Button, button, keyboard, rows_of
from bot.views.callbacks import Buttons, ChoiceValue, Index, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.fields import field_label, profile_choices, profile_lines
from bot.views.words import labelled

# ---------------------------------------------------------------- its buttons


class ProfileEdit(Buttons, prefix="pe"):
    field: ProfileField


class ProfileChoice(Buttons, prefix="pc"):
    field: ProfileField
    value: ChoiceValue


class ProfileClear(Buttons, prefix="px"):
    field: ProfileField


class ProfileBack(Buttons, prefix="qb"):
    """From a field's question back to the profile, nothing changed."""


class ProfileCancel(Buttons, prefix="qx"):
    """Stop changing the profile, nothing changed."""


class ProfileListing(Buttons, prefix="pv"):
    """Being listed by name and organisation on the public site: the question ("ask"), the answer, or back to the
    profile (the question is no state of the conversation: /profile's Back works in one only)."""

    choice: Literal["ask", "on", "off", "back"] = "ask"


class PlacePress(Buttons, prefix="pl"):
    """A Representative place after its holder moved to another region: keep it, give it up, apply."""

    choice: PlaceChoice
    registration: RowId
    region: Index


def profile_page(_: Translate, person: Person, catalogue: Catalogue) -> str:
    lines = [_("<b>Your profile</b>"), "", *profile_lines(_, person.as_profile(), catalogue)]
    lines.append(labelled(_, _("Public page"), listing_state(_, person.listed)))
    lines += ["", _("Choose what to change.")]
    return "\n".join(lines)


def listing_state(_: Translate, listed: bool) -> str:
    return _("listed by name and organisation") if listed else _("not listed")


def listing_question(_: Translate, listed: bool) -> str:
    return "\n\n".join(
        [
            _(
                "<b>The public page</b>: the Initiative's website shows each Task Force, its objective and how many "
                "members it has, by region and by stakeholder type, never who they are."
            ),
            _(
                "As a Global Leader or a Regional Representative, you may be listed there by your name and your "
                "organisation, while you hold the place; nothing else about you (no e-mail, no Telegram account). "
                "You may change your mind here at any time; /forget removes it with the rest."
            ),
            labelled(_, _("Now"), listing_state(_, listed)),
        ]
    )


def listing_keyboard(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("✅ List me"), ProfileListing(choice="on").pack())],
        [button(_("🚫 Do not list me"), ProfileListing(choice="off").pack())],
        [button(_("« Back"), ProfileListing(choice="back").pack())],
    )


def listing_saved(_: Translate, listed: bool) -> str:
    if listed:
        return _("Saved: the public page lists you by name and organisation while you are a Global Leader or a "
                 "Regional Representative.")  # fmt: skip
    return _("Saved: the public page does not list you.")


def edit_cancelled(_: Translate) -> str:
    return _("Nothing changed: your profile stays as it was. /profile shows it.")


def field_cleared(_: Translate, field: ProfileField) -> str:
    return _("Removed: {field}.").format(field=field_label(_, field))


def field_saved(_: Translate, field: ProfileField, saved: FieldSaved) -> str:
    text = _("Saved: {field}.").format(field=field_label(_, field))
    if saved.demoted:
        text += "\n" + _(
            "Since your organisation is no longer a member or partner, you are now a Team Member in: {codes}."
        ).format(codes=", ".join(saved.demoted))
    if saved.asked:
        text += "\n" + _(
            "A Regional Representative place stays with the region it is for. "
            "I ask you next what to do with yours in: {codes}."
        ).format(codes=", ".join(saved.asked))
    return text


def place_question(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> str:
    """Asked after a move to another region, once for each Representative place (active or applied for)."""
    values = _place_values(_, asked, catalogue)
    if asked.place.status is RegistrationStatus.PENDING:
        held = _("In Task Force {code} you applied to be the Regional Representative for {old}.")
    else:
        held = _("In Task Force {code} you are the Regional Representative for {old}.")
    return "\n".join(
        [
            _("Your region is now {region}.").format(**values),
            held.format(**values),
            _(
                "That place stays with {old}. Keep it, become a Team Member of the Task Force, or apply "
                "to be the Regional Representative for {region} (the facilitators decide)."
            ).format(**values),
        ]
    )


def _place_values(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> dict[str, str]:
    """The new region, the region the place is for, and its task force, as the place's texts name them."""
    return {
        "region": escape(catalogue.label_of(asked.region, _.language)),
        "old": escape(catalogue.label_of(asked.place.region or "", _.language)),
        "code": asked.place.taskforce,
    }


def place_chosen(_: Translate, choice: PlaceChoice, chosen: PlaceQuestion, catalogue: Catalogue) -> str:
    values = _place_values(_, chosen, catalogue)
    if choice is PlaceChoice.APPLY and chosen.place.status is RegistrationStatus.PENDING:
        return _(
            "Your application as Regional Representative for {region} of Task Force {code} is sent to its "
            "facilitators, in place of your application for {old}."
        ).format(**values)
    return {
        PlaceChoice.KEEP: _("Nothing changed: your place in Task Force {code} stays with {old}."),
        PlaceChoice.MEMBER: _("You are now a Team Member of Task Force {code}."),
        PlaceChoice.APPLY: _(
            "Your application as Regional Representative for {region} of Task Force {code} is sent to its "
            "facilitators. Your place for {old} is given up; if they do not approve, you stay in the Task Force "
            "as a Team Member."
        ),
    }[choice].format(**values)


def profile_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "profile",
            CommandAudience.EVERYONE,
            _("See and edit your profile"),
            _("/profile · see and edit your profile"),
        ),
    ]


def _chosen(field: ProfileField, value: str) -> str:
    return ProfileChoice(field=field, value=value).pack()


def profile_refusals(_: Translate) -> dict[str, str]:
    return {
        "region_taken": _(
            "{holder} already holds the Regional Representative place of your new region in Task Force {code}. "
            "Nothing was changed: you may keep your place, or become a Team Member."
        ),
    }


def profile_fields_keyboard(_: Translate) -> InlineKeyboardMarkup:
    buttons = [button(field_label(_, f), ProfileEdit(field=f).pack()) for f in ProfileField]
    buttons.append(button(_("🌐 Public page"), ProfileListing().pack()))
    return keyboard(*rows_of(buttons, 2))


def typed_field_question(_: Translate, question: str) -> str:
    """A typed field's question in /profile, which takes the new value or /cancel."""
    return question + "\n" + new_value_or_cancel(_)


def new_value_or_cancel(_: Translate) -> str:
    return _("Send the new value, or /cancel.")


def typed_field_keyboard(_: Translate, field: ProfileField, clearable: bool) -> InlineKeyboardMarkup:
    """A typed field's question: an optional field given before may be removed; Back and Cancel always."""
    label = {ProfileField.EMAIL: _("Remove my e-mail")}.get(field)
    clear = [button(label, ProfileClear(field=field).pack())] if clearable and label else []
    return keyboard(clear, _back_and_cancel(_))


def profile_field_keyboard(
    _: Translate, field: ProfileField, catalogue: Catalogue, current: str
) -> InlineKeyboardMarkup:
    """A choice field of /profile, its current answer marked ✓; Back and Cancel."""
    rows = profile_choices(_, field, catalogue, _chosen, current)
    return keyboard(*rows, _back_and_cancel(_))


def _back_and_cancel(_: Translate) -> list[Button]:
    """Every question of /profile has both: back to the profile, or done with it; neither changes anything."""
    return [button(_("« Back"), ProfileBack().pack()), button(_("Cancel"), ProfileCancel().pack())]


def place_choices_keyboard(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> InlineKeyboardMarkup:
    """Keep, give up or apply for the new region: each names the place and the region now (stale otherwise)."""
    place, index = asked.place, catalogue.region_names.index(asked.region)

    def choice(label: str, chosen: PlaceChoice) -> list[Button]:
        return [button(label, PlacePress(choice=chosen, registration=place.id, region=index).pack())]

    return keyboard(
        choice(_("Keep it for {region}").format(region=catalogue.label_of(place.region or "", _.language)),
               PlaceChoice.KEEP),
        choice(_("Become a Team Member"), PlaceChoice.MEMBER),
        choice(_("Apply for {region}").format(region=catalogue.label_of(asked.region, _.language)), PlaceChoice.APPLY),
    )  # fmt: skip
