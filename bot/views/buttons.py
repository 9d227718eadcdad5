"""What every keyboard is made of; every callback datum is a button family's `pack()` (bot/views/callbacks.py).

Also reading a typed label as a press of the button showing it (`typed_choice`), whatever the feature.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Button = InlineKeyboardButton


MIN_PREFIX = 4  # typed letters that may stand for a longer label


@lru_cache(maxsize=4096)
def button(text: str, data: str) -> Button:
    """PTB's buttons are immutable and the same few hundred recur in every flow: each is built once."""
    return Button(text, callback_data=data)


def rows_of(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    """`width` buttons a row: as many labels of that length as a phone shows side by side."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def keyboard(*rows: Iterable[Button]) -> InlineKeyboardMarkup:
    """Empty rows left out, so that a keyboard is written with its optional rows (Back only after a first step)."""
    return InlineKeyboardMarkup([list(row) for row in rows if row])


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
