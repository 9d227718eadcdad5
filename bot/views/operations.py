"""What the Secretariat reads about running the bot: a backup that failed."""

from __future__ import annotations

from html import escape

from bot.i18n import Translate


def backup_failed(_: Translate, reason: str) -> str:
    return _(
        "Today's backup of the bot's database failed: {reason}. I try again every hour; "
        "the earlier backups are kept. Please tell whoever runs the bot."
    ).format(reason=escape(reason))
