"""Benchmark: a crowd joining at a person's pace, alone and while a broadcast runs.

`python -m bot` with its default pacing, against the Bot API stand-in enforcing
Telegram's limits (per chat, 20 a minute in groups, 30 a second to people who did
not just write). People take 1 to 3 s to read and act before each step, as people
do; each answer is timed from the update reaching the stand-in to the bot's first
answer to it (a new message or the edited one).

1. Crowd: `--people` (200) join B3 at once.
2. Crowd during a broadcast: the same number join while an announcement goes to
   `--audience` (5 000) members: answer latency, the broadcast's rate against the
   configured one (BOT_MESSAGES_PER_SECOND), 429s.

    python bench/crowd.py [--people 200] [--audience 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.broadcast import TOKEN, Run, seed, start_bot  # noqa: E402
from bench.join_flow import JOIN_STEPS  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.standin import BotApiStandIn, Sent, callback_update, message_update, user  # noqa: E402

ANSWERS = ("sendMessage", "editMessageText")  # what a person sees as the bot's answer
CONFIGURED_RATE = Settings.model_fields["messages_per_second"].default


class Crowd:
    """People joining, each waiting for the bot's answer before reading and acting again."""

    def __init__(self, standin: BotApiStandIn, rng: random.Random) -> None:
        self.standin = standin
        self.rng = rng
        self.latencies: list[float] = []
        self.unanswered = 0
        self.registered = 0

    async def step(self, person: dict, payload: dict) -> Sent | None:
        marker, started = len(self.standin.sent), time.monotonic()
        await self.standin.push(payload)
        try:
            answer = await self.standin.wait_for(
                lambda s: s.chat_id == person["id"] and s.method in ANSWERS, start=marker, timeout=30
            )
        except AssertionError:
            self.unanswered += 1
            return None
        self.latencies.append(answer.at - started)
        return answer

    async def join(self, person: dict) -> None:
        last: Sent | None = None
        for kind, value in JOIN_STEPS:
            await asyncio.sleep(self.rng.uniform(1.0, 3.0))  # reading, then acting
            if kind == "say":
                last = await self.step(person, message_update(person, value))
            elif last is not None:
                data = next(d for label, d in last.buttons if value in label)
                last = await self.step(person, callback_update(person, data, last.message_id or 0))
            if last is None:
                return
        self.registered += "registered" in last.text if last is not None else 0


async def scenario(people: int, audience: int, rng: random.Random) -> dict[str, Any]:
    standin = BotApiStandIn(TOKEN)
    standin.enforce_limits = True
    await standin.start()
    crowd, run = Crowd(standin, rng), Run(standin, audience)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        await seed(database, audience, 0)
        process = await start_bot(standin, database)
        try:
            await standin.wait_for(lambda s: s.method == "setMyCommands", timeout=60)
            if audience:
                await run.start_broadcast()
            started = time.monotonic()
            persons = [user(900_000 + n, first_name=f"P{n}", last_name="Crowd") for n in range(people)]
            await asyncio.gather(*(crowd.join(person) for person in persons))
            joined_in = time.monotonic() - started
            if audience:
                await standin.wait_for(lambda s: len(run.delivered) >= audience, timeout=audience / 20 + 60)
        finally:
            process.terminate()
            await process.wait()
            await standin.stop()
    ordered = sorted(crowd.latencies)
    figures = {
        "registered": crowd.registered,
        "unanswered": crowd.unanswered,
        "median": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "worst": ordered[-1],
        "answers": len(ordered),
        "too_many": standin.too_many,
        "limits_hit": standin.limits_hit,
        "joined_in": joined_in,
    }
    if audience:
        first, last = min(run.delivered), max(run.delivered)
        figures["achieved"] = (len(run.delivered) - 1) / (last - first)
    return figures


def report(title: str, figures: dict[str, Any], people: int) -> None:
    print(title)
    print(f"  registered          {figures['registered']:6.0f} of {people} (within {figures['joined_in']:.0f} s)")
    print(f"  answers             {figures['answers']:6.0f}, none within 30 s: {figures['unanswered']:.0f}")
    print(
        f"  answer latency      {figures['median'] * 1000:6.0f} ms median, {figures['p95'] * 1000:.0f} ms p95"
        f" (target under 500), worst {figures['worst'] * 1000:.0f} ms"
    )
    print(f"  429 answers         {figures['too_many']:6.0f}  {figures['limits_hit'] or ''}")
    if "achieved" in figures:
        share = figures["achieved"] / CONFIGURED_RATE
        print(
            f"  broadcast           {figures['achieved']:6.2f} messages/s ({share:.0%} of the configured"
            f" {CONFIGURED_RATE:g}; target 95 % or more)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--audience", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1, help="the people's reading times")
    args = parser.parse_args()
    alone = await scenario(args.people, 0, random.Random(args.seed))
    report(f"crowd: {args.people} people joining at once, 1-3 s a step", alone, args.people)
    during = await scenario(args.people, args.audience, random.Random(args.seed))
    report(f"crowd during a broadcast to {args.audience}", during, args.people)


if __name__ == "__main__":
    asyncio.run(main())
