"""Benchmark: a broadcast to many people through `python -m bot` and the Bot API stand-in.

1. At the default rate (BOT_MESSAGES_PER_SECOND, 29) with the stand-in enforcing
   Telegram's limits: achieved messages/s against the configured rate, 429s, the delay
   of facilitators' prompts queued during the broadcast (an application's Confirm →
   the prompt reaching the admin), the replies' latency meanwhile, peak RSS.
2. As Telegram's paid broadcasts (BOT_PAID_BROADCAST, up to 1 000 a second), limits
   enforced: achieved messages/s against the bare python-telegram-bot send ceiling
   measured just before on the same stand-in (PTB's own Bot and httpx, 32 sends in
   flight, no rate limiter).

    python bench/broadcast.py [--people 10000] [--fast-people 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from telegram import Bot
from telegram.request import HTTPXRequest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.chat.sender import PAID_PER_SECOND  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage.database import Database, Transaction  # noqa: E402
from tests.standin import BotApiStandIn, Sent, callback_update, message_update, user  # noqa: E402

TOKEN = "123:BENCH-secret-of-the-stand-in-0123456789"
ADMIN = 1
ANNOUNCEMENT = "Bench announcement: the 2030 workshop opens on Monday."
NOW = "2026-11-29T00:00:00.000000+00:00"
THINK = 1.0  # seconds a person takes between two steps: Telegram's per-chat limit is about one a second


async def seed(path: Path, people: int, applicants: int) -> None:
    """`people` Team Members of A1; `applicants` members with a profile and no place yet."""
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            ids = [200_000 + n for n in range(people + applicants)]
            await add_people(tx, [(i, "Africa", "Research and education") for i in ids])
            await tx.executemany(
                "INSERT INTO registrations (person_id, taskforce, role, status, created_at, updated_at)"
                " VALUES (?, 'A1', 'member', 'active', ?, ?)",
                [(i, NOW, NOW) for i in ids[:people]],
            )
    finally:
        await db.close()


async def add_people(tx: Transaction, people: list[tuple[int, str, str]]) -> None:
    """(id, region, stakeholder type): a profile each, and a chat the bot may write to."""
    await tx.executemany(
        "INSERT INTO people (telegram_id, name, organisation, country, region, stakeholder_type,"
        " member_status, email, created_at, updated_at)"
        " VALUES (?, ?, 'Org', 'Kenya', ?, ?, 'member', NULL, ?, ?)",
        [(i, f"Person {i}", region, kind, NOW, NOW) for i, region, kind in people],
    )
    await tx.executemany(
        "INSERT INTO known_users (telegram_id, username, full_name, language, first_seen) VALUES (?, NULL, ?, 'en', ?)",
        [(i, f"Person {i}", NOW) for i, _region, _kind in people],
    )


class Run:
    """One bot process, the stand-in, and what arrives where."""

    def __init__(self, standin: BotApiStandIn, people: int) -> None:
        self.standin = standin
        self.people = people
        self.delivered: list[float] = []
        self.prompts: dict[int, float] = {}  # applicant → when the prompt about them reached the admin
        standin.on_sent = self._seen

    def _seen(self, sent: Sent) -> None:
        if sent.method == "sendMessage" and ANNOUNCEMENT in sent.text:
            self.delivered.append(sent.at)
        elif sent.chat_id == ADMIN and sent.method == "sendMessage" and "Application:" in sent.text:
            for applicant in range(200_000 + self.people, 200_000 + self.people + 100):
                if f"tg://user?id={applicant}" in sent.text:
                    self.prompts.setdefault(applicant, sent.at)

    async def ask(self, person: dict, payload: dict, expect: str, think: float = 0.0) -> tuple[Sent, float]:
        """Send an update (after `think` seconds, as a person reads before answering) and time the answer."""
        await asyncio.sleep(think)
        marker, started = len(self.standin.sent), time.monotonic()
        await self.standin.push(payload)
        answer = await self.standin.wait_for(
            lambda s: s.chat_id == person["id"] and expect in s.text, start=marker, timeout=60
        )
        return answer, answer.at - started

    async def start_broadcast(self) -> None:
        admin = user(ADMIN, first_name="Sec")
        page, _ = await self.ask(admin, message_update(admin, "/broadcast " + ANNOUNCEMENT), "Recipients")
        preview = next(data for label, data in page.buttons if "Preview" in label)
        confirm, _ = await self.ask(admin, callback_update(admin, preview, page.message_id or 0), "as people will")
        send = next(data for label, data in confirm.buttons if label == "Send")
        await self.ask(admin, callback_update(admin, send, confirm.message_id or 0), "Sent")

    async def apply(self, applicant: int) -> tuple[float, list[float]]:
        """A member applies as Leader of B2 while the broadcast runs: (when Confirm was pressed, reply latencies)."""
        person = user(applicant, first_name="Applicant")
        latencies = []
        roles, took = await self.ask(person, message_update(person, "/join B2"), "which role")
        latencies.append(took)
        leader = next(data for label, data in roles.buttons if label == "Global Leader")
        pressing = callback_update(person, leader, roles.message_id or 0)
        _question, took = await self.ask(person, pressing, "why do you", think=THINK)
        latencies.append(took)
        typing = message_update(person, "Twenty years of soil work.")
        summary, took = await self.ask(person, typing, "Please check", think=THINK)
        latencies.append(took)
        confirm = next(data for label, data in summary.buttons if "Confirm" in label)
        await asyncio.sleep(THINK)
        pressed = time.monotonic()
        _, took = await self.ask(person, callback_update(person, confirm, summary.message_id or 0), "application")
        latencies.append(took)
        return pressed, latencies


async def start_bot(standin: BotApiStandIn, database: Path, **settings: str) -> asyncio.subprocess.Process:
    """`python -m bot` on the stand-in, the admin set, the flood limit out of the way of scripted people;
    `settings` (BOT_… names) on top, the defaults otherwise."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "BOT_DATABASE": str(database),
        "BOT_ADMINS": str(ADMIN),
        "BOT_FLOOD_LIMIT": "1000",
        **settings,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=ROOT, stderr=asyncio.subprocess.DEVNULL
    )


