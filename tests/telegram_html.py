"""Telegram's HTML, as the Bot API server reads it: a port of TDLib's `parse_html`.

The official Bot API server hands `parse_mode=HTML` texts to TDLib
(`td/telegram/MessageEntity.cpp`, `parse_html` and `decode_html_entity`; the server's
`Client::get_formatted_text` calls `parseTextEntities`, whose error is prefixed
"Can't parse entities: " in `td/telegram/SynchronousRequests.cpp`). Then TDLib's
`fix_formatted_text` cleans the text (`clean_input_string`, td/telegram/misc.cpp) and
trims it, and the length limits (4096 for a text, 1024 for a caption, in
`td/telegram/MessageContent.cpp`) count Unicode code points (`utf8_length`) of what is
left. This module does the same, byte for byte where it matters:

- any `<` opens a tag (`<3`, `a < b` are refused); `>` alone is text;
- `&` starts an entity only when one follows (`&lt;` `&gt;` `&amp;` `&quot;`, with or
  without `;`, and numeric ones below U+10FFFF of at most 9 bytes); anything else,
  `&copy;` or a bare `&`, stays text;
- tag names are ASCII-lowercased; unknown tags, stray or mismatched end tags and tags
  left open are refused with TDLib's own messages and byte offsets (in UTF-8);
- attributes: `name=value` tokens (letters, digits, `.` `-`, lowercased) or quoted
  strings (entities decoded); a span must be `class="tg-spoiler"`; `</>` closes any tag.

Used by the Bot API stand-in (tests/standin.py) to refuse what Telegram refuses.
Not ported: link validation (`LinkManager::get_checked_link`; an `a` keeps its href as
given) and the merging of entities done after parsing; neither changes the text nor
whether it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_LIMIT = 4096  # message_text_length_max
CAPTION_LIMIT = 1024  # message_caption_length_max
CALLBACK_ANSWER_LIMIT = 200  # answerCallbackQuery text, plain: never parsed
RAW_LIMIT = 1 << 15  # telegram-bot-api Client::get_formatted_text: "Text is too long" (bytes, before parsing)

TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

# MessageEntity::get_type_priority, for TDLib's order of entities (offset, longer first, priority).
_PRIORITY = {
    "Bold": 90,
    "Italic": 91,
    "Code": 20,
    "Pre": 11,
    "PreCode": 10,
    "TextUrl": 49,
    "MentionName": 49,
    "Underline": 92,
    "Strikethrough": 93,
    "BlockQuote": 0,
    "Spoiler": 94,
    "CustomEmoji": 99,
    "ExpandableBlockQuote": 0,
    "FormattedDate": 30,
}

_LT, _GT, _AMP, _SLASH, _EQ, _SEMI, _HASH = (ord(c) for c in "<>&/=;#")
_QUOTE, _APOS, _DOT, _DASH, _X = (ord(c) for c in "\"'.-x")
_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SURROGATES = (
    "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"
)


class EntityParseError(ValueError):
    """TDLib refused the HTML; `reason` is parse_html's own message."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Can't parse entities: {reason}")


@dataclass(frozen=True)
class Entity:
    """A MessageEntity as parse_html makes it: offset and length in UTF-16 code units."""

    type: str
    offset: int
    length: int
    argument: str = ""


@dataclass(frozen=True)
class Parsed:
    """The text Telegram keeps from an HTML message (before cleaning and trimming) and its entities."""

    text: str
    entities: tuple[Entity, ...] = ()


@dataclass
class _Open:
    tag: str
    argument: str
    date: int
    offset: int  # UTF-16 offset in the result
    begin: int  # byte position in the result


# tdutils/td/utils/misc.h: ASCII only; is_space counts '\0' (the end of a C string) and not '\f'.
def _space(c: int) -> bool:
    return c in (32, 9, 13, 10, 0, 11)


def _alpha(c: int) -> bool:
    return ord("a") <= (c | 0x20) <= ord("z")


def _digit(c: int) -> bool:
    return ord("0") <= c <= ord("9")


def _hex(c: int) -> bool:
    return _digit(c) or ord("a") <= (c | 0x20) <= ord("f")


def _lower(raw: bytes) -> str:
    return raw.lower().decode("utf-8", "surrogatepass")  # bytes.lower() is ASCII only, as td::to_lower


def _utf8(code: int) -> bytes:
    """append_utf8_character_unsafe: any code point, a surrogate too (then refused at the end)."""
    return chr(code).encode("utf-8", "surrogatepass")


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """decode_html_entity: (code point, position after it), or (0, pos) when `&` is just text."""

    def at(i: int) -> int:
        return data[i] if i < len(data) else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == _HASH:
        end += 1
        if at(pos + 2) == _X:  # lowercase x only
            end += 1
            while _hex(at(end)):
                code = (code * 16 + int(chr(at(end)), 16)) & 0xFFFFFFFF
                end += 1
        else:
            while _digit(at(end)):
                code = (code * 10 + at(end) - ord("0")) & 0xFFFFFFFF
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _alpha(at(end)):
            end += 1
        code = _NAMED.get(data[pos + 1 : end], 0)  # case-sensitive; &copy; &nbsp; … stay text
        if code == 0:
            return 0, pos
    if at(end) == _SEMI:
        end += 1
    return code, end


