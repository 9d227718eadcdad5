"""A python-telegram-bot echo bot: the yardstick for the join flow benchmark.

Bare by default: PTB as it comes (httpx, asyncio's loop), importing nothing of
ours. With `--like-the-bot` it uses the join bot's own transport and loop
(aiohttp with JSON bodies, uvloop), which shows how much of the difference is
the flow itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


async def main(like_the_bot: bool) -> None:
    builder: ApplicationBuilder = Application.builder().token(os.environ["BOT_TOKEN"])  # type: ignore[type-arg]
    builder = builder.base_url(os.environ["BOT_API_URL"])
    if like_the_bot:
        from bot.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(connection_pool_size=1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        await application.start()
        await application.bot.set_my_commands([])  # tells the bench the bot is up
        await stop.wait()
        await application.updater.stop()
        await application.stop()


if __name__ == "__main__":
    if "--like-the-bot" in sys.argv[1:]:
        sys.path.insert(0, str(ROOT))
        from bot.__main__ import serve_forever

        serve_forever(main(like_the_bot=True))
    else:
        asyncio.run(main(like_the_bot=False))
