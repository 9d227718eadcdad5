"""Callback data: short, prefixed, and parsed in this one place.

Every datum is `area:action[:arg…]`, ASCII, well under the Bot API's 64 bytes.
Anything that does not match a known shape is refused as stale or forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.services.errors import Refused

CODE = r"[A-Z][1-9]"
SHAPES: dict[tuple[str, str], tuple[str, ...]] = {
    ("m", "home"): (),
    ("m", "mine"): (),
    ("m", "tf"): (CODE,),
    ("b", "home"): (),
    ("b", "g"): (r"[A-Z]",),
    ("b", "o"): (CODE,),
    ("j", "new"): (),
    ("j", "go"): (CODE,),
    ("j", "t"): (CODE,),
    ("j", "d"): (),
    ("j", "f"): (r"[a-z_]{1,20}", r"[a-z0-9_]{1,20}"),
    ("j", "r"): (CODE, r"leader|representative|member"),
    ("j", "ok"): (),
    ("j", "e"): (r"tf|pr|ro",),
    ("j", "x"): (),
    ("j", "b"): (),
    ("j", "k"): (),
    ("j", "p"): (r"[a-z_]{1,20}",),
    ("j", "resume"): (),
    ("j", "over"): (rf"{CODE}|-",),
    ("lv", "a"): (CODE,),
    ("lv", "y"): (CODE,),
    ("lv", "n"): (),  # the old "No" of messages sent before it became "Stay in …"
    ("lv", "k"): (CODE,),
    ("fg", "y"): (),
    ("fg", "n"): (),
    ("pf", "e"): (r"[a-z_]{1,20}",),
    ("pf", "c"): (r"[a-z_]{1,20}", r"[a-z0-9_]{1,20}"),
    ("pf", "x"): (r"[a-z_]{1,20}",),
    ("lg", "set"): (r"en|fr|es",),
    ("pl", "k"): (r"[0-9]{1,12}", r"[0-9]{1,2}"),  # a Representative place after a move: keep it (place, region)
    ("pl", "t"): (r"[0-9]{1,12}", r"[0-9]{1,2}"),  # … give it up, a Team Member
    ("pl", "a"): (r"[0-9]{1,12}", r"[0-9]{1,2}"),  # … apply for the region now
    ("ap", "ok"): (r"[0-9]{1,12}",),
    ("ap", "no"): (r"[0-9]{1,12}",),
    ("ap", "nm"): (r"[0-9]{1,12}",),
    ("ap", "skip"): (r"[0-9]{1,12}",),
    ("ap", "stay"): (r"[0-9]{1,12}",),
    ("bc", "p"): (r"[0-9]{1,12}", r"main|tf|ro|rg|ty"),
    ("bc", "a"): (r"[0-9]{1,12}", r"all|tf|ro|rg|ty", rf"-|{CODE}|leader|representative|member|[0-9]{{1,2}}"),
    ("bc", "v"): (r"[0-9]{1,12}",),
    ("bc", "s"): (r"[0-9]{1,12}",),
    ("bc", "c"): (r"[0-9]{1,12}",),
    ("bc", "x"): (r"[0-9]{1,12}",),
    ("bs", "pause"): (r"[0-9]{1,12}",),
    ("bs", "resume"): (r"[0-9]{1,12}",),
    ("bs", "cancel"): (r"[0-9]{1,12}",),
    ("st", "an"): (r"on|off",),
    ("dl", "a"): (r"[0-9]{1,9}", r"[0-9]{1,2}", r"[0-9]{1,2}"),  # round, question, point or option
    ("dl", "c"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # add a comment
    ("dl", "n"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # no comment: next question
    ("dl", "q"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # open a question (to answer or change)
    ("dl", "r"): (r"[0-9]{1,9}",),  # continue the round
    ("dl", "k"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # keep the previous round's answer
    ("dl", "t"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # the previous round by stakeholder type
    ("dl", "g"): (r"[0-9]{1,9}", r"[0-9]{1,2}"),  # the previous round as a chart
}
MAX_BYTES = 64
# Compiled once: every button made and every press decoded goes through them.
_PATTERNS = {key: tuple(re.compile(pattern) for pattern in shape) for key, shape in SHAPES.items()}


@dataclass(frozen=True)
class Press:
    area: str
    action: str
    args: tuple[str, ...] = ()

    @property
    def arg(self) -> str:
        return self.args[0]


@lru_cache(maxsize=4096)
def encode(area: str, action: str, *args: str) -> str:
    """Checked against the shapes once per distinct datum; buttons recur."""
    data = ":".join((area, action, *args))
    if decode(data) is None:
        raise ValueError(f"callback data {data!r} has no known shape")
    return data


def pressed(data: str | None) -> Press:
    """The press of a button that must be one of ours: anything else is refused as stale."""
    press = decode(data)
    if press is None:
        raise Refused("stale")
    return press


def decode(data: str | None) -> Press | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    area, _, rest = data.partition(":")
    action, *args = rest.split(":") if rest else ("",)
    patterns = _PATTERNS.get((area, action))
    if patterns is None or len(args) != len(patterns):
        return None
    if not all(pattern.fullmatch(arg) for pattern, arg in zip(patterns, args, strict=True)):
        return None
    return Press(area, action, tuple(args))