def _to_integer(text: str, bits: int) -> int:
    """td::to_integer<intN>: an optional '-', then digits up to the first other character, wrapping."""
    negative = text.startswith("-")
    mask = (1 << bits) - 1
    value = 0
    for char in text[1:] if negative else text:
        if not "0" <= char <= "9":
            break
        value = (value * 10 + ord(char) - ord("0")) & mask
    highest = (1 << (bits - 1)) - 1
    if value > highest:
        value = (-value) & mask
        negative = not negative
        if value > highest:
            return -(1 << (bits - 1))
    return -value if negative else value


def _valid_date_format(date_format: str) -> bool:
    """FormattedDate::get_date_flags."""
    return date_format in ("r", "R") or all(c in "tTdDwW" for c in date_format)


def _link_entity(url: str, offset: int, length: int) -> Entity | None:
    """LinkManager, simplified: tg://user?id= mentions a user; a URL with no blank is kept as given."""
    if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
        return Entity("MentionName", offset, length, url)
    if not url or any(c.isspace() for c in url):
        return None
    return Entity("TextUrl", offset, length, url)


def parse_html(html: str) -> Parsed:
    """What Telegram shows of `html` sent with parse_mode HTML; EntityParseError as TDLib refuses it."""
    data = html.encode("utf-8", "surrogatepass")
    size = len(data)

    def at(i: int) -> int:  # reading past the end meets the C string's '\0'
        return data[i] if i < size else 0

    out = bytearray()
    utf16 = 0
    recheck = False
    nested: list[_Open] = []
    entities: list[Entity] = []
    i = 0
    while i < size:
        c = data[i]
        if c == _AMP:
            code, end = _decode_entity(data, i)
            if code != 0:
                utf16 += 1 + (code > 0xFFFF)
                recheck = recheck or 0xD800 <= code <= 0xDFFF
                out += _utf8(code)
                i = end
                continue
        if c != _LT:
            if c & 0xC0 != 0x80:  # the first byte of a character
                utf16 += 1 + (c >= 0xF0)  # four bytes: a surrogate pair
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != _SLASH:
            # a start tag
            while not _space(at(i)) and at(i) != _GT:
                i += 1
            if at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = _lower(data[begin + 1 : i])
            if tag not in TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            date = 0
            while at(i) != _GT:
                while at(i) != 0 and _space(at(i)):
                    i += 1
                if at(i) == _GT:
                    break
                name_begin = i
                while not _space(at(i)) and at(i) not in (_EQ, _GT, _SLASH, _QUOTE, _APOS):
                    i += 1
                name = data[name_begin:i]
                if not name:
                    raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while at(i) != 0 and _space(at(i)):
                    i += 1
                if at(i) != _EQ:
                    if at(i) == 0:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) != 0 and _space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (_QUOTE, _APOS):
                    # a name token: letters, digits, periods, hyphens; not case sensitive
                    token_begin = i
                    while _alpha(at(i)) or _digit(at(i)) or at(i) in (_DOT, _DASH):
                        i += 1
                    value = _lower(data[token_begin:i])
                    if not _space(at(i)) and at(i) != _GT:
                        raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    # a string literal, entities decoded
                    quote = at(i)
                    i += 1
                    literal = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == _AMP:
                            code, end = _decode_entity(data, i)
                            if code != 0:
                                literal += _utf8(code)
                                i = end
                                continue
                        literal.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = literal.decode("utf-8", "surrogatepass")
                if at(i) == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")

                if tag == "a" and name == b"href":
                    argument = value
                elif tag == "code" and name == b"class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and name == b"class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and name == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and name == b"expandable":
                    argument = "1"
                elif tag == "tg-time" and name == b"unix":
                    date = _to_integer(value, 32)
                elif tag == "tg-time" and name == b"format":
                    argument = value

            if tag == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            nested.append(_Open(tag, argument, date, utf16, len(out)))
        else:
            # an end tag
            if not nested:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            while not _space(at(i)) and at(i) != _GT:
                i += 1
            end_tag = _lower(data[begin + 2 : i])
            while _space(at(i)) and at(i) != 0:
                i += 1
            if at(i) != _GT:
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            top = nested[-1]
            if end_tag and end_tag != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", found "</{end_tag}>"'
                )
            if utf16 > top.offset:
                _close(top, utf16 - top.offset, bytes(out[top.begin :]), entities)
            nested.pop()
        i += 1  # past the tag's '>'

    if nested:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    entities = [
        Entity(e.type, e.offset, e.length) if e.type == "Code" and e.argument else e for e in entities
    ]  # a code entity keeps no language
    entities.sort(key=lambda e: (e.offset, -e.length, _PRIORITY[e.type]))
    text = out.decode("utf-8", "surrogatepass")
    if recheck and any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        raise EntityParseError(_SURROGATES)
    return Parsed(text, tuple(entities))


