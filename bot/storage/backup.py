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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Erasures:
    """What a replaced database says of the people its backup knows: who used /forget since.

    A restore brings back everyone the backup knew, also those who asked to be forgotten after it was
    taken. /forget deletes a person's `known_users` row and nothing else does, so they are the people the
    backup knows whom the replaced database does not know (or knows anew: they came back after /forget).
    """

    continues: bool  # the replaced database holds the backup's latest audit row: it is the backup's future
    gone: list[int]
    forgets: int  # the /forget the replaced database recorded after that row


def erasures_since(restored: Path, replaced: Path) -> Erasures:
    """Compare the restored file with the one it replaced, reading both.

    Not read-only: SQLite leaves a read-only reader's empty WAL and shared-memory files behind, while the
    last connection that may write folds them back into the file and removes them."""
    try:
        with closing(sqlite3.connect(restored)) as connection:
            connection.execute("ATTACH DATABASE ? AS replaced", (str(replaced),))
            return Erasures(
                continues=connection.execute(_CONTINUES).fetchone()[0] == 1,
                gone=[int(row[0]) for row in connection.execute(_GONE)],
                forgets=connection.execute(_FORGETS).fetchone()[0],
            )
    except sqlite3.Error as error:
        raise DatabaseError(f"{replaced}: {error}") from None


_LATEST_AUDIT = "(SELECT MAX(id) FROM main.audit_log)"
_CONTINUES = f"""
    SELECT COUNT(*) FROM main.audit_log AS b JOIN replaced.audit_log AS r ON r.id = b.id
    WHERE b.id = {_LATEST_AUDIT} AND r.at = b.at AND r.action = b.action"""
_GONE = """
    SELECT i.telegram_id
    FROM (SELECT telegram_id FROM main.known_users UNION SELECT telegram_id FROM main.people) AS i
    LEFT JOIN main.known_users AS b ON b.telegram_id = i.telegram_id
    LEFT JOIN replaced.known_users AS r ON r.telegram_id = i.telegram_id
    WHERE (r.telegram_id IS NULL AND i.telegram_id NOT IN (SELECT telegram_id FROM replaced.people))
       OR r.first_seen <> b.first_seen
    ORDER BY i.telegram_id"""
_FORGETS = f"""
    SELECT COUNT(*) FROM replaced.audit_log
    WHERE action = 'person.forgotten' AND id > COALESCE({_LATEST_AUDIT}, 0)"""
