"""The one translation function every visible text goes through (gettext).

Catalogues live in bot/locales/<lang>/LC_MESSAGES/bot.mo; English is the source
language, so a missing catalogue falls back to the text as written.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locales")
DOMAIN = "bot"
DEFAULT_LANGUAGE = "en"
SUPPORTED = ("en",)

Translate = Callable[[str], str]


@cache
def translator(language: str) -> Translate:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True).gettext


def language_for(telegram_code: str | None) -> str:
    """Telegram's language_code is optional and may carry a region (pt-br)."""
    base = (telegram_code or "").split("-")[0].lower()
    return base if base in SUPPORTED else DEFAULT_LANGUAGE
