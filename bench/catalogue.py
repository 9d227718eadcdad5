"""Benchmark: the catalogue of actions and projects with 24 task forces × 500 entries (issue 24).

Seeds an SQLite file with 12 000 accepted entries (every one seeking funding, a progress update each, long
texts), then measures, as the handlers do it (service, texts, files): a /catalogue page (the first, a deep
one, a filtered one), /catalogue_export of everything, and one task force's "Investment opportunities" PDF
(500 pages). Targets: a page under 300 ms, the export and the PDF under 5 s.

    python bench/catalogue.py [--per-taskforce 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import SHIPPED_OBJECTIVES  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.project_models import Stage  # noqa: E402
from bot.services import project_catalogue  # noqa: E402
from bot.services.catalogue import load_catalogue  # noqa: E402
from bot.services.clock import utc_now  # noqa: E402
from bot.services.project_catalogue import Filters  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.views import project_catalogue as views  # noqa: E402

ADMIN = 1
NOW = "2026-11-29T00:00:00.000000+00:00"
SUMMARY = "Restoring degraded cropland with agroforestry, compost and cover crops; training 40 farmer groups. " * 10


async def seed(path: Path, per_taskforce: int, first_author: int = 10_000) -> None:
    """`first_author`: the authors' ids start there (bench/site.py puts them below the people of bench/reports.py)."""
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    codes = [o.code for o in catalogue.objectives]
    regions, stages = catalogue.region_names, list(Stage)
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type,"
                " member_status, created_at, updated_at) VALUES (?, ?, 'Soil Institute', 'Kenya', 'Africa',"
                " 'Research and education', 'member', ?, ?)",
                [(first_author + i, f"Author {i}", NOW, NOW) for i in range(len(codes))],
            )
            await tx.executemany(
                "INSERT INTO registrations (person_id, taskforce, role, status, created_at, updated_at)"
                " VALUES (?, ?, 'member', 'active', ?, ?)",
                [(first_author + i, code, NOW, NOW) for i, code in enumerate(codes)],
            )
            entries = [
                (
                    n,
                    first_author + codes.index(code),
                    code,
                    f"{code} entry {k}",
                    regions[k % len(regions)],
                    stages[k % 5],
                )
                for n, (code, k) in enumerate(((c, k) for c in codes for k in range(per_taskforce)), start=1)
            ]
            await tx.executemany(
                "INSERT INTO projects (id, author_id, status, title, kind, countries, region, lead_organisation,"
                " partners, summary, contribution, stage, budget_amount, budget_currency, funding_amount,"
                " funding_currency, starts, ends, link, language, decided_by, decided_at, submitted_at,"
                " created_at, updated_at) VALUES (?, ?, 'accepted', ?, 'ongoing', 'Kenya, Uganda', ?,"
                " 'Soil Institute', 'CIRAD, ISRA, ICRAF', ?, 'More soil organic carbon on 2 000 ha.', ?, 250000,"
                " 'EUR', 100000, 'EUR', '2026-01', '2028-12', 'https://example.org', 'en', 1, ?, ?, ?, ?)",
                [
                    (n, author, title, region, SUMMARY, stage.value, NOW, NOW, NOW, NOW)
                    for n, author, _, title, region, stage in entries
                ],
            )
            await tx.executemany(
                "INSERT INTO project_taskforces (project_id, taskforce) VALUES (?, ?)",
                [(n, code) for n, _, code, *_ in entries],
            )
            await tx.executemany(
                "INSERT INTO project_updates (project_id, author_id, text, at)"
                " VALUES (?, ?, 'First 300 ha planted.', ?)",
                [(n, author, NOW) for n, author, *_ in entries],
            )
    finally:
        await db.close()


async def timed(label: str, runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{label:<48} median {median * 1000:8.1f} ms   worst {max(times) * 1000:8.1f} ms   ({runs} runs)")
    return median


async def measure(path: Path, per_taskforce: int) -> None:
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    _ = translator("fr")
    db = await Database.open(path)
    try:
        for label, chosen, index in (
            ("/catalogue B3, first card", Filters(), 0),
            (f"/catalogue B3, card {per_taskforce}", Filters(), per_taskforce - 1),
            ("/catalogue B3, region + stage + funding", Filters("Europe", Stage.READY, True), 10**6),
        ):

            async def page(chosen: Filters = chosen, index: int = index) -> None:
                found = await project_catalogue.page(db, "B3", chosen, index, catalogue)
                reports = found.card is not None and await project_catalogue.may_report(db, ADMIN, found.card.project)
                views.page_text(_, found, catalogue)
                views.page_keyboard(_, found, catalogue, reports)

            await timed(label, 20, page)

        async def export() -> None:
            entries = await project_catalogue.export(db, ADMIN, {ADMIN}, utc_now())
            with tempfile.TemporaryDirectory() as folder:
                await asyncio.to_thread(views.export_files, _, entries, catalogue, Path(folder), "catalogue")

        await timed(f"/catalogue_export ({per_taskforce * 24} entries)", 3, export)

        async def pdf() -> None:
            found = await project_catalogue.opportunities(db, ADMIN, "B3", {ADMIN}, catalogue)
            await asyncio.to_thread(views.opportunities_pdf, _, found, catalogue)

        await timed(f"/opportunities B3 ({per_taskforce} pages)", 3, pdf)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-taskforce", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        asyncio.run(seed(path, args.per_taskforce))
        print(f"seeded 24 × {args.per_taskforce} entries in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(path, args.per_taskforce))


if __name__ == "__main__":
    main()
