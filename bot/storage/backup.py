"""Copies of the database taken while the bot runs, checked, and put back when the worst happens.

SQLite's online backup API copies a consistent snapshot from its own connection: the bot's
writers are not stopped (the file is in WAL mode), and the copy is a plain database file
with no WAL beside it. These functions block; callers run them in a thread.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.storage.database import DatabaseError, in_use
from bot.storage.migrations import MIGRATIONS

SIDE_FILES = ("-wal", "-shm")  # SQLite's files beside a database in WAL mode


def copy(source: Path, target: Path) -> None:
    """Snapshot `source` into `target` (written beside it first, renamed when whole and checked), so that a
    copy that failed half-way never looks like a backup."""
    if not source.is_file():
        raise DatabaseError(f"{source}: no such file")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(partial)) as writer:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL to carry along
        problem = check(partial)
        if problem is not None:
            raise DatabaseError(f"the copy is damaged: {problem}")
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise DatabaseError(str(error)) from None
    finally:
        partial.unlink(missing_ok=True)


def check(path: Path) -> str | None:
    """None when `path` is a whole database of a schema this bot can run; else what is wrong with it."""
    if not path.is_file():
        return "no such file"
    try:
        with closing(sqlite3.connect(path)) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                return f"integrity check: {verdict}"
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone() is None:
                return "no schema version: not this bot's database"
            row = connection.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.Error as error:
        return "not an SQLite database" if "not a database" in str(error) else str(error)
    if row is None:
        return "no schema version: not this bot's database"
    if row[0] > len(MIGRATIONS):
        return f"written by a newer version of the bot (schema {row[0]}, this bot knows {len(MIGRATIONS)})"
    return None


def restore(backup: Path, database: Path, kept: Path) -> None:
    """Put `backup` in place of `database`, the replaced file (and its WAL) moved to `kept`.

    Refused while a bot runs on `database` (it holds the lock beside it) and when the backup fails its
    check; nothing is changed then.
    """
    if not backup.is_file():
        raise DatabaseError(f"{backup}: no such file")
    problem = check(backup)
    if problem is not None:
        raise DatabaseError(f"{backup}: {problem}")
    if in_use(database):
        raise DatabaseError(f"{database}: a bot is running on it; stop it first")
    if database.exists():
        for suffix in ("", *SIDE_FILES):
            current = Path(f"{database}{suffix}")
            if current.exists():
                os.replace(current, Path(f"{kept}{suffix}"))
    shutil.copyfile(backup, database)
