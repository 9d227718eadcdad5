"""What an operator watches: counters the bot keeps as it works, read by `GET /metrics` in Prometheus'
text format (prometheus-client), and the facts `GET /healthz` judges by.

One registry per Application, not the library's global one: tests run several bots in one process.
No label holds anything about a person: update kinds, Bot API method names, HTTP statuses, outcomes
and lanes are each a small fixed set.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update

from bot.models import Lane
from bot.storage import announcements, delphi, outbox
from bot.storage.database import Reader

METHOD = re.compile(r"[a-z][A-Za-z]{1,40}")  # a Bot API method; anything else (a file's path) is "other"
# An answer a person waits for: most take milliseconds; seconds are what people notice.
ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Counted where things happen (the turns, the transport, the sender, the error handler); the gauges
    that the database knows are read when scraped."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter("taskforce_updates", "Updates handled, by kind", ["kind"], registry=self.registry)
        self.answer_time = Histogram(
            "taskforce_update_seconds",
            "Time from an update's turn to the end of its handling",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.api_requests = Counter(
            "taskforce_bot_api_requests",
            "Bot API requests by method and HTTP status (0: no answer, the network failed)",
            ["method", "status"],
            registry=self.registry,
        )
        self.outbox_settled = Counter(
            "taskforce_outbox_settled",
            "Outbox rows by outcome: sent, refused, unreachable (403), flood_wait (429), retry, failed",
            ["outcome"],
            registry=self.registry,
        )
        self.errors = Counter("taskforce_errors", "Errors while handling updates", registry=self.registry)
        self.outbox_waiting = Gauge(
            "taskforce_outbox_waiting", "Outbox rows not yet settled, by lane", ["lane"], registry=self.registry
        )
        self.broadcasts = Gauge("taskforce_broadcasts_sending", "Announcements being sent", registry=self.registry)
        self.delphi_rounds = Gauge("taskforce_delphi_rounds_open", "Delphi rounds open", registry=self.registry)
        self.last_contact: float | None = None  # time.monotonic() of the Bot API's last answer

    def api_answered(self, url: str, status: int) -> None:
        """Called by the transport after every request; `status` 0 when no answer came."""
        method = url.rsplit("/", 1)[-1]
        self.api_requests.labels(method if METHOD.fullmatch(method) else "other", str(status)).inc()
        if status:
            self.last_contact = time.monotonic()

    def handled(self, update: object, seconds: float) -> None:
        self.updates.labels(update_kind(update)).inc()
        self.answer_time.observe(seconds)

    def since_contact(self) -> float | None:
        return None if self.last_contact is None else time.monotonic() - self.last_contact

    async def exposition(self, db: Reader, now: datetime) -> bytes:
        """The text a scrape reads, the database's gauges read now."""
        waiting = await outbox.waiting_by_lane(db)
        for lane in Lane:
            self.outbox_waiting.labels(lane.name.lower()).set(waiting.get(lane, 0))
        self.broadcasts.set(len(await announcements.sending(db)))
        self.delphi_rounds.set(len(await delphi.running(db, now)))
        return generate_latest(self.registry)


def update_kind(update: object) -> str:
    """`message`, `callback_query`, `chat_join_request`…: the Update field that is set."""
    if not isinstance(update, Update):
        return "other"
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None), "other")
