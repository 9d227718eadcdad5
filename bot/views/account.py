"""The words and keyboards of a person's account: their task forces, leaving one, the language,
privacy and deleting their data."""

from __future__ import annotations

from html import escape
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translate
from bot.models import Catalogue, Registration
from bot.views.buttons import button, keyboard, rows_of
from bot.views.callbacks import Buttons, Code
from bot.views.commands import CommandAudience, CommandText
from bot.views.joining import JoinFrom
from bot.views.words import fit, place_label, status_label

# ---------------------------------------------------------------- its buttons


Language = Literal["en", "fr", "es"]


class MyTaskforces(Buttons, prefix="mm"):
    pass


class TaskforceCard(Buttons, prefix="mc"):
    code: Code


class LeaveAsk(Buttons, prefix="la"):
    code: Code


class LeaveYes(Buttons, prefix="ly"):
    code: Code


class LeaveStay(Buttons, prefix="lk"):
    code: Code


class ForgetYes(Buttons, prefix="fy"):
    pass


class ForgetNo(Buttons, prefix="fn"):
    pass


class LanguageSet(Buttons, prefix="lg"):
    language: Language


class PrivacyPage(Buttons, prefix="yv"):
    """/privacy's short answer, or the whole of it."""

    page: Literal["short", "whole"]


def my_registrations(_: Translate, registrations: list[Registration], catalogue: Catalogue) -> str:
    if not registrations:
        return _("You have not joined any Task Force yet. /taskforces shows the objectives; /join starts joining.")
    lines = [_("<b>Your Task Forces</b>"), ""]
    for item in registrations:
        objective = catalogue.objective(item.taskforce)
        lines.append(
            f"<b>{item.taskforce}</b> {escape(objective.title(_.language) if objective else '')} · "
            f"{place_label(_, item, catalogue)} · {status_label(_, item.standing)}"
        )
    return fit("\n".join(lines))


def leave_which(_: Translate, held: list[Registration]) -> str:
    """/leave without a code: a button for each task force the person is in or applies to."""
    if not held:
        return _("You are in no Task Force now, so there is none to leave. /join starts joining.")
    return _("Which Task Force do you want to leave? You will be asked to confirm.")


def leave_question(_: Translate, code: str) -> str:
    return _("Do you really want to leave Task Force {code}?").format(code=code)


def stayed_in(_: Translate, code: str) -> str:
    return _("Nothing changed: you stay in Task Force {code}.").format(code=code)


def left(_: Translate, code: str) -> str:
    return _("You have left Task Force {code}. You can join again at any time.").format(code=code)


def forget_question(_: Translate) -> str:
    return _(
        "This deletes your profile and withdraws all your registrations. The history of decisions is "
        "kept without your name or anything you wrote. Delete your data?"
    )


def data_kept(_: Translate) -> str:
    return _("Nothing changed: your data is kept.")


def forgotten(_: Translate) -> str:
    return _("Your data has been deleted. Thank you for your interest; /start whenever you want to come back.")


def privacy_short(_: Translate) -> str:
    """What /privacy answers first: a few lines a phone shows whole; "More" gives the rest (`privacy`)."""
    return _(
        "<b>Privacy</b>\n"
        'The Executive Secretariat of the "4 per 1000" Initiative runs this bot. It keeps your profile, your '
        "registrations and your answers, to form the Task Forces and keep you informed. Only the Secretariat and "
        "the Facilitators of your Task Forces see them, unless you choose to be public; nothing is sold.\n"
        "/profile changes your data; /forget deletes it (backup copies within five weeks)."
    )


def privacy(_: Translate) -> str:
    """All that /privacy has to say, behind its "More" button."""
    return (
        _(
            "<b>Privacy</b>\n"
            'The Executive Secretariat of the "4 per 1000" Initiative runs this bot to form and run its Task Forces.\n\n'
            "<b>What is stored</b>: your Telegram id, the profile you give (name, organisation, country, region, "
            "stakeholder type, member status, optional e-mail), your language, your registrations and the "
            "decisions on them, and the answers you give in the bot.\n"
            "<b>Why</b>: to form balanced Task Forces, select their Leaders and Regional Representatives, and "
            "keep members informed.\n"
            "<b>Who sees it</b>: the Executive Secretariat, and the Facilitators of the Task Forces you join. "
            "It is not sold or given to anyone else. Only if you agree in /profile, the public page shows your name "
            "and organisation while you are a Global Leader or Regional Representative. An action or project you "
            "describe is read with your role and organisation (not your name) by the Task Forces' members once "
            "accepted, and by everyone if its Facilitators publish it. If you offer to contribute to one, its "
            "contact gets your name and a link to write to you.\n"
            "<b>Your rights</b>: /profile shows and changes your data; /forget deletes it."
        )
        + "\n"
        + _(
            "<b>Delphi study</b>: your answers and comments are seen by the Executive Secretariat only, under a "
            "pseudonym (a code that does not reveal who you are); what the group sees, and the group figures the "
            "Secretariat may publish on the public page, is anonymous, small groups merged. Facilitators do not see "
            "individual answers."
        )
        + "\n"
        + _(
            "<b>For how long</b>: as long as you take part. /forget deletes at once your profile, your Telegram id "
            "and everything you wrote, also from the messages facilitators received, and your Delphi answers and "
            "comments. What stays is anonymous: that a "
            "place in a Task Force was held, applied for or decided (without who, and without any motivation or "
            "reason), and the history of actions without names. The bot's logs hold no names and nothing you wrote. "
            "The actions and projects you described, and the progress updates you gave on them, stay, since they "
            "are your organisation's work, but without you: their contact is withdrawn. The daily backups keep "
            "copies for up to five weeks, then the copies are deleted; a backup put back is made to forget you "
            "again, and its operator is warned when it cannot be."
        )
    )


