"""When a backup is taken, which are kept, and who hears of a failure.

A day's backup is one file named by its date (UTC), taken from BOT_BACKUP_HOUR on; the
newest 7 days are kept, and of the weeks before them the last backup of each of 4 weeks.
The files in the folder are the record: a restart neither repeats nor skips a day.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.models import Payload
from bot.services import accounts
from bot.storage import backup, outbox
from bot.storage.database import Database, DatabaseError

log = logging.getLogger("bot.backups")
DAILY_KEPT, WEEKLY_KEPT = 7, 4
NAME = re.compile(r"taskforce-(\d{4}-\d{2}-\d{2})\.sqlite3")
FAILED_KIND = "backup_failed"  # to the Secretariat
RETRY_AFTER = timedelta(hours=1)


class Failure(Payload):
    """Why the day's backup could not be taken."""

    reason: str


@dataclass(frozen=True)
class Taken:
    path: Path
    removed: list[Path]


def name_for(day: date) -> str:
    return f"taskforce-{day.isoformat()}.sqlite3"


def days_in(names: Iterable[str]) -> dict[date, str]:
    """The backups among a folder's file names, by day; other files are not ours and stay."""
    found = {}
    for name in names:
        if (matched := NAME.fullmatch(name)) is not None:
            try:
                found[date.fromisoformat(matched[1])] = name
            except ValueError:
                continue
    return found


def due(now: datetime, hour: int, taken: Collection[date]) -> bool:
    return now.hour >= hour and now.date() not in taken


def kept(days: Collection[date]) -> set[date]:
    """The newest DAILY_KEPT days, then the last day of each of the WEEKLY_KEPT (ISO) weeks before them."""
    newest = sorted(days, reverse=True)
    keep = set(newest[:DAILY_KEPT])
    weeks: dict[tuple[int, int], date] = {}
    for day in newest[DAILY_KEPT:]:
        weeks.setdefault(day.isocalendar()[:2], day)
    keep.update(sorted(weeks.values(), reverse=True)[:WEEKLY_KEPT])
    return keep


async def take(database: Path, folder: Path, now: datetime) -> Taken:
    """Copy the database into `folder` as today's backup, check it, then drop what the retention lets go.

    A DatabaseError when the copy fails or is damaged; the older backups stay then."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    target = folder / name_for(now.date())
    await asyncio.to_thread(backup.copy, database, target)
    days = days_in(path.name for path in await asyncio.to_thread(lambda: list(folder.iterdir())))
    removed = [folder / name for day, name in days.items() if day not in kept(days)]
    for path in removed:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    return Taken(target, removed)


async def taken_days(folder: Path) -> set[date]:
    if not await asyncio.to_thread(folder.is_dir):
        return set()
    return set(days_in(path.name for path in await asyncio.to_thread(lambda: list(folder.iterdir()))))


@dataclass
class Schedule:
    """The day's backup, taken when due; a failure is logged and told to the admins once a day, and tried
    again every RETRY_AFTER (not every tick: a full disk would be hammered)."""

    database: Path
    folder: Path
    hour: int
    failed_at: datetime | None = None

    async def run(self, db: Database, admins: Collection[int], now: datetime) -> Taken | None:
        if self.failed_at is not None and now - self.failed_at < RETRY_AFTER:
            return None
        if not due(now, self.hour, await taken_days(self.folder)):
            return None
        try:
            taken = await take(self.database, self.folder, now)
        except (DatabaseError, OSError) as error:
            log.error("backup into %s failed: %s", self.folder, error)
            if self.failed_at is None or self.failed_at.date() != now.date():
                await _tell(db, admins, str(error), now)
            self.failed_at = now
            return None
        self.failed_at = None
        log.info("backup %s taken and checked; %s older removed", taken.path.name, len(taken.removed))
        return taken


async def _tell(db: Database, admins: Collection[int], reason: str, now: datetime) -> None:
    async with db.transaction() as tx:
        for admin in admins:
            await outbox.enqueue(tx, admin, FAILED_KIND, now, payload=Failure(reason=reason[:500]))


@dataclass(frozen=True)
class ForgottenAgain:
    """What a restore did about the /forget made after its backup: `count` people forgotten again, or
    `skipped` saying why none could be (then the operator must know: the restored file holds them)."""

    count: int = 0
    skipped: str | None = None


async def forget_again(database: Path, replaced: Path, now: datetime) -> ForgottenAgain:
    """Forget in the restored `database` whoever used /forget in `replaced` after the backup was taken.

    Only when `replaced` is the backup's own future (it holds the backup's latest audit row) and no more
    people are gone from it than it recorded /forget: a foreign or fresh file says nothing of who asked.
    """
    found = await asyncio.to_thread(backup.erasures_since, database, replaced)
    if not found.gone:
        return ForgottenAgain()
    if not found.continues:
        return ForgottenAgain(skipped=f"{replaced} is not this backup's later state")
    if len(found.gone) > found.forgets:
        gone, forgets = len(found.gone), found.forgets
        return ForgottenAgain(skipped=f"{gone} people the backup knows are gone from {replaced}, {forgets} by /forget")
    db = await Database.open(database)
    try:
        for person in found.gone:
            await accounts.forget(db, person, now)
    finally:
        await db.close()
    return ForgottenAgain(count=len(found.gone))
