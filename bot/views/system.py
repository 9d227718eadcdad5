"""The words of what belongs to no feature: /help's command, the flood warning, what no handler took,
errors."""

from __future__ import annotations

from html import escape

from bot.i18n import Translate
from bot.views.commands import CommandAudience, CommandText
from bot.views.words import fit


def slow_down(_: Translate) -> str:
    return _(
        "You are sending faster than I can read: I skip what comes in the next few seconds. "
        "Please wait a moment, then carry on."
    )


def unknown_command(_: Translate) -> str:
    return _("I do not know that command. /help lists what I can do.")


def unexpected_text(_: Translate) -> str:
    return _("I did not expect a message here. /help lists what I can do.")


def apology(_: Translate) -> str:
    return _("Sorry, something went wrong on our side. The Secretariat has been told. Please try again later.")


def old_button(_: Translate) -> str:
    """A button made by an earlier version of the bot: not forged, only outdated."""
    return _("This button is from an earlier version of the bot; nothing was changed. /help lists what you can do.")


def system_commands(_: Translate) -> list[CommandText]:
    return [CommandText("help", CommandAudience.EVERYONE, _("What I can do"), _("/help · this list"))]


def admin_alert(_: Translate, place: str, error: str) -> str:
    return fit(_("⚠️ Bot error at {place}: {error}").format(place=escape(place), error=escape(error)))
