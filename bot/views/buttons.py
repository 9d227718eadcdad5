"""What every keyboard is made of; every callback datum is a button family's `pack()` (bot/views/callbacks.py).

Every keyboard goes through `keyboard`, which keeps each row within a phone's width (`fits`); also reading a
typed label as a press of the button showing it (`typed_choice`), whatever the feature.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Button = InlineKeyboardButton


MIN_PREFIX = 4  # typed letters that may stand for a longer label
# Characters of a label a phone shows across a keyboard's whole width (Telegram's apps at their default text
# size on a 360-point-wide screen show about 40); the buttons of a row share it, and lose some to their margins.
PHONE_ROW = 40
BUTTON_MARGIN = 2


@lru_cache(maxsize=4096)
def button(text: str, data: str) -> Button:
    """PTB's buttons are immutable and the same few hundred recur in every flow: each is built once."""
    return Button(text, callback_data=data)


def rows_of(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    """`width` buttons a row: as many labels of that length as a phone shows side by side."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def keyboard(*rows: Iterable[Button]) -> InlineKeyboardMarkup:
    """Every keyboard: each row as wide as its labels let a phone show them whole, empty rows left out (so that a
    keyboard is written with its optional rows: Back only after a first step).

    A row whose labels do not fit side by side is split into rows of as many as fit ("Modifier les Task Forces"
    three in a row would each show half its words): the rule holds for every feature and every language."""
    return InlineKeyboardMarkup([part for row in rows for part in _within_width(list(row))])


def share(buttons_in_row: int) -> int:
    """The width a label may take in a row of that many buttons; one alone takes the whole row, and longer
    labels are the catalogue's (a title) that no other arrangement would show better."""
    return PHONE_ROW // buttons_in_row - BUTTON_MARGIN


def fits(labels: Sequence[str]) -> bool:
    """These labels side by side in one row, each shown whole on a phone."""
    return len(labels) <= 1 or all(label_width(label) <= share(len(labels)) for label in labels)


def label_width(label: str) -> int:
    """A label's width in characters as a phone draws them: an emoji or a wide character is two, a joining or
    variation mark nothing."""
    return sum(_char_width(ch) for ch in label)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.category(ch) == "So" else 1


def _within_width(row: list[Button]) -> list[list[Button]]:
    """The row as it is if it fits; else split into the widest rows that all do (one button a row always does)."""
    for width in range(len(row), 1, -1):
        parts = rows_of(row, width)
        if all(fits([b.text for b in part]) for part in parts):
            return parts
    return rows_of(row, 1)


def typed_choice(text: str, shown: Iterable[InlineKeyboardMarkup], *, prefix: bool) -> str | None:
    """The callback data of the one button whose label was typed: any case, any language, accents and
    emoji aside; with `prefix`, the start of a label is enough ("latin america") when only one fits."""
    wanted = _label_key(text)
    labels = {(_label_key(b.text), str(b.callback_data)) for m in shown for row in m.inline_keyboard for b in row}
    exact = {data for label, data in labels if wanted and label == wanted}
    if not exact and prefix and len(wanted) >= MIN_PREFIX:
        exact = {data for label, data in labels if label.startswith(wanted)}
    return exact.pop() if len(exact) == 1 else None


def _label_key(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label.casefold())
    kept = "".join(ch for ch in plain if (ch.isalnum() or ch.isspace()) and not unicodedata.combining(ch))
    return " ".join(kept.split())
