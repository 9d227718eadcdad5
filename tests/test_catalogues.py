"""Every text in the code has its entry in every catalogue, with the same placeholders, and each
message with a count takes the plural form its language gives the count."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import DEFAULT_LANGUAGE, LOCALE_DIR, SUPPORTED, catalogue_path, translator

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Which form each language takes for 0, 1 and 2, as its grammar says (not read from the catalogue's header,
# which is what this checks): French counts 0 as singular, English and Spanish as plural.
FORMS = {"en": {0: 1, 1: 0, 2: 1}, "fr": {0: 0, 1: 0, 2: 1}, "es": {0: 1, 1: 0, 2: 1}}
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "ngettext": (1, 2)}

Entry = str | tuple[str, str]


def messages_in_code() -> set[Entry]:
    """Each `_(text)` as its text, each `_.ngettext(singular, plural, n)` as (singular, plural)."""
    package = Path(__file__).resolve().parents[1] / "bot"
    return {message for _, _, message, _, _ in extract_from_dir(str(package), keywords=KEYWORDS) if message}


def plural_entries(language: str) -> list[tuple[tuple[str, str], tuple[str, ...]]]:
    with catalogue_path(language).open("rb") as source:
        catalogue = read_po(source)
    return [(tuple(entry.id), tuple(entry.string)) for entry in catalogue if entry.id and entry.pluralizable]


def test_every_message_is_translated_in_every_language() -> None:
    used = messages_in_code()
    assert len(used) > 100
    for language in SUPPORTED:
        with catalogue_path(language).open("rb") as source:
            catalogue = read_po(source)
        entries = {message.id: message.string for message in catalogue if message.id}
        assert used - entries.keys() == set(), f"{language}: missing translations"
        for message_id in used:
            # A plural entry's forms: the singular's translation, then the plural's (two in all three languages).
            sources = [message_id] if isinstance(message_id, str) else list(message_id)
            translations = [entries[message_id]] if isinstance(message_id, str) else list(entries[message_id])
            assert len(translations) == len(sources), f"{language}: {message_id!r} needs {len(sources)} forms"
            for source, translated in zip(sources, translations, strict=True):
                translated = translated or ("" if language != DEFAULT_LANGUAGE else source)
                assert translated, f"{language}: empty translation of {message_id!r}"
                assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translated)), message_id


def test_the_template_is_up_to_date() -> None:
    with (LOCALE_DIR / "bot.pot").open("rb") as source:
        template = {message.id for message in read_po(source) if message.id}
    assert messages_in_code() == template, "run the pybabel extract command of the README"


def test_translator_reads_the_catalogue() -> None:
    _ = translator("en")
    assert _("Global Leader") == "Global Leader"
    assert translator("xx")("Global Leader") == "Global Leader"


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_plural_message_takes_the_form_its_count_needs(language: str) -> None:
    """Found in the catalogue, so a new plural message is counted too: 1 application, 2 applications."""
    entries = plural_entries(language)
    assert len(entries) >= 10
    ngettext = translator(language).ngettext
    for (singular, plural), forms in entries:
        for count, form in FORMS[language].items():
            shown = ngettext(singular, plural, count).format_map(defaultdict(str, count=count))
            assert shown == forms[form].format_map(defaultdict(str, count=count)), (language, count, singular)
