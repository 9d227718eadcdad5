"""Benchmark: a bystander's reply time while one person floods the bot and another forges buttons.

Runs `python -m bot` (from this tree, or from --source, e.g. a worktree of an older
commit) against the Bot API stand-in in this process. One person sends --messages
messages at once, another presses --presses forged buttons at once; meanwhile a
bystander sends /help every 0.6 s (as fast as a person, under
the flood limit) and waits for each answer. Prints the bystander's
reply time (p50, p95, max), and what the flooders got.

    python bench/flood.py [--messages 300] [--presses 3000] [--seconds 15] [--source DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.standin import BotApiStandIn, callback_update, message_update, user  # noqa: E402

TOKEN = "123:BENCH-secret-of-the-stand-in-0123456789"
FLOODER, FORGER, BYSTANDER = 5001, 5002, 5003


async def start_bot(standin: BotApiStandIn, source: Path, folder: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        BOT_TOKEN=TOKEN,
        BOT_API_URL=standin.base_url,
        BOT_DATABASE=str(folder / "bot.sqlite3"),
        PYTHONPATH=str(source),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=folder, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    await standin.wait_for(lambda s: s.method == "setMyCommands", timeout=30)
    await standin.wait_for_poll()
    return process


async def bystander(standin: BotApiStandIn, seconds: float) -> list[float]:
    """/help every 0.6 s, each answer awaited: its reply times."""
    person = user(BYSTANDER, first_name="Bea")
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        marker = len(standin.sent)
        started = time.monotonic()
        await standin.push(message_update(person, "/help"))
        await standin.wait_for(
            lambda s: s.chat_id == BYSTANDER and s.method == "sendMessage", timeout=400, start=marker
        )
        times.append(time.monotonic() - started)
        await asyncio.sleep(0.6)
    return times


async def main(messages: int, presses: int, seconds: float, source: Path) -> None:
    standin = BotApiStandIn(TOKEN)
    await standin.start()
    with tempfile.TemporaryDirectory() as folder:
        process = await start_bot(standin, source, Path(folder))
        try:
            flooder, forger = user(FLOODER, first_name="Flo"), user(FORGER, first_name="Fred")
            for n in range(messages):
                await standin.push(message_update(flooder, f"message {n}"))
            for n in range(presses):
                await standin.push(callback_update(forger, f"zz:forged:{n}", 1, callback_id=n + 1))
            times = await bystander(standin, seconds)
        finally:
            process.terminate()
            await process.wait()
    await standin.stop()
    times.sort()
    p95 = times[math.ceil(len(times) * 0.95) - 1]  # nearest rank
    to_flooder = [s for s in standin.sent if s.chat_id == FLOODER]
    print(f"source: {source}")
    print(f"flood: {messages} messages from one person, {presses} forged presses from another")
    print(
        f"bystander /help answered {len(times)} times: p50 {statistics.median(times) * 1000:.0f} ms,"
        f" p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    print(f"answers to the flooder: {len(to_flooder)} (of {messages} messages)")
    print(f"answers to the forger's presses: {sum(1 for s in standin.sent if s.method == 'answerCallbackQuery')}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--presses", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--source", type=Path, default=ROOT)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.presses, arguments.seconds, arguments.source.resolve()))
