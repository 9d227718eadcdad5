"""Whose turn it is: people are served concurrently, one person's updates in order, and one
person's backlog or flood never takes the places of others.

PTB's processor takes one of its concurrent places before an update waits for its
person's turn: 300 messages from one person filled every place, and everyone else waited
minutes. Its `process_update` is final, so PTB's places are made too many to matter
(UNBOUNDED) and the real ones are taken here: an update first waits for its person's
turn, holding nothing, and takes a place only to run. Someone sending more than
BOT_FLOOD_LIMIT updates in FLOOD_WINDOW seconds is told once to slow down; the excess
is dropped (and logged once).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("bot.turns")
FLOOD_WINDOW = 10.0
UNBOUNDED = 1_000_000  # PTB's own semaphore: every update enters at once and waits here
SWEEP_EVERY = 1000  # updates between sweeps of people no longer active

OnFlood = Callable[[Update], Awaitable[None]]
OnHandled = Callable[[object, float], None]  # an update and the seconds its handling took, for the metrics


class PersonalTurns(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, flood_limit: int, on_flood: OnFlood, on_handled: OnHandled) -> None:
        super().__init__(UNBOUNDED)
        self._on_handled = on_handled
        self._flood_limit = flood_limit
        self._places = asyncio.Semaphore(max_concurrent_updates)
        self._on_flood = on_flood
        self._turns: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}
        self._recent: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}  # when each flooding person was told (and logged)
        self._until_sweep = SWEEP_EVERY

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
        if person is not None and self._flooding(person):
            _close(coroutine)
            await self._tell_once(person, update)
            return
        turn = self._turns.setdefault(person, asyncio.Lock())
        self._waiting[person] = self._waiting.get(person, 0) + 1
        try:
            async with turn, self._places:
                started = time.monotonic()
                try:
                    await coroutine
                finally:
                    self._on_handled(update, time.monotonic() - started)
        finally:
            self._waiting[person] -= 1
            if not self._waiting[person]:
                del self._waiting[person], self._turns[person]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def _flooding(self, person: int) -> bool:
        now = time.monotonic()
        self._sweep(now)
        recent = self._recent.setdefault(person, deque())
        while recent and now - recent[0] >= FLOOD_WINDOW:
            recent.popleft()
        if not recent:  # quiet for a whole window: told again if they flood again
            self._told.pop(person, None)
        recent.append(now)
        if len(recent) > self._flood_limit:
            recent.pop()  # dropped updates do not extend the flood
            return True
        return False

    def _sweep(self, now: float) -> None:
        """Forget people quiet for a whole window, so that memory follows the active, not everyone ever."""
        self._until_sweep -= 1
        if self._until_sweep > 0:
            return
        self._until_sweep = SWEEP_EVERY
        quiet = [person for person, recent in self._recent.items() if not recent or now - recent[-1] >= FLOOD_WINDOW]
        for person in quiet:
            del self._recent[person]
            self._told.pop(person, None)

    async def _tell_once(self, person: int, update: object) -> None:
        if person in self._told:
            return
        self._told[person] = time.monotonic()
        log.warning("someone sent over %s updates in %.0f s; the excess is dropped", self._flood_limit, FLOOD_WINDOW)
        log.debug("… user %s", person)
        if isinstance(update, Update):
            try:
                await self._on_flood(update)
            except Exception:  # telling is a courtesy; it must not fail the processor
                log.warning("could not ask someone to slow down", exc_info=True)


def _close(coroutine: Awaitable[Any]) -> None:
    """A dropped update's coroutine is closed, not left unawaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
