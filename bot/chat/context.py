"""What every handler is given: the wiring, the person in front of the bot, their language, their press.

PTB builds one `BotContext` per update (its `ContextTypes`, as in its contexttypesbot example),
so a handler reads `context.deps`, `context.person_id`, `context.tr` and `context.press(Family)`
instead of opening with the same four lines.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.chat.metrics import Metrics
from bot.chat.sender import Sender
from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, Translate, language_for, translator
from bot.models import Catalogue
from bot.services.backups import Schedule
from bot.services.clock import Clock
from bot.services.errors import Refused
from bot.services.joining import JoinRules
from bot.services.project_review import ReviewRules
from bot.storage.database import Database
from bot.views import words
from bot.views.callbacks import Buttons

if TYPE_CHECKING:
    from bot.chat.feature import Feature

DEPS_KEY = "deps"
# A periodic job: asks the database what is due and does it (queues rows, mostly).
Job = Callable[["Deps"], Awaitable[object]]
Press = TypeVar("Press", bound=Buttons)


@dataclass
class Deps:
    """Long-lived objects the handlers share; kept in (unpersisted) bot_data."""

    settings: Settings
    catalogue: Catalogue
    db: Database
    clock: Clock
    features: tuple[Feature, ...] = ()
    sender: Sender[Deps] = field(init=False)
    alerts_sent: dict[str, datetime] = field(default_factory=dict)
    seen_users: dict[int, tuple[str | None, str, str | None]] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)
    # Forgotten during the update being handled: the update must not remember them again.
    just_forgotten: set[int] = field(default_factory=set)
    ticks: int = 0  # ticks completed: tests wait for one instead of sleeping
    bot_username: str = ""  # known once getMe has answered: deep links name the bot
    # People whose next typed message a Delphi question waits for: its rows, read at start, then kept up to date.
    typing_awaited: set[int] = field(default_factory=set)
    due_failing: set[str] = field(default_factory=set)  # periodic jobs' due items that failed: logged once
    metrics: Metrics = field(default_factory=Metrics)
    backups: Schedule = field(init=False)

    def __post_init__(self) -> None:
        self.backups = Schedule(self.settings.database, self.settings.backups, self.settings.backup_hour)

    def now(self) -> datetime:
        return self.clock()

    def join_rules(self) -> JoinRules:
        return JoinRules(
            cap=self.settings.max_taskforces,
            admins=self.settings.admins,
            patience=timedelta(hours=self.settings.decision_reminder_hours),
        )

    def review_rules(self) -> ReviewRules:
        """Who reviews entries of the catalogue when nobody else can, and how patiently."""
        return ReviewRules(
            admins=self.settings.admins,
            patience=timedelta(hours=self.settings.decision_reminder_hours),
            progress_months=self.settings.progress_months,
        )

    def language_of(self, user_id: int | None, telegram_language: str | None) -> str:
        """The person's chosen language (cached from the database), else their Telegram's."""
        if user_id is None:
            return DEFAULT_LANGUAGE
        return self.languages.get(user_id) or language_for(telegram_language)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with this bot's wiring and the update's person."""

    # Not `update`: PTB's `CallbackContext.update(dict)` adds a regex filter's matches (`/start join_…`).
    handled: Update | None = None

    @classmethod
    def from_update(cls, update: object, application: Application[Any, BotContext, Any, Any, Any, Any]) -> BotContext:
        context = super().from_update(update, application)
        context.handled = update if isinstance(update, Update) else None
        return context

    @property
    def deps(self) -> Deps:
        return self.bot_data[DEPS_KEY]  # type: ignore[no-any-return]

    @property
    def person_id(self) -> int:
        """Who sent the update: every handler this bot registers answers a person."""
        assert self._user_id is not None
        return self._user_id

    @property
    def language(self) -> str:
        user = self.handled.effective_user if self.handled is not None else None
        return self.deps.language_of(user.id if user else None, user.language_code if user else None)

    @property
    def tr(self) -> Translate:
        """Read afresh each time: choosing a language changes it in the middle of the update."""
        return translator(self.language)

    def refusal(self, refused: Refused) -> str:
        """A rule's no as a sentence for a message."""
        return words.refusal(self.tr, refused, self._sentences())

    def refusal_alert(self, refused: Refused) -> str:
        """A rule's no as the alert on a button."""
        return words.refusal_alert(self.tr, refused, self._sentences())

    def _sentences(self) -> dict[str, str]:
        _ = self.tr
        sentences = words.common_refusals(_)
        for feature in self.deps.features:
            sentences.update(feature.refusals(_))
        return sentences

    def press(self, family: type[Press]) -> Press:
        """The pressed button as its family's typed object; a press of anything else is stale."""
        query = self.handled.callback_query if self.handled is not None else None
        pressed = family.unpack(query.data if query is not None else None)
        if pressed is None:
            raise Refused("stale")
        return pressed


CONTEXT_TYPES = ContextTypes(context=BotContext)
