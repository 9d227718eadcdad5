"""The public site's server: GET only, on BOT_SITE_LISTEN, its pages under the path of BOT_PUBLIC_URL.

`/` sends the reader to their language (the browser's Accept-Language), every page links to itself in the other
two. Anything that is not a page (an unknown task force, an entry that is not public, a path of the bot's private
server) gets the same "not found" page, so that nothing tells a private entry from none. No page needs a script,
and the headers forbid any.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.config import Settings, listen_address
from bot.i18n import DEFAULT_LANGUAGE, SUPPORTED, translator
from bot.models import Catalogue
from bot.services import site
from bot.storage.database import Database
from bot.views import site as views
from bot.views.site import ICON, STYLESHEET, Links
from bot.web.cache import Built, SiteCache, in_background

log = logging.getLogger("bot.site")
LANGUAGES = "|".join(SUPPORTED)
HTML = "text/html"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        " frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cache-Control": "no-cache",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def preferred_language(header: str) -> str:
    """The first language of Accept-Language (by its q, then its order) that the site speaks; English otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        base = tag.split("-")[0].strip().lower()
        if base in SUPPORTED and quality > 0:
            ranked.append((-quality, order, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


class SiteServer:
    """Started after the bot knows its username (the join links name it), stopped with it."""

    def __init__(self, settings: Settings, catalogue: Catalogue, bot_username: str) -> None:
        self._settings = settings
        self._catalogue = catalogue
        self._links = Links(settings.public_url or "", bot_username)
        self._runner: web.AppRunner | None = None
        self._db: Database | None = None
        self._reader: Database | None = None  # the snapshots' own
        self._cache: SiteCache | None = None
        self._warming: list[asyncio.Task[tuple[int, bytes]]] = []

    async def start(self) -> None:
        self._db = await Database.open_reader(self._settings.database)
        self._reader = await Database.open_reader(self._settings.database)
        views.compile_templates()
        self._cache = SiteCache(self._db, self._reader, self._catalogue)
        self._cache.start()
        # Drawn once the first snapshot is read: no reader waits for matplotlib.
        self._warming = [in_background(self._drawn(language)) for language in SUPPORTED]
        base = self._links.base
        app = web.Application(middlewares=[self._timed, self._no_page])
        if base:
            app.router.add_get(base, self._home)
        app.router.add_get(f"{base}/", self._home)
        app.router.add_get(f"{base}/site.css", self._file(STYLESHEET, "text/css"))
        app.router.add_get(f"{base}/icon.svg", self._file(ICON, "image/svg+xml"))
        app.router.add_get(f"{base}/{{lang:{LANGUAGES}}}", self._to_overview)
        app.router.add_get(f"{base}/{{lang:{LANGUAGES}}}/", self._overview)
        app.router.add_get(f"{base}/{{lang:{LANGUAGES}}}/taskforces.svg", self._chart)
        app.router.add_get(f"{base}/{{lang:{LANGUAGES}}}/{{code:[A-Z][1-9]}}", self._taskforce)
        app.router.add_get(f"{base}/{{lang:{LANGUAGES}}}/entries/{{entry:[0-9]{{1,12}}}}", self._entry)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        host, port = listen_address(self._settings.site_listen)
        await web.TCPSite(self._runner, host, port).start()
        log.info("public site on %s, at %s", self._settings.site_listen, self._settings.public_url)

    async def stop(self) -> None:
        for task in self._warming:
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._cache is not None:
            await self._cache.stop()
        for db in (self._db, self._reader):
            if db is not None:
                await db.close()

    @property
    def db(self) -> Database:
        assert self._db is not None
        return self._db

    @property
    def cache(self) -> SiteCache:
        assert self._cache is not None
        return self._cache

    # ---------------------------------------------------------------- the pages

    async def _home(self, request: web.Request) -> web.StreamResponse:
        language = preferred_language(request.headers.get("Accept-Language", ""))
        raise web.HTTPFound(self._links.overview(language), headers={"Vary": "Accept-Language", **HEADERS})

    async def _to_overview(self, request: web.Request) -> web.StreamResponse:
        """`/fr` as typed by hand: the overview is `/fr/`, the address every page links to."""
        raise web.HTTPMovedPermanently(self._links.overview(request.match_info["lang"]), headers=HEADERS)

    @staticmethod
    def _file(path: Path, kind: str) -> Handler:
        """A file of the package, read once: the stylesheet, the icon."""
        body = path.read_bytes()

        async def serve(_request: web.Request) -> web.StreamResponse:
            return web.Response(body=body, content_type=kind, charset="utf-8", headers=HEADERS)

        return serve

    async def _overview(self, request: web.Request) -> web.StreamResponse:
        _ = translator(request.match_info["lang"])

        async def make(built: Built) -> bytes:
            return views.overview_page(_, built.snapshot, self._catalogue, self._links).encode()

        return _page(request, _.language, *await self.cache.page(("overview", _.language), make))

    async def _chart(self, request: web.Request) -> web.StreamResponse:
        version, picture = await self._drawn(request.match_info["lang"])
        return _answer(request, version, picture, "image/svg+xml")

    async def _drawn(self, language: str) -> tuple[int, bytes]:
        _ = translator(language)
        return await self.cache.drawing(("chart", language), lambda found: views.chart_svg(_, found, self._catalogue))

    async def _taskforce(self, request: web.Request) -> web.StreamResponse:
        _, code = translator(request.match_info["lang"]), request.match_info["code"]
        number = _page_number(request.query.get("page", "1"))

        async def make(built: Built) -> bytes:
            figures = built.snapshot.taskforces.get(code)
            listed = await site.entries(self.db, code, number, figures.entries) if figures and number else None
            if figures is None or listed is None:
                return b""
            rounds = built.snapshot.rounds_of(code)
            return views.taskforce_page(_, figures, listed, rounds, self._catalogue, self._links).encode()

        return _page(request, _.language, *await self.cache.page(("taskforce", _.language, code, str(number)), make))

    async def _entry(self, request: web.Request) -> web.StreamResponse:
        _, entry = translator(request.match_info["lang"]), int(request.match_info["entry"])

        async def make(_built: Built) -> bytes:
            found = await site.entry(self.db, entry)
            return views.entry_page(_, found, self._catalogue, self._links).encode() if found else b""

        return _page(request, _.language, *await self.cache.page(("entry", _.language, str(entry)), make))

    # ---------------------------------------------------------------- what every answer goes through

    @web.middleware
    async def _no_page(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """One page for whatever is not a page, in the language of its path (else the reader's)."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            first = request.path.removeprefix(self._links.base).strip("/").split("/")[0]
            language = first if first in SUPPORTED else preferred_language(request.headers.get("Accept-Language", ""))
            return _not_found(language, views.not_found_page(translator(language), self._links, self._links.overview))

    @web.middleware
    async def _timed(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The server's time for the answer, in the standard Server-Timing header (a browser's tools show it;
        bench/site.py reads it)."""
        started = time.perf_counter()
        response = await handler(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


def _page(request: web.Request, language: str, version: int, html: bytes) -> web.Response:
    """A page made from the snapshot `version`; an empty one is no page (kept so, until the data changes)."""
    if not html:
        raise web.HTTPNotFound
    return _answer(request, version, html, HTML, {"Content-Language": language})


def _answer(
    request: web.Request, version: int, body: bytes, kind: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The version the body was made from as its ETag: a reader that has it gets 304 and no body."""
    tag = f'"{version}"'
    sent = {"ETag": tag, **HEADERS, **(headers or {})}
    if tag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=sent)
    return web.Response(body=body, content_type=kind, charset="utf-8", headers=sent)


def _not_found(language: str, html: str) -> web.Response:
    return web.Response(
        text=html, status=404, content_type=HTML, charset="utf-8", headers={"Content-Language": language, **HEADERS}
    )


def _page_number(text: str) -> int:
    """The page asked for; 0 (no such page) for anything but a plain number."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0
