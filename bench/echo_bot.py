"""A bare python-telegram-bot echo bot: the yardstick for the join flow benchmark."""

from __future__ import annotations

import asyncio
import os
import signal

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


async def main() -> None:
    application = Application.builder().token(os.environ["BOT_TOKEN"]).base_url(os.environ["BOT_API_URL"]).build()
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
    asyncio.run(main())
