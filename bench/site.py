"""Benchmark: the public site at 100 000 people and 12 000 public entries (issue 26, part 5).

Seeds an SQLite file as bench/reports.py (100 000 people, 250 000 registrations), bench/catalogue.py (24 task
forces × 500 entries, a progress update each, all put on the site) and bench/delphi.py (a published round of
2 000 panellists × 10 questions), a third of the people listed. Then serves the site as the bot does (its own
server, its read-only connection) and asks each page: the server's time (its Server-Timing header) the first time
(made from the snapshot) and the median of the next ones (kept), the first snapshot's read, and after a write the
time until the pages show it; then, while a member joins or leaves every second (so that snapshots are read again
and again), the server's time of every page asked meanwhile: its median, 99th percentile and maximum. Target: every
page under 100 ms of server time.

    python bench/site.py [--people 100000] [--registrations 250000] [--per-taskforce 500] [--panellists 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import catalogue as catalogue_bench  # noqa: E402
from bench import delphi as delphi_bench  # noqa: E402
from bench import reports as reports_bench  # noqa: E402
from bot.config import SHIPPED_OBJECTIVES  # noqa: E402
from bot.services.catalogue import load_catalogue  # noqa: E402
from bot.services.clock import utc_now  # noqa: E402
from bot.storage import delphi as delphi_rows  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.web.cache import WATCH_EVERY  # noqa: E402
from bot.web.site import SiteServer  # noqa: E402
from tests.harness import TOKEN, IsolatedSettings  # noqa: E402
from tests.test_lifecycle import free_port  # noqa: E402

RUNS = 20
A_MEMBER = "SELECT id FROM registrations WHERE role = 'member' AND status = 'active' ORDER BY id LIMIT 1"
PAGES = (
    "/en/",
    "/fr/",
    "/en/A1",  # the largest task force
    "/es/B3",
    "/en/B3?page=25",  # its last page of entries
    "/fr/entries/6000",
    "/en/taskforces.svg",
    "/en/nothing",  # not found
)


async def seed(path: Path, people: int, registrations: int, per_taskforce: int, panellists: int) -> None:
    await reports_bench.seed(path, people, registrations)
    await catalogue_bench.seed(path, per_taskforce, first_author=1_000)
    await delphi_bench.seed_answers(path, panellists)
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            found = await delphi_rows.find(tx, delphi_bench.STUDY, 1)
            assert found is not None
            await delphi_rows.close(tx, found.id, utc_now())
            await delphi_rows.set_published(tx, found.id, utc_now())
            await tx.execute("UPDATE projects SET public_at = decided_at")
            await tx.execute("UPDATE people SET listed = 1 WHERE telegram_id % 3 = 0")
    finally:
        await db.close()


async def server_time(session: aiohttp.ClientSession, url: str) -> tuple[float, str]:
    async with session.get(url) as response:
        await response.read()
        return float(response.headers.get("Server-Timing", "app;dur=nan").split("dur=")[1]), response.headers.get(
            "ETag", ""
        )


async def measure(path: Path) -> None:
    listen = f"127.0.0.1:{free_port()}"
    settings = IsolatedSettings(
        token=TOKEN, database=path, site=True, site_listen=listen, public_url="https://taskforces.example.org"
    )
    site = SiteServer(settings, load_catalogue(SHIPPED_OBJECTIVES), "taskforce_bot")
    started = time.perf_counter()
    await site.start()
    gc.freeze()  # as bot/__main__.py does at start: the collector's full passes skip what start-up built
    address = f"http://{listen}"
    try:
        async with aiohttp.ClientSession() as session:
            await server_time(session, address + "/en/")
            print(f"first snapshot, and the overview made from it: {time.perf_counter() - started:6.2f} s")
            for language in ("en", "fr", "es"):  # drawn from the start on, in threads
                await server_time(session, f"{address}/{language}/taskforces.svg")
            print(f"the charts in three languages, drawn at start:  {time.perf_counter() - started:6.2f} s")
            print(f"{'page':24} {'made (ms)':>10} {'kept, median (ms)':>18}")
            worst = 0.0
            for page in PAGES:
                made, _ = await server_time(session, address + page)
                kept = statistics.median([(await server_time(session, address + page))[0] for _ in range(RUNS)])
                worst = max(worst, made, kept)
                print(f"{page:24} {made:10.1f} {kept:18.1f}")
            print(f"slowest: {worst:.1f} ms (target 100 ms)")
            await after_a_write(session, address, path)
            await while_refreshing(session, address, path)
    finally:
        await site.stop()
    print(f"peak RSS: {reports_bench.peak_rss_mib():.0f} MiB")


async def after_a_write(session: aiohttp.ClientSession, address: str, path: Path) -> None:
    """A member joins: the first answer is the page before (no reader waits for the new snapshot), and the pages show
    the change once it is read. Someone takes their consent back: the first answer waits for the snapshot without
    their name, unless the cache's own look between requests (`WATCH_EVERY`) has read it already."""
    for change, waits, pause in (
        (f"UPDATE registrations SET status = 'withdrawn' WHERE id = ({A_MEMBER})", False, 0.0),
        ("UPDATE people SET listed = 0 WHERE telegram_id = 10002", True, 0.0),
        ("UPDATE people SET listed = 0 WHERE telegram_id = 10005", True, 3 * WATCH_EVERY),
    ):
        db = await Database.open(path)
        try:
            await db.write(change)
            row = await db.fetchone("SELECT version FROM site_state")
        finally:
            await db.close()
        assert row is not None
        wanted, changed = f'"{row[0]}"', time.perf_counter()
        await asyncio.sleep(pause)
        first, tag = await server_time(session, address + "/en/")
        assert (tag == wanted) is waits, (change, tag, wanted)
        while tag != wanted:
            await asyncio.sleep(0.01)
            _, tag = await server_time(session, address + "/en/")
        what = (
            "a member leaving" if not waits else "a consent taken back" + (f", asked {pause:.0f} s later" * bool(pause))
        )
        print(
            f"after {what}: the first answer {first:.1f} ms, the change shown {time.perf_counter() - changed:.2f} s"
            " later"
        )


