"""Wiring: build the Application from Settings, and run it until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ConversationHandler,
    Defaults,
    ExtBot,
    PersistenceInput,
)
from telegram.warnings import PTBUserWarning

from bot.chat.calls import PARSE_MODE, quiet_known_ptb_warnings
from bot.chat.context import CONTEXT_TYPES, DEPS_KEY, BotContext, Deps
from bot.chat.feature import Feature
from bot.chat.http import HttpServer, Webhook
from bot.chat.menus import set_menu
from bot.chat.metrics import Metrics
from bot.chat.pace import ChatPace, ReplyLimiter
from bot.chat.persistence import SQLitePersistence
from bot.chat.sender import Sender
from bot.chat.ticks import tick
from bot.chat.turns import PersonalTurns
from bot.config import Settings, bot_id
from bot.handlers import (
    account,
    announcements,
    browse,
    delphi,
    facilitation,
    groups,
    joining,
    operations,
    profile,
    project_catalogue,
    project_review,
    projects,
    reports,
    system,
)
from bot.i18n import SUPPORTED
from bot.models import Catalogue
from bot.services import contacts
from bot.services.clock import Clock, utc_now
from bot.storage.database import Database
from bot.transport import AiohttpRequest
from bot.updates import TolerantBot, UpdatesRequest
from bot.views.commands import CommandAudience
from bot.web.site import SiteServer

log = logging.getLogger("bot")
CONCURRENT_UPDATES = 64
TRANSPORTS_KEY = "transports"  # closed by us when PTB never initialised them (a failed start)
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
WEBHOOK_CHECK_SECONDS = 60.0
WEBHOOK_ERROR_KEY = "webhook_error_at"  # the last delivery error logged (Telegram repeats it until the next)
STOP_POLLING_WITHIN = 0.4  # PTB's polling back-off sleeps up to 30 s; SIGTERM must not wait for it
# Every feature, once: its handlers are registered in this order (system's fallbacks last).
FEATURES: tuple[Feature, ...] = (
    browse.FEATURE,
    joining.FEATURE,
    profile.FEATURE,
    account.FEATURE,
    facilitation.FEATURE,
    announcements.FEATURE,
    reports.FEATURE,
    groups.FEATURE,
    delphi.FEATURE,
    projects.FEATURE,
    project_review.FEATURE,
    project_catalogue.FEATURE,
    operations.FEATURE,
    system.FEATURE,
)


def build_application(settings: Settings, catalogue: Catalogue, db: Database, clock: Clock = utc_now) -> Application:  # type: ignore[type-arg]
    # bot_data holds the live wiring (Deps), and no handler uses chat_data.
    persistence = SQLitePersistence(db, PersistenceInput(bot_data=False, chat_data=False))
    token = settings.token.get_secret_value()
    defaults = Defaults(parse_mode=PARSE_MODE, tzinfo=UTC)
    chats = ChatPace(settings.chat_burst)  # each chat's limit, shared by the replies and the sender
    metrics = Metrics()
    proxy, observer = settings.proxy, metrics.api_answered
    updates_request = UpdatesRequest(connection_pool_size=1, proxy=proxy, observer=observer)
    transports = (
        AiohttpRequest(proxy=proxy, observer=observer),
        updates_request,
        AiohttpRequest(proxy=proxy, observer=observer),
    )
    base_url, base_file_url = settings.api_url, settings.api_file_url or settings.api_url
    bot = TolerantBot(
        token,
        updates_request=updates_request,
        request=transports[0],
        defaults=defaults,
        rate_limiter=ReplyLimiter(chats),
        base_url=base_url,
        base_file_url=base_file_url,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .persistence(persistence)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(
            PersonalTurns(
                CONCURRENT_UPDATES,
                settings.flood_limit,
                lambda update: system.slow_down(application, update),
                metrics.handled,
            )
        )
        .build()
    )
    deps = Deps(settings, catalogue, db, clock, features=FEATURES, metrics=metrics)
    # The sender paces itself, so its bot has no rate limiter (whose one 429 would pause every answer).
    sender_bot = ExtBot(token, base_url=base_url, base_file_url=base_file_url, request=transports[2], defaults=defaults)
    kinds = (kind for f in FEATURES for kind in f.outbox_kinds)
    deps.sender = Sender(deps, sender_bot, chats, kinds, lambda outcome: metrics.outbox_settled.labels(outcome).inc())
    application.bot_data[DEPS_KEY] = deps
    application.bot_data[TRANSPORTS_KEY] = transports
    quiet_known_ptb_warnings()
    application.add_handler(system.redelivery_handler(), group=-3)
    application.add_handler(system.language_handler(), group=-2)
    for handler in (handler for feature in FEATURES for handler in feature.early(deps)):
        application.add_handler(handler, group=-1)
    application.add_handler(conversation(FEATURES))
    for handler in (handler for feature in FEATURES for handler in feature.handlers()):
        application.add_handler(handler)
    application.add_handler(system.recorder_handler(), group=1)
    application.add_error_handler(system.on_error)
    return application


def conversation(features: tuple[Feature, ...]) -> ConversationHandler[Any]:
    """The one persistent conversation, made of the features' parts: starting one flow cleanly ends
    another, and a restart finds the person where they were."""
    parts = [feature.conversation() for feature in features if feature.conversation is not None]
    states = [state for part in parts for state in part.states]
    if len(states) != len(set(states)):  # one would silently replace the other's handlers
        raise ValueError(f"two features name the same conversation state: {sorted(states)}")
    with warnings.catch_warnings():
        # Buttons are tracked per chat on purpose: one flow per person, not per message.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            name="chat",
            persistent=True,
            allow_reentry=True,
            entry_points=[handler for part in parts for handler in part.entry_points],
            states={state: handlers for part in parts for state, handlers in part.states.items()},
            fallbacks=[handler for part in parts for handler in part.fallbacks],
        )


class StartupError(Exception):
    """The bot cannot start for a reason only the operator can fix; one line says which."""


async def _on_start(application: Application) -> None:  # type: ignore[type-arg]
    """Command menus and the tick; `run_polling` would call this post_init, we run ourselves."""
    deps: Deps = application.bot_data[DEPS_KEY]
    deps.bot_username = application.bot.username
    for feature in FEATURES:
        for prepare in feature.on_start:
            await prepare(deps)
    try:
        for language in SUPPORTED:
            await set_menu(application.bot, deps, language)
    except TelegramError as error:  # not worth failing the start: the menus are set again next time
        log.warning("command menus not set: %s", error)
    for admin in deps.settings.admins:
        try:
            language = await contacts.language_of(deps.db, admin)
            await set_menu(application.bot, deps, language, admin, CommandAudience.ADMINS)
        except TelegramError as error:  # an admin who never started the bot
            log.warning("no command menu for an admin: %s", error)
    assert application.job_queue is not None
    application.job_queue.run_repeating(tick, interval=deps.settings.tick_seconds, first=0.1, name="tick")


async def serve(application: Application, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Connect (retrying while the Bot API cannot be reached), take updates (long polling, or a webhook when
    BOT_WEBHOOK_URL is set) until `stop` is set, stop cleanly."""
    deps: Deps = application.bot_data[DEPS_KEY]
    settings = deps.settings
    host = urlsplit(settings.api_url).netloc
    if not await _connect(application, host, stop):
        return
    updater = application.updater
    assert updater is not None
    webhook = Webhook(settings.webhook_path, secrets.token_urlsafe(32)) if settings.webhook_url else None
    server = HttpServer(application, deps, webhook)
    public = SiteServer(settings, deps.catalogue, application.bot.username) if settings.site else None
    try:
        await _on_start(application)
        if settings.http_listen is not None:  # before the updates: a webhook's first post finds it listening
            await _listen(server.start, "BOT_HTTP_LISTEN", settings.http_listen)
        if public is not None:
            await _listen(public.start, "BOT_SITE_LISTEN", settings.site_listen)
        if webhook is None:
            await updater.start_polling(  # which removes a webhook set before
                poll_interval=0.0,
                timeout=10,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                error_callback=lambda error: log.warning("cannot reach the Bot API at %s: %s; retrying", host, error),
            )
        await application.start()
        await deps.sender.start()
        if webhook is not None:
            await _set_webhook(application, webhook)
        log.info("bot started as @%s on %s (%s)", application.bot.username, host, "webhook" if webhook else "polling")
        await stop.wait()
    finally:
        if public is not None:
            await public.stop()
        await server.stop()
        await deps.sender.stop()
        if updater.running:
            # Bounded: cancelling PTB's stop also cancels its polling task, back-off sleep included.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(updater.stop(), STOP_POLLING_WITHIN)
        if application.running:
            await application.stop()
        await application.shutdown()
    log.info("bot stopped")


