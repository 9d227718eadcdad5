"""What admins and facilitators type after a command, read strictly.

Three traps this module keeps out of every parser: `str.isdigit` takes "²" and other
digits that `int` refuses; SQLite holds integers up to 2⁶³ − 1 and raises on a larger
one; a time zone can push a moment that `datetime` reads beyond the years it can hold.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.delphi_models import as_utc
from bot.services.errors import Refused

SQLITE_INTEGER_MAX = 2**63 - 1
DIGITS = re.compile(r"[0-9]{1,100}")


def whole_number(text: str) -> int | None:
    """A number written in ASCII digits (of any size), or None."""
    return int(text) if DIGITS.fullmatch(text) else None


def storable(number: int) -> bool:
    """Small enough for SQLite: a larger id or number cannot be in the database."""
    return 0 <= number <= SQLITE_INTEGER_MAX


def moment(text: str) -> datetime:
    """An ISO time (Z or an offset; none means UTC), in UTC."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Refused("bad_moment") from None
    try:
        return as_utc(parsed)
    except ValueError:
        raise Refused("moment_range") from None
