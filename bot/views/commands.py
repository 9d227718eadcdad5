"""A command's words, declared by its feature: the menu Telegram shows beside the text field, and /help.

Both are made by looping over the features' commands, so a new command is written once, beside
the rest of its feature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from bot.i18n import Translate


class CommandAudience(IntEnum):
    """Who sees a command in their menu and help; each sees their own and those before."""

    EVERYONE = 0
    FACILITATORS = 1  # and the Secretariat
    ADMINS = 2


@dataclass(frozen=True)
class CommandText:
    name: str
    audience: CommandAudience
    menu: str  # a few words, beside the command in Telegram's menu
    help: str  # the line of /help: how to call it, what it does
    help_for_admins: str | None = None  # where the Secretariat may do more with it


def menu(commands: Iterable[CommandText], audience: CommandAudience) -> list[tuple[str, str]]:
    """(command, description) pairs of the menu of someone who is `audience`."""
    return [(c.name, c.menu) for c in commands if c.audience <= audience]


def help_text(_: Translate, commands: Iterable[CommandText], audience: CommandAudience) -> str:
    """The commands this person may use, under one heading per audience."""
    headings = {
        CommandAudience.EVERYONE: _("What I can do"),
        CommandAudience.FACILITATORS: _("Facilitators"),
        CommandAudience.ADMINS: _("Executive Secretariat"),
    }
    listed = list(commands)
    sections = []
    for part in CommandAudience:
        if part > audience:
            break
        lines = [_line(c, audience) for c in listed if c.audience is part]
        if lines:
            sections.append("\n".join([f"<b>{headings[part]}</b>", *lines]))
    return "\n\n".join(sections)


def _line(command: CommandText, audience: CommandAudience) -> str:
    if audience is CommandAudience.ADMINS and command.help_for_admins:
        return command.help_for_admins
    return command.help