async def _listen(start: Callable[[], Awaitable[None]], setting: str, listen: str) -> None:
    try:
        await start()
    except OSError as error:
        raise StartupError(f"{setting}: cannot listen on {listen} ({error.strerror or error})") from None


async def _set_webhook(application: Application, webhook: Webhook) -> None:  # type: ignore[type-arg]
    """Telegram posts to the public address from now on; a check every minute keeps the Bot API's contact
    known to /healthz (no getUpdates asks any more) and logs what Telegram says of its deliveries."""
    deps: Deps = application.bot_data[DEPS_KEY]
    try:
        await application.bot.set_webhook(
            deps.settings.webhook_url or "", secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
        )
    except TelegramError as error:
        raise StartupError(f"BOT_WEBHOOK_URL: the Bot API refused it ({error.message})") from None
    assert application.job_queue is not None
    application.job_queue.run_repeating(_webhook_news, interval=WEBHOOK_CHECK_SECONDS, name="webhook check")


async def _webhook_news(context: BotContext) -> None:
    try:
        info = await context.bot.get_webhook_info()
    except TelegramError as error:
        log.warning("getWebhookInfo failed: %s", error.message)
        return
    if info.last_error_message and info.last_error_date and info.last_error_date.timestamp() > _last_told(context):
        context.bot_data[WEBHOOK_ERROR_KEY] = info.last_error_date.timestamp()
        log.warning("Telegram could not deliver to the webhook: %s", info.last_error_message)


