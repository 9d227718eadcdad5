"""The tick: every BOT_TICK_SECONDS, each feature's periodic jobs, then the sender is woken."""

from __future__ import annotations

import logging

from bot.chat.common import Context, deps

log = logging.getLogger("bot.tick")


async def tick(context: Context) -> None:
    """Jobs ask the database what is due; one failing job does not stop the others."""
    d = deps(context)
    for job in d.jobs:
        try:
            await job(d)
        except Exception:
            log.exception("periodic job %s failed", getattr(job, "__qualname__", job))
    d.ticks += 1
    d.sender.wake()
