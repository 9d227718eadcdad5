"""Every family of buttons: its data fits Telegram's 64 bytes, reads back as itself, and exactly one handler takes it.

The families are read from the registry and the handlers from the application `build_application`
makes, so a new family or handler is checked without this file changing.
"""

from __future__ import annotations

import itertools
import types
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.app import build_application
from bot.models import Catalogue
from bot.storage.database import Database
from bot.views.account import LeaveYes, TaskforceCard
from bot.views.callbacks import MAX_BYTES, VERSION, Buttons, Pattern, is_old, unpack_any
from bot.views.delphi import DelphiAnswer
from bot.views.joining import JoinOver
from tests.harness import bot_settings
from tests.standin import BotApiStandIn

FAMILIES = sorted(Buttons.families.values(), key=lambda family: family.prefix)
OUTSIDE = "outside a flow"


def _choices(annotation: Any) -> list[Any]:
    """Every value worth trying for a field: all of an enum's or a literal's, else the longest it takes."""
    origin = get_origin(annotation)
    if origin is Annotated:
        longest = [m.value for m in annotation.__metadata__ if type(m).__name__ == "Longest"]
        return longest or _choices(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [value for arg in get_args(annotation) for value in _choices(arg)]
    if origin is Literal:
        return list(get_args(annotation))
    if annotation is type(None):
        return [None]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return list(annotation)
    raise AssertionError(f"no example for a field typed {annotation!r}: give it a Longest(...)")


def _field_choices(info: FieldInfo) -> list[Any]:
    if info.metadata:  # pydantic keeps an Annotated field's metadata here, not in the annotation
        longest = [m.value for m in info.metadata if type(m).__name__ == "Longest"]
        if longest:
            return longest
    return _choices(info.annotation)


def examples(family: type[Buttons]) -> list[Buttons]:
    """The family's buttons with every enum and literal value, and the longest other values."""
    names = list(family.model_fields)
    choices = [_field_choices(family.model_fields[name]) for name in names]
    return [family(**dict(zip(names, combination, strict=True))) for combination in itertools.product(*choices)]


ALL_EXAMPLES = [(family.__name__, example) for family in FAMILIES for example in examples(family)]


@pytest.mark.parametrize(("family", "example"), ALL_EXAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALL_EXAMPLES)])
def test_each_button_fits_and_reads_back_as_itself(family: str, example: Buttons) -> None:
    data = example.pack()
    assert len(data.encode()) <= MAX_BYTES, data
    assert data.startswith(f"{VERSION}:") and not is_old(data)
    assert type(example).unpack(data) == example
    assert unpack_any(data) == example
    others = [f for f in FAMILIES if f is not type(example)]
    assert not [f.__name__ for f in others if f.unpack(data) is not None], data


@pytest.mark.parametrize(
    "data",
    [
        "lv:y:A1",  # an earlier version's button
        "v1:ly:A1",
        f"{VERSION}:ly:A1:extra",
        f"{VERSION}:ly:a1",
        f"{VERSION}:ly",
        f"{VERSION}:zz:A1",
        f"{VERSION}:dl:007:1:2",  # a number written two ways is not the same button
        f"{VERSION}:dl:1:1:100",
        f"{VERSION}:dl:1:1:-1",
        f"{VERSION}:dl:1:1: 2",
        f"{VERSION}:jo:",
        f"{VERSION}:mc:B3" + "x" * 60,
        "",
    ],
)
def test_data_no_family_made_is_nobodys(data: str) -> None:
    assert unpack_any(data) is None


def test_an_old_button_is_known_as_old() -> None:
    assert is_old("lv:y:A1") and is_old("v1:ly:A1")
    assert not is_old(LeaveYes(code="A1").pack())


def test_a_button_over_64_bytes_is_refused_when_made() -> None:
    class Wide(Buttons, prefix="test-wide"):
        text: str

    try:
        with pytest.raises(ValueError, match="64 bytes"):
            Wide(text="x" * 60).pack()
    finally:
        del Buttons.families["test-wide"]


def test_a_field_outside_its_type_is_refused_when_made() -> None:
    with pytest.raises(ValidationError):
        TaskforceCard(code="B10")
    with pytest.raises(ValidationError):
        DelphiAnswer(round=1, question=1, point=100)
    assert JoinOver().pack() == f"{VERSION}:jo:-"


# ---------------------------------------------------------------- routing


def _button_handlers(handlers: list[BaseHandler[Any, Any, Any]]) -> list[CallbackQueryHandler[Any, Any]]:
    return [h for h in handlers if isinstance(h, CallbackQueryHandler) and h.pattern is not None]


_SCOPES: dict[str, list[Any]] = {}


async def _scopes(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> dict[str, list[Any]]:
    """The button handlers one press can meet: outside any flow, and in each state of the conversation.

    Made once: the application's handlers do not depend on the test."""
    if not _SCOPES:
        _SCOPES.update(await _build_scopes(standin, tmp_path, catalogue))
    return _SCOPES


async def _build_scopes(standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue) -> dict[str, list[Any]]:
    db = await Database.open(tmp_path / "routes.sqlite3")
    try:
        application = build_application(bot_settings(standin, tmp_path / "routes.sqlite3"), catalogue, db)
    finally:
        await db.close()
    conversations = [h for group in application.handlers.values() for h in group if isinstance(h, ConversationHandler)]
    assert len(conversations) == 1, "one persistent conversation"
    conversation = conversations[0]
    others = [h for group in application.handlers.values() for h in group if not isinstance(h, ConversationHandler)]
    scopes = {OUTSIDE: _button_handlers([*conversation.entry_points, *others])}
    for state, handlers in conversation.states.items():
        # PTB tries the entry points first in any state (allow_reentry), then the state's, then the fallbacks.
        scopes[str(state)] = _button_handlers([*conversation.entry_points, *handlers, *conversation.fallbacks, *others])
    return scopes


async def test_every_button_handler_takes_a_family_not_a_regular_expression(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    scopes = await _scopes(standin, tmp_path, catalogue)
    patterns = [handler.pattern for handlers in scopes.values() for handler in handlers]
    assert patterns and all(isinstance(pattern, Pattern) for pattern in patterns), patterns


@pytest.mark.parametrize(("family", "example"), ALL_EXAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALL_EXAMPLES)])
async def test_each_button_routes_to_exactly_one_handler(
    family: str, example: Buttons, standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    data = example.pack()
    takers = {
        scope: [h.callback.__qualname__ for h in handlers if h.pattern(data)]
        for scope, handlers in (await _scopes(standin, tmp_path, catalogue)).items()
    }
    assert any(len(names) == 1 for names in takers.values()), f"{data}: no handler takes it"
    assert all(len(names) <= 1 for names in takers.values()), f"{data}: taken by several: {takers}"