def _last_told(context: BotContext) -> float:
    told: float = context.bot_data.get(WEBHOOK_ERROR_KEY, 0.0)
    return told


async def _connect(application: Application, host: str, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """getMe until it answers: False if told to stop first; StartupError if the token is rejected.

    A bot started before the network is up comes up by itself: transient failures are
    retried with capped exponential back-off, one line each.
    """
    delay = BACKOFF_FIRST
    while True:
        try:
            await application.initialize()
            return True
        except InvalidToken:
            await _close_transports(application)
            shown = bot_id(application.bot.token)
            raise StartupError(f"BOT_TOKEN: the Bot API at {host} rejected the token of bot {shown}") from None
        except TelegramError as error:
            log.warning("cannot reach the Bot API at %s: %s; next try in %.0f s", host, _reason(error), delay)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await stop.wait()
        if stop.is_set():
            await _close_transports(application)
            return False
        delay = min(delay * 2, BACKOFF_MAX)


def _reason(error: TelegramError) -> str:
    return f"timed out ({error.message})" if isinstance(error, TimedOut) else error.message


async def _close_transports(application: Application) -> None:  # type: ignore[type-arg]
    """PTB shuts down only what it initialised; a failed start leaves our sessions open otherwise."""
    for transport in application.bot_data[TRANSPORTS_KEY]:
        await transport.shutdown()
