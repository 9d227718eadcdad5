"""The one translation function every visible text goes through (gettext).

Catalogues are the `.po` files under bot/locales/<lang>/LC_MESSAGES/, read with
Babel and compiled in memory at first use: a fresh clone needs no build step, and
the text files are what translators and the Secretariat edit.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locales")
DOMAIN = "bot"
DEFAULT_LANGUAGE = "en"
SUPPORTED = ("en", "fr", "es")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


@dataclass(frozen=True)
class Translator:
    """gettext for one language, which also says which language it is (for catalogue texts).

    `ngettext(singular, plural, n)` picks the form the language's `Plural-Forms` header gives for
    n: a count beside a noun or a verb reads "1 application", "2 applications", and French says
    "1 personne" for 0 and 1 where English says "0 people".
    """

    language: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]

    def __call__(self, message: str) -> str:
        return self.gettext(message)


Translate = Translator


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translator(language: str) -> Translator:
    """gettext for one language; a language without a catalogue gets the source texts."""
    path = catalogue_path(language)
    if not path.exists():
        source_texts = gettext.NullTranslations()
        return Translator(language, source_texts.gettext, source_texts.ngettext)
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    return Translator(language, translations.gettext, translations.ngettext)


def language_for(telegram_code: str | None) -> str:
    """French for fr*, Spanish for es*, else English (Telegram's code is optional: fr-CA, es-419)."""
    base = (telegram_code or "").split("-")[0].lower()
    return base if base in SUPPORTED else DEFAULT_LANGUAGE
