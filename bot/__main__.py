"""`python -m bot` and the `taskforce-bot` script: check the settings and data, then run.

Whatever stops the bot at start (a setting, objectives.json, the database, a rejected
token) is said in one line naming what to fix, with exit code 2; the token never
appears in any line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Coroutine
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from telegram.error import NetworkError

from bot.app import StartupError, build_application, serve
from bot.config import Settings, SettingsError, bot_id, database_setting, load_settings
from bot.models import Catalogue
from bot.services import backups
from bot.services.catalogue import CatalogueError, load_catalogue
from bot.services.clock import utc_now
from bot.storage import backup
from bot.storage.database import Database, DatabaseError

PROGRAM = "taskforce-bot"
USAGE_EPILOG = """\
settings (environment variables, or a .env file in the working folder):
  BOT_TOKEN                    the bot's token from @BotFather (required)
  BOT_ADMINS                   Telegram user ids of the Executive Secretariat, comma-separated
  BOT_DATABASE                 SQLite file (default: taskforce.sqlite3)
  BOT_API_URL, BOT_PROXY       a self-hosted Bot API server; a proxy (http, https, socks5)
  BOT_OBJECTIVES               objectives.json (default: the shipped one)
  BOT_MAX_TASKFORCES, BOT_REMINDER_HOURS, BOT_DECISION_REMINDER_HOURS, BOT_DIGEST_HOUR,
  BOT_TICK_SECONDS, BOT_MESSAGES_PER_SECOND
  BOT_HTTP_LISTEN, BOT_WEBHOOK_URL   the bot's HTTP server (/healthz, /metrics); updates by webhook
  BOT_BACKUP_DIR, BOT_BACKUP_HOUR    the daily backups (default: a backups folder beside the database)
  BOT_SITE, BOT_SITE_LISTEN, BOT_PUBLIC_URL   the public site (off by default)

The README (Settings) and docs/operations.md say what each one means and its default.
Exit codes: 0 stopped by SIGTERM or SIGINT (or a backup or restore done); 2 a setting, a file or the
token is wrong.
"""


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """--help and --version answer without touching the network or creating a database."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description='Telegram bot through which the "4 per 1000" Executive Secretariat forms and runs '
        "the Task Forces of its Strategic Plan. It runs until SIGTERM or SIGINT.",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="{backup,restore}")
    commands.add_parser(
        "backup", help="copy BOT_DATABASE to PATH now (while the bot runs, too), and check the copy"
    ).add_argument("path", type=Path)
    commands.add_parser(
        "restore",
        help="put the backup PATH in place of BOT_DATABASE (the bot stopped); the replaced file is kept beside it",
    ).add_argument("path", type=Path)
    return parser.parse_args(argv)


def _version() -> str:
    try:
        return version("taskforce-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class RedactingFormatter(logging.Formatter):
    """Every log line, traceback included, with the token's secret part blanked out."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self._secrets: list[tuple[str, str]] = []

    def redact(self, token: str) -> None:
        self._secrets.append((token, f"{bot_id(token)}:***"))

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret, shown in self._secrets:
            text = text.replace(secret, shown)
        return text


class NetworkTroubleInOneLine(logging.Filter):
    """A network error is the weather, not a bug: one warning line with its reason, no traceback.

    PTB logs some of them with their traceback (e.g. its last getUpdates when it stops
    during an outage); ours are logged in one line where they are caught.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg, record.args = f"{record.getMessage()} ({error.message})", None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging() -> RedactingFormatter:
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(NetworkTroubleInOneLine())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler says twice per tick that it ran the tick; its warnings stay.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return formatter


async def run(settings: Settings, catalogue: Catalogue) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        db = await Database.open(settings.database)
    except DatabaseError as error:
        raise StartupError(f"BOT_DATABASE: {error}") from None
    try:
        await serve(build_application(settings, catalogue, db), stop)
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    formatter = configure_logging()
    if arguments.command is not None:
        keep_database(arguments.command, arguments.path)
        return
    try:
        settings = load_settings()
        formatter.redact(settings.token.get_secret_value())
        catalogue = load_catalogue(settings.objectives)
        # What start-up built (modules, the catalogue: some 150 000 objects) lives as long as the process: out of
        # the collector's sight, a full collection (and the one at exit) skips it. Measured: SIGTERM to exit
        # 0.65-1.1 s before, 0.5 s after (tests/test_lifecycle.py wants under 1 s); the public site's pages no
        # longer wait 0.1-0.25 s for a full collection in progress (bench/site.py, which freezes as this does).
        gc.freeze()
        serve_forever(run(settings, catalogue))
    except (SettingsError, CatalogueError, StartupError) as error:
        for line in str(error).splitlines():
            print(f"{PROGRAM}: {line}", file=sys.stderr)
        raise SystemExit(2) from None


def keep_database(command: str, path: Path) -> None:
    """`backup PATH` and `restore PATH`: one line saying what was done, or what stopped it (exit code 2)."""
    try:
        database = database_setting()
        if command == "backup":
            backup.copy(database, path)
            print(f"{PROGRAM}: {database} copied to {path} and checked")
        else:
            kept = database.with_name(f"{database.name}.replaced-{utc_now():%Y%m%dT%H%M%S%f}")
            backup.restore(path, database, kept)
            print(f"{PROGRAM}: {path} restored as {database}{forgotten_again(database, kept)}")
    except (SettingsError, DatabaseError) as error:
        print(f"{PROGRAM}: {command}: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def forgotten_again(database: Path, replaced: Path) -> str:
    """The end of restore's line: the file it replaced, and what was done about the people who used /forget
    after the backup (only that file can tell who they were)."""
    undone = "; WARNING: a /forget made after the backup may be undone: "
    if not replaced.exists():
        return undone + "no file was replaced to tell"
    try:
        done = asyncio.run(backups.forget_again(database, replaced, utc_now()))
    except DatabaseError as error:  # a damaged file replaced, the usual reason to restore: the restore stands
        return f"; the file it replaced is {replaced}{undone}{error}"
    if done.skipped is not None:
        return f"; the file it replaced is {replaced}{undone}{done.skipped}"
    forgotten = f"; {done.count} who used /forget since the backup forgotten again" if done.count else ""
    return f"; the file it replaced is {replaced}{forgotten}"


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
