"""The site's pages, kept until what they show changes: a page is a dictionary lookup, the database is asked one
number per request (`site_state.version`, which migration 20's triggers bump on every write the site reads).

When the number has moved, the request is answered from the pages as they were and a new snapshot is read in the
background, so that no reader waits for the counts over every registration; the next requests get the new pages.
Snapshots are read at most once per five times the last one took (a fifth of one core at worst, however fast
people join), and at least a quarter of a second apart. A change reaches the pages within about a second at
100 000 people (bench/site.py measures it); the `ETag` of a page is the version it was made from.

Charts take matplotlib a few hundred milliseconds: one made from an earlier snapshot is served while its
successor is drawn in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TypeVar

from bot.models import Catalogue
from bot.services import site
from bot.services.site import Snapshot
from bot.storage import site as rows
from bot.storage.database import Database

log = logging.getLogger("bot.site")
LEAST_GAP = 0.25  # seconds between two snapshots, at least
BUSY_SHARE = 5  # and at least this many times the last one's duration
PAGES_KEPT = 2000  # rendered pages kept per snapshot, the most recently asked

Key = tuple[str, ...]
Result = TypeVar("Result")


@dataclass
class Built:
    """A snapshot, and the pages made from it so far."""

    version: int
    snapshot: Snapshot
    pages: OrderedDict[Key, bytes] = field(default_factory=OrderedDict)


class SiteCache:
    def __init__(self, db: Database, catalogue: Catalogue) -> None:
        self._db = db
        self._catalogue = catalogue
        self._built: Built | None = None
        self._reading: asyncio.Task[Built] | None = None
        self._next_read = 0.0
        self._charts: dict[Key, tuple[int, bytes]] = {}
        self._drawing: dict[Key, asyncio.Task[bytes]] = {}

    def start(self) -> None:
        """The first snapshot, read at once: the first reader most likely finds it ready."""
        self._read()

    async def stop(self) -> None:
        for task in (self._reading, *self._drawing.values()):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    async def current(self) -> Built:
        """The pages to answer from: the snapshot read last, a new one on its way if the data has changed."""
        version = await rows.version(self._db)
        if self._built is None:
            return await asyncio.shield(self._reading or self._read())
        if version != self._built.version and self._reading is None and time.monotonic() >= self._next_read:
            self._read()
        return self._built

    async def page(self, key: Key, make: Callable[[Built], Awaitable[bytes]]) -> tuple[int, bytes]:
        """A page made once per snapshot (its version, its bytes)."""
        built = await self.current()
        found = built.pages.get(key)
        if found is None:
            found = built.pages[key] = await make(built)
            if len(built.pages) > PAGES_KEPT:
                built.pages.popitem(last=False)
        else:
            built.pages.move_to_end(key)
        return built.version, found

    async def drawing(self, key: Key, draw: Callable[[Snapshot], bytes]) -> tuple[int, bytes]:
        """A chart: the one drawn last, its successor drawn meanwhile in a thread when the data has moved on."""
        built = await self.current()
        known = self._charts.get(key)
        if known is None:  # the first: drawn now, or being drawn (at start)
            drawing = self._drawing.get(key) or self._drawing.setdefault(
                key, in_background(self._draw(key, draw, built))
            )
            return built.version, await asyncio.shield(drawing)
        if known[0] != built.version and key not in self._drawing:
            self._drawing[key] = in_background(self._draw(key, draw, built))
        return known

    async def _draw(self, key: Key, draw: Callable[[Snapshot], bytes], built: Built) -> bytes:
        try:
            picture = await asyncio.to_thread(draw, built.snapshot)
            self._charts[key] = (built.version, picture)
            return picture
        except Exception:
            log.exception("the public site could not draw a chart")
            raise
        finally:
            self._drawing.pop(key, None)

    def _read(self) -> asyncio.Task[Built]:
        self._reading = in_background(self._snapshot())
        return self._reading

    async def _snapshot(self) -> Built:
        started = time.monotonic()
        try:
            version = await rows.version(self._db)  # before the reads: a write meanwhile is read again next time
            previous = self._built.snapshot if self._built is not None else None
            self._built = Built(version, await site.snapshot(self._db, self._catalogue, previous))
            return self._built
        except Exception:
            log.exception("the public site could not read its data")
            raise
        finally:
            took = time.monotonic() - started
            self._next_read = time.monotonic() + max(LEAST_GAP, BUSY_SHARE * took)
            self._reading = None


def in_background(work: Coroutine[object, object, Result]) -> asyncio.Task[Result]:
    """A task nobody may await: its failure is logged where it happens, not again as never retrieved."""
    task = asyncio.create_task(work)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task
