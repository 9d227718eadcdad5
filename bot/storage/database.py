"""One aiosqlite connection, its pragmas, migrations and a serialising lock.

A single connection keeps SQLite's writer single; the lock keeps one coroutine's
transaction from interleaving with another's statements on that connection.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from bot.storage.migrations import MIGRATIONS

Params = Sequence[Any] | dict[str, Any]


def to_text(moment: datetime | None) -> str | None:
    """Times are stored as ISO text in UTC so that they sort and compare as text."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class Reader(Protocol):
    """What a read takes: the Database, or an open Transaction when the read decides a write."""

    async def fetchone(self, sql: str, params: Params = ...) -> aiosqlite.Row | None: ...
    async def fetchall(self, sql: str, params: Params = ...) -> list[aiosqlite.Row]: ...


class Transaction:
    """Statements run inside one BEGIN IMMEDIATE … COMMIT."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        return await self._connection.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # One trip to aiosqlite's thread, where a cursor's execute, fetch and close take three.
        return list(await self._connection.execute_fetchall(sql, params))


class DatabaseError(Exception):
    """The database cannot be used; the message says why, in words an operator can act on."""


class Database:
    """The bot's SQLite file; open it with `await Database.open(path)`."""

    def __init__(self, connection: aiosqlite.Connection, lock_fd: int | None = None) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._lock_fd = lock_fd

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open, check and migrate; a DatabaseError (never a hang) when the file cannot serve."""
        path = Path(path)
        if not path.parent.is_dir():
            raise DatabaseError(f"{path}: the folder {path.parent} does not exist")
        if path.is_dir():
            raise DatabaseError(f"{path}: is a folder, not a file")
        lock_fd = _lock_exclusively(path)
        try:
            connection = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as error:
            _unlock(lock_fd)
            raise DatabaseError(f"{path}: {_reason(error)}") from None
        database = cls(connection, lock_fd)
        try:
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA busy_timeout=500")  # a locked file is refused within a second
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left in free pages: /forget must forget on disk too.
            await connection.execute("PRAGMA secure_delete=ON")
            await database._migrate()
            await connection.execute("PRAGMA busy_timeout=5000")
        except (sqlite3.Error, DatabaseError) as error:
            # aiosqlite's thread must be closed, or the process would never exit.
            await database.close()
            reason = _reason(error) if isinstance(error, sqlite3.Error) else str(error)
            raise DatabaseError(f"{path}: {reason}") from None
        return database

    @classmethod
    async def open_reader(cls, path: Path | str) -> Database:
        """A second connection to the bot's file that only reads (the public site's): WAL lets it read while the
        bot writes, so neither waits for the other; it neither migrates nor takes the bot's lock."""
        try:
            address = f"{Path(path).resolve().as_uri()}?mode=ro"
            connection = await aiosqlite.connect(address, uri=True, isolation_level=None)
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA busy_timeout=5000")
            await connection.execute("PRAGMA query_only=ON")
        except sqlite3.Error as error:
            raise DatabaseError(f"{path}: {_reason(error)}") from None
        return cls(connection)

    async def close(self) -> None:
        await self._connection.close()
        _unlock(self._lock_fd)
        self._lock_fd = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def write(self, sql: str, params: Params = ()) -> None:
        """One statement on its own: SQLite makes it atomic without BEGIN/COMMIT round trips."""
        async with self._lock:
            await self._connection.execute(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._lock:
            return await Transaction(self._connection).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return await Transaction(self._connection).fetchall(sql, params)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it, so that no old page stays in the WAL."""
        async with self._lock:
            await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def _migrate(self) -> None:
        async with self.transaction() as tx:
            await tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = await tx.fetchone("SELECT version FROM schema_version")
            current = int(row["version"]) if row else 0
            if current > len(MIGRATIONS):
                raise DatabaseError(
                    f"written by a newer version of the bot (schema {current}, this bot knows {len(MIGRATIONS)})"
                )
            for script in MIGRATIONS[current:]:
                for statement in _statements(script):
                    await tx.execute(statement)
            if row is None:
                await tx.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS),))
            else:
                await tx.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction).

    At the semicolons that end a statement as SQLite reads it: a trigger's body has its own.
    """
    statements, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


def _reason(error: sqlite3.Error) -> str:
    """SQLite's message, said so that an operator knows what to do."""
    text = str(error)
    known = {
        "file is not a database": "is not an SQLite database (wrong file?)",
        "unable to open database file": "cannot be opened or created (check the path and its permissions)",
        "attempt to write a readonly database": "cannot be written (check its permissions)",
        "database is locked": "is locked by another program",
    }
    return next((said for key, said in known.items() if key in text), text)


def _lock_exclusively(path: Path) -> int | None:
    """One bot per database: a lock on `<file>.lock`, released by the system even on SIGKILL.

    A lock on a file beside the database, not on it: closing any descriptor of the
    database itself would drop SQLite's own locks in this process.
    """
    if sys.platform == "win32":  # no flock; the operator keeps to one bot per file
        return None
    import fcntl

    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise DatabaseError(f"{path}: cannot create {lock_path.name} beside it ({error.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise DatabaseError(f"{path}: is in use by another running bot") from None
    return fd


def in_use(path: Path) -> bool:
    """A bot runs on `path` now (it holds the lock beside it)."""
    if not path.with_name(path.name + ".lock").exists():
        return False
    try:
        _unlock(_lock_exclusively(path))
    except DatabaseError:
        return True
    return False


def _unlock(fd: int | None) -> None:
    if fd is not None:
        with suppress(OSError):
            os.close(fd)  # closing releases the lock
