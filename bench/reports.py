"""Benchmark: /stats, /export, /members and /balance with 100 000 people and 250 000 registrations.

Seeds an SQLite file, then measures each command's work (the service, the texts, the
files or the chart, as the handler does it) in a fresh process, so that each peak RSS
is its own: wall time and peak RSS per command.

    python bench/reports.py [--people 100000] [--registrations 250000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import SHIPPED_OBJECTIVES  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.services import facilitation, reports  # noqa: E402
from bot.services.catalogue import load_catalogue  # noqa: E402
from bot.services.clock import utc_now  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.views import exports  # noqa: E402
from bot.views import facilitation as facilitation_views  # noqa: E402
from bot.views import reports as report_views  # noqa: E402

ADMIN = 1
LARGEST = "A1"
NOW = "2026-11-29T00:00:00.000000+00:00"


async def seed(path: Path, people: int, registrations: int) -> None:
    """Task forces of very different sizes (A1 the largest), a Leader and Representatives each."""
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    codes = [o.code for o in catalogue.objectives]
    regions, kinds = catalogue.region_names, catalogue.stakeholder_type_names
    weights = [8.0] + [1.0] * (len(codes) - 1)
    rng = random.Random(4)
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type,"
                " member_status, email, created_at, updated_at)"
                " VALUES (?, ?, 'Soil Institute', 'Kenya', ?, ?, 'member', ?, ?, ?)",
                [
                    (i, f"Person {i}", rng.choice(regions), rng.choice(kinds), f"p{i}@example.org", NOW, NOW)
                    for i in range(10_000, 10_000 + people)
                ],
            )
            await tx.executemany(
                "INSERT INTO known_users (telegram_id, username, full_name, language, first_seen)"
                " VALUES (?, ?, ?, 'en', ?)",
                [(i, f"user{i}", f"Person {i}", NOW) for i in range(10_000, 10_000 + people)],
            )
            rows, held = [], set()
            while len(rows) < registrations:
                person, code = 10_000 + rng.randrange(people), rng.choices(codes, weights)[0]
                if (person, code) in held:
                    continue
                held.add((person, code))
                status = rng.choices(["active", "pending", "withdrawn", "rejected"], [85, 5, 8, 2])[0]
                week = rng.randrange(12)
                created = f"2026-{9 + week // 5:02d}-{1 + (week % 5) * 6:02d}T10:00:00.000000+00:00"
                rows.append((person, code, "member", status, created, created))
            await tx.executemany(
                "INSERT INTO registrations (person_id, taskforce, role, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            # One Leader per task force but three, and a Representative for most regions.
            for code in codes[3:]:
                await tx.execute(
                    "UPDATE registrations SET role = 'leader' WHERE id = (SELECT MIN(id) FROM registrations"
                    " WHERE taskforce = ? AND status = 'active')",
                    (code,),
                )
    finally:
        await db.close()


async def measure(path: Path, what: str) -> None:
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    _ = translator("en")
    db = await Database.open(path)
    started = time.perf_counter()
    try:
        if what == "stats":
            figures = await reports.statistics(db, ADMIN, {ADMIN}, catalogue, utc_now())
            text = report_views.summary(_, figures, catalogue, utc_now(), scoped=False)
            picture = await asyncio.to_thread(report_views.chart, _, figures)
            size = f"{len(text)} characters of text, a {len(picture) // 1024} KiB PNG"
        elif what == "export":
            codes, count = await reports.export(db, ADMIN, {ADMIN}, utc_now())
            with tempfile.TemporaryDirectory() as folder:
                files = exports.ExportFiles(_, catalogue, Path(folder))
                async for batch in reports.export_batches(db, codes):
                    await asyncio.to_thread(files.add, batch)
                async for people in reports.export_people(db, codes):
                    await asyncio.to_thread(files.add_people, people)
                table, _people, book = await asyncio.to_thread(files.finish, "bench")
                size = f"{count} rows: {table.name} {table.stat().st_size / 2**20:.1f} MiB"
                size += f", XLSX {book.stat().st_size / 2**20:.1f} MiB"
        elif what == "members":
            members = await facilitation.members(db, ADMIN, LARGEST, catalogue, {ADMIN})
            data = facilitation_views.members_csv(_, members)
            size = f"{len(members)} members, CSV {len(data) / 2**20:.1f} MiB"
        else:
            balance = await facilitation.balance(db, ADMIN, LARGEST, catalogue, {ADMIN})
            text = facilitation_views.balance_text(_, LARGEST, balance, catalogue)
            size = f"{balance.total} members, {len(text)} characters"
    finally:
        await db.close()
    elapsed = time.perf_counter() - started
    peak = peak_rss_mib()
    print(f"{what:8} {elapsed:6.2f} s  peak RSS {peak:6.0f} MiB  ({size})")


def peak_rss_mib() -> float:
    """This process's own peak (VmHWM). Not getrusage's ru_maxrss: on Linux it keeps the peak of the
    process forked before exec, i.e. of the parent that seeded the database."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=250_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(Path(args.db), args.measure))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        asyncio.run(seed(path, args.people, args.registrations))
        print(
            f"seeded {args.people} people, {args.registrations} registrations in {time.perf_counter() - started:.0f} s"
        )
        print("(/members and /balance of the largest task force, " + LARGEST + ")")
        for what in ("stats", "export", "members", "balance"):
            command = [sys.executable, __file__, "--measure", what, "--db", str(path)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
