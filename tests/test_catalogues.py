"""Every text in the code has its entry in every catalogue, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import DEFAULT_LANGUAGE, LOCALE_DIR, SUPPORTED, catalogue_path, translator

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def messages_in_code() -> set[str]:
    package = Path(__file__).resolve().parents[1] / "bot"
    return {message for _, _, message, _, _ in extract_from_dir(str(package), keywords={"_": None}) if message}


def test_every_message_is_translated_in_every_language() -> None:
    used = messages_in_code()
    assert len(used) > 100
    for language in SUPPORTED:
        with catalogue_path(language).open("rb") as source:
            catalogue = read_po(source)
        entries = {message.id: message.string for message in catalogue if message.id}
        assert used - entries.keys() == set(), f"{language}: missing translations"
        for message_id in used:
            translated = entries[message_id] or ("" if language != DEFAULT_LANGUAGE else message_id)
            assert translated, f"{language}: empty translation of {message_id!r}"
            assert sorted(PLACEHOLDER.findall(message_id)) == sorted(PLACEHOLDER.findall(translated)), message_id


def test_the_template_is_up_to_date() -> None:
    with (LOCALE_DIR / "bot.pot").open("rb") as source:
        template = {message.id for message in read_po(source) if message.id}
    assert messages_in_code() == template, "run the pybabel extract command of the README"


def test_translator_reads_the_catalogue() -> None:
    _ = translator("en")
    assert _("Global Leader") == "Global Leader"
    assert translator("xx")("Global Leader") == "Global Leader"
