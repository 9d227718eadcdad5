"""`python -m bot` and the `taskforce-bot` script: check the settings and data, then run."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine

from bot.app import build_application, serve
from bot.config import Settings, SettingsError, load_settings
from bot.models import Catalogue
from bot.services.catalogue import CatalogueError, load_catalogue
from bot.storage.database import Database


def configure_logging() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def run(settings: Settings, catalogue: Catalogue) -> None:
    db = await Database.open(settings.database)
    try:
        application = build_application(settings, catalogue, db)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve(application, stop)
    finally:
        await db.close()


def main() -> None:
    configure_logging()
    try:
        settings = load_settings()
        catalogue = load_catalogue(settings.objectives)
    except (SettingsError, CatalogueError) as error:
        print(f"taskforce-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    serve_forever(run(settings, catalogue))


def serve_forever(main_coroutine: Coroutine[None, None, None]) -> None:
    """On uvloop where it is built (not Windows).

    Measured in bench/join_flow.py: the event loop and socket handling in C take
    about a tenth off the bot's CPU time per update.
    """
    if sys.platform == "win32":
        asyncio.run(main_coroutine)
        return
    import uvloop  # a dependency everywhere but Windows

    uvloop.run(main_coroutine)


if __name__ == "__main__":
    main()
