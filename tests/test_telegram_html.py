"""The stand-in's HTML parser against TDLib's own checks (td/test/message_entities.cpp, parse_html).

Each case is TDLib's: the text, then what parse_html returns (the text and its entities)
or the message of its refusal. Plus the cases the bot meets: a bare &, a heart, a
comparison, names with markup characters, and the lengths Telegram counts.
"""

from __future__ import annotations

import pytest

from tests.telegram_html import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Entity,
    EntityParseError,
    kept_text,
    parse_html,
    refusal,
    shown_length,
)

SURROGATES = (
    "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"
)

REFUSED = [
    ("&#57311;", SURROGATES),
    ("&#xDFDF;", SURROGATES),
    ("&#xDFDF", SURROGATES),
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba>", 'Can\'t find end tag corresponding to start tag "i"'),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;>", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ('➡️ ➡️<tg-time unix = "12345", format = "rt">➡️ ➡️</tg-time><b>➡️ ➡️</b>', "Invalid date format used"),
    ('➡️ ➡️<tg-time unix = "12345", format = "ts">➡️ ➡️</tg-time><b>➡️ ➡️</b>', "Invalid date format used"),
    # What the bot could meet: an unescaped name or sentence.
    ("I <3 soil", 'Unsupported start tag "3" at byte offset 2'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("Ana <3", "Unclosed start tag at byte offset 4"),  # the name runs to the end
    ("usage: /facilitator <user id or @username> <CODE>", 'Unsupported start tag "user" at byte offset 20'),
    ("x <", "Unclosed start tag at byte offset 2"),
    ("<p>paragraph</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>both</b></i>", 'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"'),
    ("bold</b>", "Unexpected end tag at byte offset 4"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<a href="x"/>y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ('<tg-emoji emoji-id="007">x</tg-emoji>', "Invalid custom emoji identifier specified"),
]


@pytest.mark.parametrize(("html", "message"), REFUSED)
def test_tdlib_refuses(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(html)
    assert refused.value.reason == message
    assert str(refused.value) == f"Can't parse entities: {message}"


def E(kind: str, offset: int, length: int, argument: str = "") -> Entity:
    return Entity(kind, offset, length, argument)


ACCEPTED = [
    ("", "", []),
    ("➡️ ➡️", "➡️ ➡️", []),
    ("&ge;&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;", '&ge;<>&"&laquo;&raquo;&#12345678;', []),
    ("&Or;", "&Or;", []),
    ("➡️ ➡️<i>➡️ ➡️</i>", "➡️ ➡️➡️ ➡️", [E("Italic", 5, 5)]),
    ("➡️ ➡️<em>➡️ ➡️</em>", "➡️ ➡️➡️ ➡️", [E("Italic", 5, 5)]),
    ("➡️ ➡️<strong>➡️ ➡️</strong>", "➡️ ➡️➡️ ➡️", [E("Bold", 5, 5)]),
    ("➡️ ➡️<ins>➡️ ➡️</ins>", "➡️ ➡️➡️ ➡️", [E("Underline", 5, 5)]),
    ("➡️ ➡️<del>➡️ ➡️</del>", "➡️ ➡️➡️ ➡️", [E("Strikethrough", 5, 5)]),
    ("➡️ ➡️<blockquote>➡️ ➡️</blockquote>", "➡️ ➡️➡️ ➡️", [E("BlockQuote", 5, 5)]),
    ("➡️ ➡️<i>➡️ ➡️</i><b>➡️ ➡️</b>", "➡️ ➡️➡️ ➡️➡️ ➡️", [E("Italic", 5, 5), E("Bold", 10, 5)]),
    ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [E("Italic", 5, 6)]),
    ("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>", "🏟 🏟🏟 ><🏟", [E("Italic", 5, 7), E("Bold", 9, 3)]),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.   >a</i>", "🏟 🏟<a", [E("Italic", 6, 1)]),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;">a</i>', "🏟 🏟<a", [E("Italic", 6, 1)]),
    ("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>", "🏟 🏟<a", [E("Italic", 6, 1)]),
    ("🏟 🏟&lt;<i>🏟 🏟&lt;</>", "🏟 🏟<🏟 🏟<", [E("Italic", 6, 6)]),
    ("🏟 🏟&lt;<i>a</    >", "🏟 🏟<a", [E("Italic", 6, 1)]),
    ("🏟 🏟&lt;<b></b>", "🏟 🏟<", []),
    ("<i>\t</i>", "\t", [E("Italic", 0, 1)]),
    ("<i>\r</i>", "\r", [E("Italic", 0, 1)]),
    (
        '➡️ ➡️<span class = "tg-spoiler">➡️ ➡️</span><b>➡️ ➡️</b>',
        "➡️ ➡️➡️ ➡️➡️ ➡️",
        [E("Spoiler", 5, 5), E("Bold", 10, 5)],
    ),
    ("🏟 🏟<tg-spoiler>🏟 &lt🏟</tg-spoiler>", "🏟 🏟🏟 <🏟", [E("Spoiler", 5, 6)]),
    (
        "<code><i><b> </b></i></code><i><b><code> </code></b></i>",
        "  ",
        [E("Code", 0, 1), E("Bold", 0, 1), E("Italic", 0, 1), E("Code", 1, 1), E("Bold", 1, 1), E("Italic", 1, 1)],
    ),
    ("<i><b> </b> <code> </code></i>", "   ", [E("Italic", 0, 3), E("Bold", 0, 1), E("Code", 2, 1)]),
    ("<a> </a>", " ", []),
    ("<a>telegram.org </a>", "telegram.org ", []),
    ("🏟 🏟&lt;<pre  >🏟 🏟&lt;</>", "🏟 🏟<🏟 🏟<", [E("Pre", 6, 6)]),
    ("🏟 🏟&lt;<pre><code>🏟 🏟&lt;</code></>", "🏟 🏟<🏟 🏟<", [E("Pre", 6, 6), E("Code", 6, 6)]),
    ('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>', "🏟 🏟<🏟 🏟<", [E("PreCode", 6, 6, "fift")]),
    ('🏟 🏟&lt;<code class="language-fift"><pre>🏟 🏟&lt;</></>', "🏟 🏟<🏟 🏟<", [E("PreCode", 6, 6, "fift")]),
    (
        '🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</> </>',
        "🏟 🏟<🏟 🏟< ",
        [E("Pre", 6, 7), E("Code", 6, 6)],
    ),
    (
        '➡️ ➡️<tg-emoji emoji-id = "12345">➡️ ➡️</tg-emoji><b>➡️ ➡️</b>',
        "➡️ ➡️➡️ ➡️➡️ ➡️",
        [E("CustomEmoji", 5, 5, "12345"), E("Bold", 10, 5)],
    ),
    (
        '🏟 🏟<b aba   =   caba><tg-emoji emoji-id="1">🏟</tg-emoji>1</b>',
        "🏟 🏟🏟1",
        [E("Bold", 5, 3), E("CustomEmoji", 5, 2, "1")],
    ),
    (
        '<blockquote   cite="" askdlbas nasjdbaj nj12b3>a&lt;<pre  >b;</></>',
        "a<b;",
        [E("BlockQuote", 0, 4), E("Pre", 2, 2)],
    ),
    ("<blockquote   expandable>a&lt;<pre  >b;</></>", "a<b;", [E("ExpandableBlockQuote", 0, 4), E("Pre", 2, 2)]),
    ("<blockquote   expandable=false>a&lt;<pre  >b;</></>", "a<b;", [E("ExpandableBlockQuote", 0, 4), E("Pre", 2, 2)]),
    # What the bot meets: a bare & and > stay text, unknown named entities too; tag names ignore case.
    ("R&D Team", "R&D Team", []),
    ("Fish & chips &amp; more", "Fish & chips & more", []),
    ("&copy; &nbsp; &#x41;&#65;&#X41; &", "&copy; &nbsp; AA&#X41; &", []),
    ("3 > 2", "3 > 2", []),
    ("<B>loud</B>", "loud", [E("Bold", 0, 4)]),
    ("<b>Ana &lt;3</b> &amp; R&amp;D", "Ana <3 & R&D", [E("Bold", 0, 6)]),
    (
        '<a href="https://example.org/?a=1&amp;b=2">here</a>',
        "here",
        [E("TextUrl", 0, 4, "https://example.org/?a=1&b=2")],
    ),
]


@pytest.mark.parametrize(("html", "text", "entities"), ACCEPTED)
def test_tdlib_accepts(html: str, text: str, entities: list[Entity]) -> None:
    parsed = parse_html(html)
    assert parsed.text == text
    assert list(parsed.entities) == entities


def test_lengths_count_what_is_left_after_parsing() -> None:
    # Markup and entities do not count: 4096 characters of text in bold pass, one more does not.
    assert shown_length("<b>" + "&amp;" * TEXT_LIMIT + "</b>") == TEXT_LIMIT
    assert refusal("<b>" + "&lt;" * TEXT_LIMIT + "</b>", "HTML", caption=False) is None
    assert refusal("&lt;" * (TEXT_LIMIT + 1), "HTML", caption=False) == "Bad Request: message is too long"
    # Without parse_mode the same text is its own length.
    assert refusal("&lt;" * 1025, None, caption=False) == "Bad Request: message is too long"
    assert refusal("é" * CAPTION_LIMIT, "HTML", caption=True) is None
    assert refusal("é" * (CAPTION_LIMIT + 1), "HTML", caption=True) == "Bad Request: message caption is too long"


def test_lengths_count_code_points_not_utf16_units() -> None:
    # utf8_length: an emoji outside the BMP is one character, though two UTF-16 units.
    assert shown_length("🌱" * TEXT_LIMIT) == TEXT_LIMIT
    assert refusal("🌱" * TEXT_LIMIT, "HTML", caption=False) is None


def test_spaces_and_newlines_around_are_trimmed_before_counting() -> None:
    assert kept_text(parse_html("\n\n  hello  \n")) == "hello"
    assert refusal("\n" * 50 + "x" * TEXT_LIMIT + " " * 50, "HTML", caption=False) is None
    # A formatted space at the start is kept; \r is dropped, a tab becomes a space.
    assert kept_text(parse_html("<b> </b>x")) == " x"
    assert kept_text(parse_html("a\r\nb\tc")) == "a\nb c"


def test_empty_texts() -> None:
    assert refusal("", "HTML", caption=False) == "Bad Request: message text is empty"
    assert refusal("<b> </b>\n", "HTML", caption=False) == "Bad Request: text must be non-empty"
    assert refusal("<b> </b>\n", "HTML", caption=True) is None


def test_refusals_read_as_the_bot_api_gives_them() -> None:
    assert refusal("I <3 soil", "HTML", caption=False) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "3" at byte offset 2'
    )
    assert refusal("I <3 soil", None, caption=False) is None  # plain text is never parsed
    assert refusal("x" * ((1 << 15) + 1), None, caption=False) == "Bad Request: text is too long"
