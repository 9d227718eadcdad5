"""The bot's own HTTP server (aiohttp, which the transport already uses): Telegram's webhook, `GET /healthz`
and `GET /metrics`. It listens on BOT_HTTP_LISTEN, behind the operator's reverse proxy, which terminates
HTTPS (Telegram posts only to HTTPS) and passes the webhook's path on.

The webhook path is guarded by the secret given to setWebhook at start: Telegram sends it in a header
with every update, and anything without it is refused (403) before it is read.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot.chat.context import Deps
from bot.chat.metrics import CONTENT_TYPE
from bot.config import listen_address
from bot.storage import health
from bot.updates import readable

log = logging.getLogger("bot.http")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few kilobytes; Telegram's largest are far below this
CONTACT_WITHIN = 120.0  # seconds: the Bot API answered at least this recently (polling asks every 10 s)
SENDER_LOOKS_WITHIN = 120.0  # seconds: the sender looks at the outbox every 5 s when idle
WRITE_WITHIN = 2.0  # seconds for the health check's write


@dataclass(frozen=True)
class Webhook:
    path: str
    secret: str


class HttpServer:
    """Started after the Application (its update queue takes the webhook's updates), stopped before it."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], deps: Deps, webhook: Webhook | None):
        self._application = application
        self._deps = deps
        self._webhook = webhook
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        listen = self._deps.settings.http_listen
        assert listen is not None
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        if self._webhook is not None:
            app.router.add_post(self._webhook.path, self._update)
        self._runner = web.AppRunner(app, access_log=None)  # access lines would log every update's arrival
        await self._runner.setup()
        host, port = listen_address(listen)
        await web.TCPSite(self._runner, host, port).start()
        log.info("HTTP server on %s", listen)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._webhook.secret.encode()):
            log.warning("a request to the webhook without its secret was refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        update = readable(data, self._application.bot)
        if update is not None:
            await self._application.update_queue.put(update)
        return web.Response()

    async def _health(self, _request: web.Request) -> web.Response:
        problems = await health_problems(self._deps)
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = await self._deps.metrics.exposition(self._deps.db, self._deps.now())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def health_problems(deps: Deps) -> list[str]:
    """What is wrong, one line each; none when the bot is healthy."""
    problems = []
    if (reason := await _write_refused(deps)) is not None:
        problems.append(f"database: {reason}")
    since = deps.metrics.since_contact()
    if since is None or since > CONTACT_WITHIN:
        ago = "never" if since is None else f"{since:.0f} s ago"
        problems.append(f"Bot API: last answer {ago}")
    quiet = deps.sender.quiet_for()
    if quiet > SENDER_LOOKS_WITHIN:
        problems.append("sender: not running" if math.isinf(quiet) else f"sender: stuck for {quiet:.0f} s")
    return problems


async def _write_refused(deps: Deps) -> str | None:
    """None when a write to the database went through in time (a full disk, an I/O error or a writer that
    never lets go fail it); else why not."""
    try:
        async with asyncio.timeout(WRITE_WITHIN):
            await health.record(deps.db, deps.now())
    except TimeoutError:
        return f"no write went through within {WRITE_WITHIN:.0f} s"
    except sqlite3.Error as error:
        return str(error)
    return None