def _close(top: _Open, length: int, inside: bytes, entities: list[Entity]) -> None:
    """The entity an end tag makes of a non-empty span."""
    offset = top.offset
    simple = {
        "i": "Italic",
        "em": "Italic",
        "b": "Bold",
        "strong": "Bold",
        "s": "Strikethrough",
        "strike": "Strikethrough",
        "del": "Strikethrough",
        "u": "Underline",
        "ins": "Underline",
        "tg-spoiler": "Spoiler",
        "span": "Spoiler",
    }
    last = entities[-1] if entities else None
    same_span = last is not None and last.offset == offset and last.length == length
    if top.tag in simple:
        entities.append(Entity(simple[top.tag], offset, length))
    elif top.tag == "tg-emoji":
        identifier = _to_integer(top.argument, 64)
        if str(identifier) != top.argument or identifier == 0:  # to_integer_safe<int64>
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(Entity("CustomEmoji", offset, length, top.argument))
    elif top.tag == "tg-time":
        if not _valid_date_format(top.argument):
            raise EntityParseError("Invalid date format used")
        if top.date > 0:
            entities.append(Entity("FormattedDate", offset, length, top.argument))
    elif top.tag == "a":
        url = top.argument or inside.decode("utf-8", "surrogatepass")
        link = _link_entity(url, offset, length)
        if link is not None:
            entities.append(link)
    elif top.tag == "pre":
        if same_span and last is not None and last.type == "Code" and last.argument:
            entities[-1] = Entity("PreCode", offset, length, last.argument)
        else:
            entities.append(Entity("Pre", offset, length))
    elif top.tag == "code":
        if same_span and last is not None and last.type == "Pre" and top.argument:
            entities[-1] = Entity("PreCode", offset, length, top.argument)
        else:
            entities.append(Entity("Code", offset, length, top.argument))
    else:  # blockquote
        entities.append(Entity("ExpandableBlockQuote" if top.argument else "BlockQuote", offset, length))


# ---------------------------------------------------------------- what the server keeps


def _removed(char: str) -> bool:
    """clean_input_string drops '\\r', U+2028–U+202E and the vertical lines U+030A, U+0333, U+033F."""
    return char == "\r" or "\u2028" <= char <= "\u202e" or char in "\u030a\u0333\u033f"


_BLANKS = set(
    "\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u2800\u3000\ufffc"
)
_EMPTY = set(" \n\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0")


def _utf16_to_index(text: str, offset: int) -> int:
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def kept_text(parsed: Parsed) -> str:
    """fix_formatted_text: control characters made spaces, some removed, then spaces and newlines trimmed.

    At the start, the trim stops at the first entity (TDLib keeps a formatted space).
    """
    starts: list[int] = []
    kept: list[str] = []
    first_entity = min((_utf16_to_index(parsed.text, e.offset) for e in parsed.entities), default=None)
    for index, char in enumerate(parsed.text):
        if index == first_entity:
            starts.append(len(kept))
        if _removed(char):
            continue
        kept.append(" " if ord(char) < 32 and char != "\n" else char)
    text = "".join(kept).rstrip(" \n")
    first = starts[0] if starts and starts[0] < len(text) else len(text)
    lead = len(text[:first]) - len(text[:first].lstrip(" \n"))
    return text[lead:]


def is_empty(text: str) -> bool:
    """is_empty_string: nothing but blanks, zero-width characters and marks."""
    return all(c in _EMPTY or c in _BLANKS or "\U000e0000" <= c <= "\U000e007f" or c in "\t\r\v\0" for c in text)


def length(text: str) -> int:
    """utf8_length: Unicode code points (an emoji of one code point counts 1; a flag counts 2)."""
    return len(text)


def refusal(text: str | None, parse_mode: str | None, *, caption: bool) -> str | None:
    """The Bot API's answer to a message's text or caption it refuses (None: accepted).

    As telegram-bot-api's get_input_message_text / get_formatted_text then TDLib's checks.
    """
    text = text or ""
    if not text:
        return None if caption else "Bad Request: message text is empty"
    if len(text.encode("utf-8", "surrogatepass")) > RAW_LIMIT:
        return "Bad Request: text is too long"
    mode = (parse_mode or "").lower()
    if mode in ("", "none"):
        parsed = Parsed(text)
    elif mode == "html":
        try:
            parsed = parse_html(text)
        except EntityParseError as error:
            return f"Bad Request: can't parse entities: {error.reason}"
    else:
        return None  # Markdown is not ported: the bot sends HTML only
    kept = kept_text(parsed)
    if is_empty(kept):
        return None if caption else "Bad Request: text must be non-empty"
    if caption and length(kept) > CAPTION_LIMIT:
        return "Bad Request: message caption is too long"
    if not caption and length(kept) > TEXT_LIMIT:
        return "Bad Request: message is too long"
    return None


def shown_length(text: str, parse_mode: str | None = "HTML") -> int:
    """The length Telegram checks against its limits (raises EntityParseError as Telegram refuses)."""
    parsed = parse_html(text) if (parse_mode or "").lower() == "html" else Parsed(text)
    return length(kept_text(parsed))
