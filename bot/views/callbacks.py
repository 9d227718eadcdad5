"""Button data: one small typed class per family of buttons, which both makes a button's data and routes it.

As aiogram's `CallbackData`: a family declares its prefix and its fields; `pack` writes
`v2:prefix:field:…` (checked to fit Telegram's 64 bytes), `unpack` reads it back into the typed
object or says it is not one of this family's, and `when(...)` is the pattern a
`CallbackQueryHandler` takes. Data that does not read back to exactly what it says (an extra
field, a leading zero, a value outside its type) is nobody's: stale or forged.

The version mark says which bot made a button: a button that lies in a chat from before the
current layout is recognised as old, and the person is told so instead of being told it was forged.
Change `VERSION` whenever a family's fields change meaning.

The families themselves are declared by their features, at the top of each view module
(`views/joining.py`'s `JoinToggle`…); a prefix taken twice stops the import.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

VERSION = "v2"
SEPARATOR = ":"
NOTHING = "-"  # an optional field left empty
MAX_BYTES = 64


class Longest:
    """The longest value a field may carry: the family test packs every family with these."""

    def __init__(self, value: object) -> None:
        self.value = value


Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][1-9]$"), Longest("Z9")]
GoalLetter = Annotated[str, StringConstraints(pattern=r"^[A-Z]$"), Longest("Z")]
RowId = Annotated[int, Field(ge=0, le=10**12 - 1), Longest(10**12 - 1)]
RoundId = Annotated[int, Field(ge=0, le=10**9 - 1), Longest(10**9 - 1)]
Index = Annotated[int, Field(ge=0, le=99), Longest(99)]  # a question, a point, a region's place in a list
ChoiceValue = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,20}$"), Longest("x" * 20)]


class Buttons(BaseModel):
    """A family of buttons; subclasses name their `prefix` (unique) and their fields, in data order."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    prefix: ClassVar[str]
    families: ClassVar[dict[str, type[Buttons]]] = {}

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix:  # an abstract base of a few families
            return
        if prefix in Buttons.families:
            raise TypeError(f"button prefix {prefix!r} is taken by {Buttons.families[prefix].__name__}")
        cls.prefix = prefix
        Buttons.families[prefix] = cls

    def pack(self) -> str:
        values = (_text(getattr(self, name)) for name in type(self).model_fields)
        data = SEPARATOR.join((VERSION, self.prefix, *values))
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button data {data!r} is over {MAX_BYTES} bytes")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """This family's press, or None when the data is not exactly one of its buttons."""
        press = _unpack(data) if isinstance(data, str) else None
        return press if isinstance(press, cls) else None

    @classmethod
    def when(cls, **wanted: object) -> Pattern:
        """The pattern of the handler of this family's buttons, or of those whose fields hold the values wanted
        (a collection: any of them)."""
        return Pattern((cls,), tuple(wanted.items()))


@dataclass(frozen=True)
class Pattern:
    """What a `CallbackQueryHandler` takes as its pattern: the families (and field values) it handles.

    A class of its own, so that a test can tell every button handler is routed by families, not by
    a pattern written by hand."""

    families: tuple[type[Buttons], ...]
    wanted: tuple[tuple[str, object], ...] = ()

    def __call__(self, data: object) -> bool:
        press = unpack_any(data)
        return isinstance(press, self.families) and all(
            _holds(getattr(press, name), want) for name, want in self.wanted
        )


def any_of(*families: type[Buttons]) -> Pattern:
    """The pattern of one handler for several families."""
    return Pattern(families)


def unpack_any(data: object) -> Buttons | None:
    """Any family's press; None for data no family would have made (stale or forged)."""
    return _unpack(data) if isinstance(data, str) else None


def is_old(data: object) -> bool:
    """Data made by an earlier version of the bot (before the version mark, or another one)."""
    return isinstance(data, str) and not data.startswith(VERSION + SEPARATOR)


@lru_cache(maxsize=4096)
def _unpack(data: str) -> Buttons | None:
    """Cached: a press is tried against every handler's pattern, and buttons recur."""
    if len(data.encode()) > MAX_BYTES:
        return None
    version, _, rest = data.partition(SEPARATOR)
    prefix, _, values = rest.partition(SEPARATOR)
    family = Buttons.families.get(prefix) if version == VERSION else None
    if family is None:
        return None
    names = list(family.model_fields)
    parts = values.split(SEPARATOR) if names else ([] if not values else [values])
    if len(parts) != len(names):
        return None
    try:
        press = family.model_validate(
            {name: None if part == NOTHING else part for name, part in zip(names, parts, strict=True)}
        )
    except ValidationError:
        return None
    return press if press.pack() == data else None


def _text(value: object) -> str:
    if value is None:
        return NOTHING
    return str(value.value) if isinstance(value, Enum) else str(value)


def _holds(value: object, want: object) -> bool:
    if isinstance(want, Collection) and not isinstance(want, str):
        return value in want
    return value == want
