"""Benchmark: a Delphi round with 2 000 panellists and 10 questions.

1. Invitations: `python -m bot` on the Bot API stand-in (Telegram's limits enforced) at
   BOT_MESSAGES_PER_SECOND (default 25); the admin sends the round's file, opening at once.
   Time from the admin's summary to the last invitation, achieved messages/s against the
   configured rate, 429s, and the latency of replies to people writing to the bot meanwhile.
2. Results: 20 000 answers (every panellist answers every question; a comment in ten) in an
   SQLite file; `/delphi_results` as its handler does it (the figures, the report's
   messages, the CSV, the charts) in a fresh process: wall time and peak RSS.

    python bench/delphi.py [--panellists 2000] [--rate 29]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.broadcast import ADMIN, TOKEN, add_people, start_bot  # noqa: E402
from bench.reports import peak_rss_mib  # noqa: E402
from bot.config import SHIPPED_OBJECTIVES  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.services import delphi, delphi_report, delphi_results  # noqa: E402
from bot.services.catalogue import load_catalogue  # noqa: E402
from bot.services.clock import utc_now  # noqa: E402
from bot.storage import delphi as rows  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.views import delphi as views  # noqa: E402
from bot.views import delphi_report as report_views  # noqa: E402
from bot.views import delphi_results as result_views  # noqa: E402
from tests.standin import BotApiStandIn, Sent, message_update, user  # noqa: E402

FIRST = 400_000
NOW = "2026-11-01T00:00:00.000000+00:00"
STUDY = "bench-study"


def round_file(questions: int = 10) -> bytes:
    """Six 9-point scales, two choices, a number and a text; open now, for ten days."""
    now = utc_now()
    kinds = ["likert"] * 6 + ["choice", "choice", "number", "text"]
    items = []
    for number, kind in enumerate(kinds[:questions], start=1):
        item: dict[str, object] = {"id": f"q{number}", "type": kind, "text": f"Question {number} of the bench?"}
        if kind == "likert":
            item["labels"] = {"1": "not at all", "9": "very much"}
        elif kind == "choice":
            item["options"] = ["Africa", "Asia and Pacific", "Europe", "Latin America"]
        elif kind == "number":
            item |= {"min": 0, "max": 100}
        items.append(item)
    data = {
        "study": STUDY,
        "round": 1,
        "title": "Bench round",
        "opens": now.isoformat(),
        "closes": (now + timedelta(days=10)).isoformat(),
        "consensus": {"rule": "70/15"},
        "questions": items,
    }
    return json.dumps(data).encode()


async def seed(path: Path, panellists: int) -> None:
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    regions, kinds = catalogue.region_names, catalogue.stakeholder_type_names
    rng = random.Random(11)
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            ids = range(FIRST, FIRST + panellists)
            await add_people(tx, [(i, rng.choice(regions), rng.choice(kinds)) for i in ids])
            await tx.executemany(
                "INSERT INTO registrations (person_id, taskforce, role, status, created_at, updated_at)"
                " VALUES (?, ?, 'member', 'active', ?, ?)",
                [(i, rng.choice(["B2", "B3", "C1"]), NOW, NOW) for i in ids],
            )
    finally:
        await db.close()


async def invitations(panellists: int, rate: int) -> None:
    standin = BotApiStandIn(TOKEN)
    standin.enforce_limits = True
    await standin.start()
    invited: list[float] = []
    standin.on_sent = lambda sent: invited.append(sent.at) if "Delphi study: Bench round" in sent.text else None
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        await seed(database, panellists)
        process = await start_bot(standin, database, BOT_MESSAGES_PER_SECOND=str(rate))
        try:
            await standin.wait_for(lambda s: s.method == "setMyCommands", timeout=60)
            admin = user(ADMIN, first_name="Sec")
            update = message_update(admin, "", message_id=standin.next_message_id())
            del update["message"]["text"]
            update["message"]["document"] = standin.document(round_file())
            marker = len(standin.sent)
            await standin.push(update)
            summary = await standin.wait_for(lambda s: s.chat_id == ADMIN and "Round loaded" in s.text, start=marker)
            latencies = await _replies_meanwhile(standin, lambda: len(invited) >= panellists)
            await standin.wait_for(lambda s: len(invited) >= panellists, timeout=panellists / rate * 3 + 60)
        finally:
            process.terminate()
            await process.wait()
            await standin.stop()
    elapsed = max(invited) - summary.at
    print(f"invitations: {panellists} panellists at BOT_MESSAGES_PER_SECOND={rate}, Telegram's limits enforced")
    print(f"  all sent in         {elapsed:6.1f} s (the rate alone needs {panellists / rate:.1f} s)")
    print(f"  achieved            {panellists / elapsed:6.2f} messages/s ({panellists / elapsed / rate:.0%} of {rate})")
    print(f"  429 answers         {standin.too_many:6d}")
    if latencies:
        median, p95 = statistics.median(latencies) * 1000, sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000
        print(f"  replies meanwhile   {median:6.0f} ms median, {p95:.0f} ms p95 ({len(latencies)} /help answers)")


async def _replies_meanwhile(standin: BotApiStandIn, done: Callable[[], bool]) -> list[float]:
    """People who are not on the panel write /help, one a second, while the invitations go."""
    latencies = []
    for number in range(1000):
        if done():
            break
        person = user(900_000 + number % 50, first_name="Someone")
        marker, started = len(standin.sent), time.monotonic()
        await standin.push(message_update(person, "/help", message_id=standin.next_message_id()))
        chat = person["id"]
        answer: Sent = await standin.wait_for(lambda s, chat=chat: s.chat_id == chat, start=marker, timeout=60)
        latencies.append(answer.at - started)
        await asyncio.sleep(1.0)
    return latencies


async def seed_answers(path: Path, panellists: int) -> int:
    """The round loaded (so its panel and questions are the bot's own), then every answer given."""
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    await seed(path, panellists)
    db = await Database.open(path)
    rng = random.Random(5)
    try:
        found = await delphi.load(db, ADMIN, {ADMIN}, round_file(), catalogue, utc_now())
        file, rows = found.round.file, []
        for person in range(FIRST, FIRST + panellists):
            for index, question in enumerate(file.questions):
                value: float | None = None
                text = None
                if question.type == "likert":
                    value = float(min(9, max(1, round(rng.gauss(6.5, 1.8)))))
                elif question.type == "choice":
                    value = float(rng.randrange(len(question.options)))
                elif question.type == "number":
                    value = round(rng.uniform(0, 100), 1)
                else:
                    text = f"An answer of some length from panellist {person}, about what is missing."
                comment = "A comment explaining the answer in a sentence or two." if rng.random() < 0.1 else None
                rows.append((found.round.id, index, person, value, text, comment, NOW))
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO delphi_answers (round_id, question, person_id, value, text, comment, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)
    finally:
        await db.close()


async def measure_results(path: Path) -> None:
    """As results_command does it: figures, the report's messages, the CSV, a chart per question."""
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    _ = translator("en")
    db = await Database.open(path)
    started = time.perf_counter()
    try:
        found, conclusion = await delphi_results.results(db, ADMIN, {ADMIN}, STUDY, None)
        flow = await delphi_results.participation(db, found.round)
        parts = result_views.report(_, found, flow, catalogue, conclusion)
        table = await asyncio.to_thread(result_views.answers_csv, _, [found])
        pictures = [await asyncio.to_thread(result_views.chart, _, result) for result in result_views.charted(found)]
    finally:
        await db.close()
    elapsed = time.perf_counter() - started
    peak = peak_rss_mib()
    print(f"/delphi_results on {len(found.given)} answers")
    print(f"  time                {elapsed:6.2f} s")
    print(f"  peak RSS            {peak:6.0f} MiB")
    print(f"  made                {len(parts)} messages, a {len(table) // 1024} KiB CSV, {len(pictures)} charts")


async def measure_second_round(path: Path, sample: int = 300) -> None:
    """Round 1 closed, round 2 loaded with its default repeats: what each invitation costs to write (the
    previous round's result, the panellist's own answer, the comments), and the study's results with its report
    (the PDF to circulate, timed apart too)."""
    catalogue = load_catalogue(SHIPPED_OBJECTIVES)
    _ = translator("en")
    db = await Database.open(path)
    try:
        first = await rows.find(db, STUDY, 1)
        assert first is not None
        async with db.transaction() as tx:
            await rows.close(tx, first.id, utc_now())
        second = json.loads(round_file())
        second |= {"round": 2, "questions": []}
        found = await delphi.load(db, ADMIN, {ADMIN}, json.dumps(second).encode(), catalogue, utc_now())
        print(f"round 2: {len(found.round.file.questions)} questions asked again (not stopped in round 1)")
        started = time.perf_counter()
        panel = await db.fetchall(
            "SELECT person_id FROM delphi_panel WHERE round_id = ? LIMIT ?", (found.round.id, sample)
        )
        sample = len(panel)
        for person in (row["person_id"] for row in panel):
            current = await delphi.next_question(db, person, found.round.id, utc_now())
            assert current is not None
            said = await delphi_results.feedback(db, current.round, current.index, person)
            assert said is not None
            views.question(_, current, heading=result_views.feedback_block(_, said))
        each = (time.perf_counter() - started) / sample * 1000
        print(f"  an invitation with the previous result: {each:5.1f} ms to write ({1000 / each:.0f} a second)")
        started, cpu = time.perf_counter(), time.process_time()
        study = await delphi_results.study(db, ADMIN, {ADMIN}, STUDY)
        result_views.movement_messages(_, study)
        flow = await delphi_results.participation(db, study.rounds[-1].round)
        result_views.report(_, study.rounds[-1], flow, catalogue, study.conclusion)
        table = await asyncio.to_thread(result_views.answers_csv, _, study.rounds)
        report_started, report_cpu = time.perf_counter(), time.process_time()
        report = await delphi_report.report(db, ADMIN, {ADMIN}, study)
        document = await asyncio.to_thread(report_views.report_pdf, _, report, catalogue, utc_now())
        finished, finished_cpu = time.perf_counter(), time.process_time()
        # CPU time too: on a machine others share, the wall time also counts their work.
        print(f"  /delphi_results of the study: {finished - started:5.2f} s ({finished_cpu - cpu:.2f} s of CPU)")
        report_time, report_cpu_time = finished - report_started, finished_cpu - report_cpu
        print(
            f"    of which the report PDF: {report_time:5.2f} s ({report_cpu_time:.2f} s of CPU),"
            f" {len(document) // 1024} KiB; the CSV {len(table) // 1024} KiB"
        )
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panellists", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=29)
    parser.add_argument("--skip-invitations", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure_results(Path(args.measure)))
        asyncio.run(measure_second_round(Path(args.measure)))
        return
    if not args.skip_invitations:
        asyncio.run(invitations(args.panellists, args.rate))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.sqlite3"
        answers = asyncio.run(seed_answers(path, args.panellists))
        print(f"seeded {answers} answers")
        subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
