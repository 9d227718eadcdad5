"""The site's pages, kept until what they show changes: a page is a dictionary lookup, the database is asked two
numbers per request (`services.site.state`, which migration 23's triggers bump on every write the site reads).

When only `version` has moved (someone joined, an entry was published, a figure changed), the request is answered from
the pages as they were and a new snapshot is read in the background, so that no reader waits for the counts over every
registration; the next requests get the new pages. Snapshots are read at most once per five times the last one took
(a fifth of one core at worst, however fast people join), and at least a quarter of a second apart.

When `removals` has moved (a consent taken back, a /forget, an entry or a round taken off), the data the old pages hold
may no longer be shown to anyone: the request waits for a snapshot read after it was asked, and so does every request
until one is ready. Such writes are rare; the wait is one snapshot's read (bench/site.py measures it). The cache also
looks at the two numbers every `WATCH_EVERY` seconds between requests and reads what moved, so that a reader who comes
after that finds the pages read already, instead of being the one who waits.

Snapshots are read on a connection of their own, so that the requests' own reads (the two numbers, a page of entries)
never queue behind one. The `ETag` of a page is the version it was made from.

Charts take matplotlib a few hundred milliseconds: one made from an earlier snapshot is served while its
successor is drawn in a worker thread (they show counts of members only, never a name).
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
from bot.services.site import Snapshot, State
from bot.storage.database import Database

log = logging.getLogger("bot.site")
LEAST_GAP = 0.25  # seconds between two snapshots, at least
BUSY_SHARE = 5  # and at least this many times the last one's duration
PAGES_KEPT = 2000  # rendered pages kept per snapshot, the most recently asked
DRAWING_SHARE = 10  # a chart drawn again at most once per this many times its last drawing took
WATCH_EVERY = 1.0  # seconds between two looks at the data's numbers when nobody asks

Key = tuple[str, ...]
Result = TypeVar("Result")


@dataclass
class Built:
    """A snapshot, and the pages made from it so far."""

    state: State
    read_at: float  # time.monotonic() when its state was read, before its data
    snapshot: Snapshot
    recounted: bool  # its members' counts read with it, not kept from the snapshot before
    pages: OrderedDict[Key, bytes] = field(default_factory=OrderedDict)

    @property
    def version(self) -> int:
        return self.state.version


class SiteCache:
    """`db` answers the requests' small reads, `reader` (a connection of its own) the snapshots' long ones."""

    def __init__(self, db: Database, reader: Database, catalogue: Catalogue) -> None:
        self._db = db
        self._reader = reader
        self._catalogue = catalogue
        self._built: Built | None = None
        self._reading: asyncio.Task[Built] | None = None
        self._next_read = 0.0
        self._charts: dict[Key, tuple[int, bytes]] = {}
        self._drawing: dict[Key, asyncio.Task[tuple[int, bytes]]] = {}
        self._next_drawing: dict[Key, float] = {}
        self._watching: asyncio.Task[None] | None = None

    def start(self) -> None:
        """The first snapshot, read at once: the first reader most likely finds it ready."""
        self._read(recount=True)
        self._watching = in_background(self._watch())

    async def stop(self) -> None:
        for task in (self._watching, self._reading, *self._drawing.values()):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    async def current(self) -> Built:
        """The pages to answer from: the snapshot read last, a new one on its way if the data has changed; a new
        one, waited for, if the change may have taken something off the site."""
        asked = time.monotonic()
        now = await site.state(self._db)
        built = self._built or await self._first()
        if now.removals != built.state.removals:
            return await self._read_since(asked)
        moved = now.version != built.version or not built.recounted
        if moved and self._reading is None and time.monotonic() >= self._next_read:
            self._read(recount=True)
        return built

    async def _watch(self) -> None:
        """What a request would do, between requests: a removal read at once, a change read when due."""
        while True:
            await asyncio.sleep(WATCH_EVERY)
            try:
                await self.current()
            except Exception:  # the database's trouble: logged where the snapshot failed, or here; looked at again
                log.warning("the public site could not look at its data", exc_info=True)

    async def _first(self) -> Built:
        """At start: the first snapshot, on its way (read again if it failed)."""
        return await asyncio.shield(self._reading or self._read(recount=True))

    async def _read_since(self, asked: float) -> Built:
        """A snapshot whose reads began after `asked`: it holds every write done before the request came. The
        members' counts are kept from the last one (a count is nobody's data): the recount follows in the background."""
        built = self._built
        while built is None or built.read_at < asked:
            built = await asyncio.shield(self._reading or self._read(recount=False))
        return built

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
        """A chart: the one drawn last, its successor drawn meanwhile in a thread when the data has moved on, not
        more often than `DRAWING_SHARE` allows: matplotlib holds the interpreter while it draws, which every request
        waits for. A chart shows counts, never a name: one a few seconds behind takes nothing off anyone."""
        built = await self.current()
        known = self._charts.get(key)
        if known is None:  # the first: drawn now, or being drawn (at start)
            drawing = self._drawing.get(key) or self._drawing.setdefault(
                key, in_background(self._draw(key, draw, built))
            )
            return await asyncio.shield(drawing)  # drawn perhaps from an earlier snapshot: its version says so
        due = time.monotonic() >= self._next_drawing.get(key, 0.0)
        if known[0] != built.version and key not in self._drawing and due:
            self._drawing[key] = in_background(self._draw(key, draw, built))
        return known

    async def _draw(self, key: Key, draw: Callable[[Snapshot], bytes], built: Built) -> tuple[int, bytes]:
        took = 0.0
        try:
            picture, took = await asyncio.to_thread(_timed_drawing, draw, built.snapshot)
            drawn = self._charts[key] = (built.version, picture)
            return drawn
        except Exception:
            log.exception("the public site could not draw a chart")
            raise
        finally:
            self._next_drawing[key] = time.monotonic() + DRAWING_SHARE * took
            self._drawing.pop(key, None)

    def _read(self, *, recount: bool) -> asyncio.Task[Built]:
        self._reading = in_background(self._snapshot(recount))
        return self._reading

    async def _snapshot(self, recount: bool) -> Built:
        started = time.monotonic()
        try:
            # The state before the reads: a write meanwhile is read again next time.
            read_at, state = time.monotonic(), await site.state(self._reader)
            previous = self._built.snapshot if self._built is not None else None
            found = await site.snapshot(self._reader, self._catalogue, previous, recount=recount)
            self._built = Built(state, read_at, found, recount or previous is None)
            return self._built
        except Exception:
            log.exception("the public site could not read its data")
            raise
        finally:
            took = time.monotonic() - started
            self._next_read = time.monotonic() + max(LEAST_GAP, BUSY_SHARE * took)
            self._reading = None


def _timed_drawing(draw: Callable[[Snapshot], bytes], snapshot: Snapshot) -> tuple[bytes, float]:
    """The chart, and the processor time its thread took (not the wall clock, which other threads stretch)."""
    started = time.thread_time()
    picture = draw(snapshot)
    return picture, time.thread_time() - started


def in_background(work: Coroutine[object, object, Result]) -> asyncio.Task[Result]:
    """A task nobody may await: its failure is logged where it happens, not again as never retrieved."""
    task = asyncio.create_task(work)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task
