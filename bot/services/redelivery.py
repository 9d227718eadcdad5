"""Telling an update Telegram delivers again after a kill from a new one.

Telegram delivers again whatever a killed bot had not confirmed, so the bot remembers the
id of the last update that changed a person's state and skips one at or below it. An id
alone cannot order updates for good: Telegram starts ids again, from a random number, once
a bot has had no update for a week (Bot API, getUpdates). Nor can the update's date: a
button press carries none of its own (only the date of the message the button is on).

So the id is remembered with the moment it was applied, and an update at or below it is a
redelivery only within REDELIVERY_WINDOW of that moment: longer than Telegram keeps an
unconfirmed update (24 hours), shorter than the week of silence after which ids restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

REDELIVERY_WINDOW = timedelta(days=3)


def delivered_again(update_id: int, applied_id: int | None, applied_at: datetime | None, now: datetime) -> bool:
    """This update was applied before (same id or an earlier one) within the window; else it is new."""
    if applied_id is None or applied_at is None:
        return False
    return update_id <= applied_id and now - applied_at < REDELIVERY_WINDOW
