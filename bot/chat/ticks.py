"""The tick: every BOT_TICK_SECONDS, each feature's periodic jobs, then the sender is woken."""

from __future__ import annotations

import logging

from bot.chat.context import BotContext

log = logging.getLogger("bot.tick")


async def tick(context: BotContext) -> None:
    """Jobs ask the database what is due; one failing job does not stop the others."""
    d = context.deps
    for job in (job for feature in d.features for job in feature.jobs):
        try:
            await job(d)
        except Exception:
            log.exception("periodic job %s failed", getattr(job, "__qualname__", job))
    d.ticks += 1
    d.sender.wake()
