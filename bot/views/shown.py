"""What people typed, made safe to put in a message or a log line: the one place that does it.

Messages are sent as HTML: text a person wrote (a command argument, a name, a deep
link) is cut to fit and escaped, or Telegram would refuse the whole message. Log lines
get a printable form: a newline in button data must not start a forged log line.
"""

from __future__ import annotations

import re
from html import escape, unescape

SHOWN_LIMIT = 64  # an echo of what someone typed: enough to recognise it
_TAG = re.compile(r"<[^>]*>")


def cut(text: str, limit: int = SHOWN_LIMIT) -> str:
    """`text` as plain text (an alert): at most `limit` characters, … marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(text: str, limit: int = SHOWN_LIMIT) -> str:
    """`text` for an HTML message: at most `limit` characters (… marks a cut), escaped."""
    return escape(cut(text, limit), quote=False)


def loggable(text: str | None, limit: int = SHOWN_LIMIT) -> str:
    """`text` for a log line: one line, control characters escaped, cut, quoted."""
    if text is None:
        return "-"
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut)


def plain(html: str) -> str:
    """What Telegram shows of HTML the bot wrote (tags dropped, entities decoded): what its limits count."""
    return unescape(_TAG.sub("", html))