async def while_refreshing(session: aiohttp.ClientSession, address: str, path: Path, seconds: float = 20) -> None:
    """A member's place toggled every second (a join, a leave: what a busy bot writes), the pages asked meanwhile
    one after the other: no answer should wait for the snapshot being read."""
    db = await Database.open(path)
    row = await db.fetchone(A_MEMBER)
    assert row is not None
    toggle = (
        "UPDATE registrations SET status = CASE status WHEN 'active' THEN 'withdrawn' ELSE 'active' END WHERE id = ?"
    )

    async def write() -> None:
        while True:
            await db.write(toggle, (row[0],))
            await asyncio.sleep(1)

    writing = asyncio.create_task(write())
    answers: list[tuple[float, str]] = []
    try:
        ends = time.perf_counter() + seconds
        while time.perf_counter() < ends:
            for page in PAGES:
                answers.append(((await server_time(session, address + page))[0], page))
    finally:
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        await db.close()
    answers.sort()
    times = [took for took, _page in answers]
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        f"while writes every second: {len(times)} answers, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms"
        " (target 100 ms); the slowest: " + ", ".join(f"{page} {took:.0f} ms" for took, page in answers[-5:])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=250_000)
    parser.add_argument("--per-taskforce", type=int, default=500)
    parser.add_argument("--panellists", type=int, default=2_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "site.sqlite3"
        started = time.perf_counter()
        asyncio.run(
            seed(path, arguments.people, arguments.registrations, arguments.per_taskforce, arguments.panellists)
        )
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        asyncio.run(measure(path))


if __name__ == "__main__":
    main()
