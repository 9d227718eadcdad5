"""A feature declared once: what the wiring, the menus, the help, the refusals and the sender need of it.

`app.py` only loops over the features it lists, so adding a feature adds its files and one line
there. A feature's handlers are made with `command`, `button` and `message`, which answer a
`Refused` raised anywhere below with the polite sentence (and change nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.ext.filters import BaseFilter

from bot.chat.common import refuse
from bot.chat.context import BotContext, Deps, Job
from bot.chat.sender import OutboxKind
from bot.i18n import Translate
from bot.services.errors import Refused
from bot.views.callbacks import Pattern
from bot.views.commands import CommandText

Handler = BaseHandler[Any, BotContext, Any]
Result = TypeVar("Result")
# A coroutine function, as PTB's handlers are typed to take.
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, Result]]
StartHook = Callable[[Deps], Awaitable[None]]
PRIVATE = filters.ChatType.PRIVATE


@dataclass(frozen=True)
class ConversationPart:
    """A feature's share of the one persistent conversation: how it is entered, and its states."""

    entry_points: list[Handler] = field(default_factory=list)
    states: dict[str, list[Handler]] = field(default_factory=dict)
    fallbacks: list[Handler] = field(default_factory=list)  # in every state, after its own handlers


@dataclass(frozen=True)
class Feature:
    """Everything the bot's wiring needs to know of one feature, in one object."""

    name: str
    handlers: Callable[[], list[Handler]] = list  # group 0, after the conversation, in order
    conversation: Callable[[], ConversationPart] | None = None
    # Group -1, before the conversation (groups, a typed answer awaited); given the wiring, since a handler's
    # `check_update` sees only the update (Delphi's looks up, in memory, whom a question waits for).
    early: Callable[[Deps], list[Handler]] = lambda deps: []
    commands: Callable[[Translate], list[CommandText]] = lambda _: []  # menu and help lines, per audience
    refusals: Callable[[Translate], Mapping[str, str]] = lambda _: {}  # reason → sentence
    outbox_kinds: tuple[OutboxKind[Deps], ...] = ()
    jobs: tuple[Job, ...] = ()  # on every tick
    on_start: tuple[StartHook, ...] = ()


def polite(callback: Callback[Result]) -> Callback[Result | None]:
    """A rule's no, raised anywhere in the handler, becomes the polite answer; the update changes nothing."""

    @wraps(callback)
    async def answered(update: Update, context: BotContext) -> Result | None:
        try:
            return await callback(update, context)
        except Refused as refused:
            await refuse(update, context, refused)
            return None

    return answered


def command(name: str, callback: Callback[Any], where: BaseFilter = PRIVATE) -> Handler:
    return CommandHandler(name, polite(callback), filters=where)


def button(pattern: Pattern, callback: Callback[Any]) -> Handler:
    """The handler of the buttons `pattern` accepts (a family's `when`, or `any_of` several)."""
    return CallbackQueryHandler(polite(callback), pattern=pattern)


def message(where: BaseFilter, callback: Callback[Any]) -> Handler:
    return MessageHandler(where, polite(callback))
