"""words.fit: a message too long for Telegram is cut so that Telegram still takes it.

A cut inside a tag, or one that leaves a tag open, makes Telegram refuse the whole message
("Can't find end tag corresponding to start tag"): fit must close what it leaves open.
"""

from __future__ import annotations

from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from bot.views import system
from bot.views.words import MESSAGE_LIMIT, RAW_LIMIT, fit
from tests.telegram_html import parse_html, shown_length

TAGS = ("b", "i", "code", "pre", "u", "s", "blockquote")
WORDS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=900)


@st.composite
def html(draw: st.DrawFn) -> str:
    """Lines of escaped text, some wrapped in tags, some tags spanning lines, as the views write them."""
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        text = escape(draw(WORDS), quote=False)
        tag = draw(st.sampled_from((None, *TAGS)))
        parts.append(f"<{tag}>{text}</{tag}>" if tag else text)
        parts.append(draw(st.sampled_from(("\n", "", " ", "\n\n"))))
    if draw(st.booleans()):
        return '<a href="tg://user?id=1">' + "".join(parts) + "</a>"
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(html())
def test_a_cut_message_parses_fits_and_begins_as_the_whole(text: str) -> None:
    parse_html(text)  # what the views write parses
    cut = fit(text)
    parsed = parse_html(cut).text
    assert shown_length(cut) <= MESSAGE_LIMIT and len(cut.encode()) <= RAW_LIMIT
    if shown_length(text) <= MESSAGE_LIMIT and len(text.encode()) <= RAW_LIMIT:
        assert cut == text  # what Telegram takes is left whole
    if cut != text:
        assert cut.endswith("\n…")
        assert parse_html(text).text.startswith(parsed.removesuffix("\n…").rstrip("\n"))


def test_a_cut_closes_the_tags_it_leaves_open() -> None:
    text = "<b>Heading</b>\n<pre>" + "a line\n" * 1000 + "</pre>"
    cut = fit(text)
    assert cut.endswith("</pre>\n…") and shown_length(cut) <= MESSAGE_LIMIT
    parse_html(cut)


def test_a_cut_never_splits_an_entity_or_a_tag() -> None:
    for shift in range(8):
        text = "x" * shift + "<i>" + "&amp;&lt;" * 1000 + "</i>"
        cut = fit(text)
        assert parse_html(cut).text.rstrip("\n…").endswith(("&", "<"))


def test_a_long_last_line_is_cut_within_not_dropped() -> None:
    text = "Title\n" + "<i>" + "é" * 5000 + "</i>"
    cut = fit(text)
    assert shown_length(cut) == MESSAGE_LIMIT and cut.startswith("Title\n<i>éé") and cut.endswith("</i>\n…")


def test_a_short_message_is_left_alone() -> None:
    text = "<b>x</b>" * 500
    assert fit(text) is text


def test_markup_and_entities_do_not_count_as_telegram_does_not_count_them() -> None:
    text = "<b>R&amp;D &lt;3</b>\n" * 400  # 8 800 characters of HTML, 3 600 shown
    assert shown_length(text) < MESSAGE_LIMIT < len(text)
    assert fit(text) is text
    longer = text * 2
    assert MESSAGE_LIMIT - 7 < shown_length(fit(longer)) <= MESSAGE_LIMIT and fit(longer).endswith("</b>\n…")


def test_the_bot_apis_limit_on_the_raw_text_is_kept_too() -> None:
    text = "<b>" + "&quot;" * 4000 + "</b>" + "<i></i>" * 2000  # 4 000 shown, 38 007 bytes: "Text is too long"
    cut = fit(text)
    assert len(cut.encode()) <= RAW_LIMIT and cut.endswith("\n…")
    parse_html(cut)


def test_an_admin_alert_with_a_long_error_fits() -> None:
    """An error's text can hold a whole refused message: the alert about it is cut, not refused too."""
    error = "BadRequest: Can't parse entities: <b>" + "R&D <3 " * 2000
    alert = system.admin_alert(translator("en"), "sender.py:120", error)
    assert shown_length(alert) <= MESSAGE_LIMIT and "R&amp;D &lt;3" in alert
