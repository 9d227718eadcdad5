"""Benchmark: N people join a task force at once, through the whole flow.

Runs `python -m bot` as a separate process against the Bot API stand-in in this
process, then the same load of plain messages against a bare echo bot, and prints
joins/s, updates/s, p50/p95 latency (update reaching the stand-in → the bot's
answer), peak RSS and CPU time per update of each bot process; rounds alternate
the two bots, and the ratio of updates/s is given per round and overall.

    python bench/join_flow.py [--people 200] [--rounds 5]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.standin import BotApiStandIn, Sent, callback_update, message_update, user  # noqa: E402

TOKEN = "123:BENCH-secret-of-the-stand-in-0123456789"
JOIN_STEPS: list[tuple[str, str]] = [
    ("say", "/join B3"),
    ("press", "Use “"),
    ("say", "Soil Institute"),
    ("say", "Kenya"),
    ("press", "Africa"),
    ("press", "Research and education"),
    ("press", "Neither"),
    ("press", "Skip"),
    ("press", "Team Member"),
    ("press", "Confirm"),
]


class Load:
    """Routes the bot's answers to the person waiting for them and times each update."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.waiting: dict[int, asyncio.Future[Sent]] = {}
        self.latencies: list[float] = []
        standin.on_sent = self._route

    def _route(self, sent: Sent) -> None:
        key = sent.chat_id
        if sent.method in ("answerCallbackQuery", "editMessageReplyMarkup"):  # not an answer to wait for
            return
        future = self.waiting.pop(key, None) if key is not None else None
        if future is not None and not future.done():
            future.set_result(sent)

    async def update(self, person: dict, payload: dict) -> Sent:
        future: asyncio.Future[Sent] = asyncio.get_running_loop().create_future()
        self.waiting[person["id"]] = future
        started = time.monotonic()
        await self.standin.push(payload)
        answer = await asyncio.wait_for(future, 60)
        self.latencies.append(time.monotonic() - started)
        return answer

    async def join(self, person: dict) -> None:
        last: Sent | None = None
        for kind, value in JOIN_STEPS:
            if kind == "say":
                last = await self.update(person, message_update(person, value))
            else:
                assert last is not None
                data = next(d for label, d in last.buttons if value in label)
                last = await self.update(person, callback_update(person, data, last.message_id or 0))
        assert last is not None and "registered" in last.text, last.text

    async def echo(self, person: dict) -> None:
        for index in range(len(JOIN_STEPS)):
            await self.update(person, message_update(person, f"plain message {index}"))


async def run(label: str, command: list[str], env: dict[str, str], people: int, scenario: str) -> float:
    standin = BotApiStandIn(TOKEN)
    await standin.start()
    load = Load(standin)
    process = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, **env, "BOT_TOKEN": TOKEN, "BOT_API_URL": standin.base_url},
        stderr=asyncio.subprocess.DEVNULL,
        cwd=ROOT,
    )
    peak = 0
    watcher = psutil.Process(process.pid)

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, watcher.memory_info().rss)
            await asyncio.sleep(0.05)

    try:
        await standin.wait_for(lambda s: s.method == "setMyCommands", timeout=60)
        sampler = asyncio.create_task(sample())
        persons = [user(100_000 + i, first_name=f"P{i}", last_name="Bench") for i in range(people)]
        started, bot_cpu, own_cpu = time.monotonic(), _cpu(watcher), time.process_time()
        calls_before = len(standin.sent)
        await asyncio.gather(*(getattr(load, scenario)(p) for p in persons))
        elapsed = time.monotonic() - started
        calls = len(standin.sent) - calls_before
        bot_cpu, own_cpu = _cpu(watcher) - bot_cpu, time.process_time() - own_cpu
        sampler.cancel()
    finally:
        process.terminate()
        await process.wait()
        await standin.stop()
    updates = len(load.latencies)
    ordered = sorted(load.latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    rate = updates / elapsed
    print(f"{label}: {people} people, {updates} updates in {elapsed:.2f}s")
    if scenario == "join":
        print(f"  completed joins/s   {people / elapsed:8.1f}")
    print(f"  updates handled/s   {rate:8.1f}")
    print(f"  Bot API calls/s     {calls / elapsed:8.1f}  ({calls / updates:.2f} per update, getUpdates not counted)")
    print(f"  latency p50 / p95   {statistics.median(ordered) * 1000:6.1f} / {p95 * 1000:6.1f} ms")
    print(f"  peak RSS            {peak / 2**20:8.1f} MiB")
    print(f"  CPU busy: bot {bot_cpu / elapsed:4.0%}, stand-in and load {own_cpu / elapsed:4.0%}")
    print(f"  bot CPU per update  {bot_cpu / updates * 1000:8.2f} ms")
    return rate


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="alternate runs of each bot; medians compared")
    args = parser.parse_args()
    joins: list[float] = []
    echoes: list[float] = []
    alike: list[float] = []
    for round_number in range(1, args.rounds + 1):
        print(f"--- round {round_number} of {args.rounds}")
        with tempfile.TemporaryDirectory() as folder:
            bot_env = {
                "BOT_DATABASE": str(Path(folder) / "bench.sqlite3"),
                # Measure the bot, not Telegram's limits: the stand-in accepts any rate, and these
                # scripted people act without reading (bench/crowd.py has people at a person's pace).
                "BOT_MESSAGES_PER_SECOND": "100000",
                "BOT_CHAT_BURST": "1000",
            }
            command = [sys.executable, "-m", "bot"]
            joins.append(await run("join flow (python -m bot)", command, bot_env, args.people, "join"))
        echo_command = [sys.executable, "bench/echo_bot.py"]
        echoes.append(await run("echo bot (bare PTB)", echo_command, {}, args.people, "echo"))
        alike_label = "echo bot on the join bot's transport and loop"
        alike.append(await run(alike_label, [*echo_command, "--like-the-bot"], {}, args.people, "echo"))
        print(
            f"  ratio this round    {joins[-1] / echoes[-1]:8.2f}  (to the echo bot like the join bot: "
            f"{joins[-1] / alike[-1]:.2f})"
        )
    join_rate, echo_rate = statistics.median(joins), statistics.median(echoes)
    print(
        f"median updates/s: join flow {join_rate:.1f}, echo bot {echo_rate:.1f}, "
        f"echo bot like the join bot {statistics.median(alike):.1f}"
    )
    print(f"ratio join-flow updates/s to echo updates/s: {join_rate / echo_rate:.2f} (target ≥ 0.80)")
    # This machine's speed drifts between runs; a round's runs are close in time.
    print(
        f"median of the rounds' ratios: {_paired(joins, echoes):.2f} "
        f"(to the echo bot like the join bot: {_paired(joins, alike):.2f})"
    )


def _paired(rates: list[float], yardsticks: list[float]) -> float:
    return statistics.median(rate / yardstick for rate, yardstick in zip(rates, yardsticks, strict=True))


if __name__ == "__main__":
    asyncio.run(main())