async def scenario(people: int, rate: float, applicants: int, **settings: str) -> dict[str, float]:
    standin = BotApiStandIn(TOKEN)
    standin.enforce_limits = True
    await standin.start()
    run = Run(standin, people)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        await seed(database, people, applicants)
        process = await start_bot(standin, database, **settings)
        watcher, peak = psutil.Process(process.pid), 0

        async def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, watcher.memory_info().rss)
                await asyncio.sleep(0.1)

        try:
            await standin.wait_for(lambda s: s.method == "setMyCommands", timeout=60)
            sampler = asyncio.create_task(sample())
            await run.start_broadcast()
            pressed: dict[int, float] = {}
            latencies: list[float] = []
            for number in range(applicants):
                await asyncio.sleep(max(1.0, people / rate / (applicants + 1)))
                applicant = 200_000 + people + number
                pressed[applicant], took = await run.apply(applicant)
                latencies += took
            await standin.wait_for(lambda s: len(run.delivered) >= people, timeout=people / rate * 3 + 60)
            await standin.wait_for(lambda s: len(run.prompts) >= applicants, timeout=60)
            sampler.cancel()
        finally:
            process.terminate()
            await process.wait()
            await standin.stop()
    first, last = min(run.delivered), max(run.delivered)
    achieved = (len(run.delivered) - 1) / (last - first)
    prompt_delays = sorted(run.prompts[a] - pressed[a] for a in pressed)
    return {
        "achieved": achieved,
        "too_many": standin.too_many,
        "prompt_p95": prompt_delays[int(0.95 * (len(prompt_delays) - 1))] if prompt_delays else 0.0,
        "reply_p95": sorted(latencies)[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "reply_median": statistics.median(latencies) if latencies else 0.0,
        "peak_mib": peak / 2**20,
        "seconds": last - first,
    }


async def bare_ptb_ceiling(messages: int, in_flight: int = 32) -> float:
    """python-telegram-bot as it comes, sending as fast as it can to the stand-in: the yardstick."""
    standin = BotApiStandIn(TOKEN)
    await standin.start()
    bot = Bot(TOKEN, base_url=standin.base_url, request=HTTPXRequest(connection_pool_size=in_flight))
    gate = asyncio.Semaphore(in_flight)

    async def one(chat: int) -> None:
        async with gate:
            await bot.send_message(chat, ANNOUNCEMENT)

    try:
        async with bot:
            started = time.monotonic()
            await asyncio.gather(*(one(300_000 + n) for n in range(messages)))
            return messages / (time.monotonic() - started)
    finally:
        await standin.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--fast-people", type=int, default=20_000)
    parser.add_argument("--skip-default", action="store_true", help="only the 1000/s part")
    args = parser.parse_args()
    if not args.skip_default:
        rate = Settings.model_fields["messages_per_second"].default
        result = await scenario(args.people, rate, applicants=10)
        print(f"default rate: {args.people} people at BOT_MESSAGES_PER_SECOND={rate:g}, Telegram's limits enforced")
        share = result["achieved"] / rate
        print(f"  achieved            {result['achieved']:6.2f} messages/s ({share:.0%} of {rate:g})")
        print(f"  429 answers         {result['too_many']:6.0f}")
        print(f"  prompt delay p95    {result['prompt_p95']:6.2f} s (Confirm → the prompt at the admin)")
        median, p95 = result["reply_median"] * 1000, result["reply_p95"] * 1000
        print(f"  reply latency       {median:6.0f} ms median, {p95:.0f} ms p95")
        print(f"  peak RSS            {result['peak_mib']:6.1f} MiB")
        print(f"  duration            {result['seconds']:6.0f} s")
    ceiling = await bare_ptb_ceiling(args.fast_people // 4)
    fast = await scenario(args.fast_people, PAID_PER_SECOND, applicants=3, BOT_PAID_BROADCAST="true")
    print(f"paid broadcasts: {args.fast_people} people with BOT_PAID_BROADCAST, Telegram's limits enforced")
    print(f"  bare PTB ceiling    {ceiling:6.0f} messages/s")
    print(f"  achieved            {fast['achieved']:6.0f} messages/s ({fast['achieved'] / ceiling:.0%} of the ceiling)")
    print(f"  429 answers         {fast['too_many']:6.0f}")
    print(f"  prompt delay p95    {fast['prompt_p95']:6.2f} s")
    print(f"  peak RSS            {fast['peak_mib']:6.1f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