def nothing_to_cancel(_: Translate) -> str:
    return _("There is nothing to cancel. /help lists what I can do.")


def language_question(_: Translate) -> str:
    return _("Which language should I use? (English, Français, Español)")


def language_set(_: Translate) -> str:
    return _("From now on I write to you in English.")


def account_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "mytaskforces", CommandAudience.EVERYONE, _("Your registrations"), _("/mytaskforces · your registrations")
        ),
        CommandText(
            "leave", CommandAudience.EVERYONE, _("Leave a Task Force"), _("/leave · leave a Task Force (/leave B3)")
        ),
        CommandText(
            "cancel", CommandAudience.EVERYONE, _("Stop what you are doing"), _("/cancel · stop what you are doing")
        ),
        CommandText(
            "language",
            CommandAudience.EVERYONE,
            _("English, Français, Español"),
            _("/language · English, Français, Español"),
        ),
        CommandText(
            "privacy",
            CommandAudience.EVERYONE,
            _("What is stored and who sees it"),
            _("/privacy · what is stored and who sees it"),
        ),
        CommandText("forget", CommandAudience.EVERYONE, _("Delete your data"), _("/forget · delete your data")),
    ]


def account_refusals(_: Translate) -> dict[str, str]:
    return {"not_registered": _("You are not registered in Task Force {code}.")}


def my_registrations_keyboard(_: Translate, held: list[Registration], catalogue: Catalogue) -> InlineKeyboardMarkup:
    """One button per task force held, opening its card."""
    cards = []
    for registration in held:
        objective = catalogue.objective(registration.taskforce)
        title = objective.title(_.language) if objective else ""
        cards.append(button(f"{registration.taskforce} · {title} ›", TaskforceCard(code=registration.taskforce).pack()))
    return keyboard(*rows_of(cards, 1), [button(_("Join Task Forces"), JoinFrom().pack())])


def leave_keyboard(_: Translate, held: list[Registration], catalogue: Catalogue) -> InlineKeyboardMarkup:
    """Each leads to the confirmation a task force's card leads to."""
    buttons = []
    for registration in held:
        code, objective = registration.taskforce, catalogue.objective(registration.taskforce)
        label = _("Leave {code}").format(code=code) + (f" · {objective.title(_.language)}" if objective else "")
        buttons.append(button(label, LeaveAsk(code=code).pack()))
    return keyboard(*rows_of(buttons, 1))


def taskforce_card_keyboard(_: Translate, code: str) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Leave {code}").format(code=code), LeaveAsk(code=code).pack())],
        [button(_("« My Task Forces"), MyTaskforces().pack())],
    )


def confirm_leave_keyboard(_: Translate, code: str) -> InlineKeyboardMarkup:
    """Destructive choices name what they do, not Yes and No."""
    return keyboard(
        [button(_("Leave {code}").format(code=code), LeaveYes(code=code).pack())],
        [button(_("Stay in {code}").format(code=code), LeaveStay(code=code).pack())],
    )


def confirm_forget_keyboard(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Delete all my data"), ForgetYes().pack())], [button(_("Keep my data"), ForgetNo().pack())]
    )


def privacy_keyboard(_: Translate, page: Literal["short", "whole"]) -> InlineKeyboardMarkup:
    """The short answer leads to the whole, and back: each edits the message in place."""
    if page == "short":
        return keyboard([button(_("More ›"), PrivacyPage(page="whole").pack())])
    return keyboard([button(_("« Back"), PrivacyPage(page="short").pack())])


def languages_keyboard() -> InlineKeyboardMarkup:
    """Each language named in itself, so that anyone can find theirs."""
    buttons = [button(name, LanguageSet(language=code).pack()) for code, name in LANGUAGE_NAMES.items()]
    return keyboard(buttons)
