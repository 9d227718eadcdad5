"""Everyone who has written to the bot: Telegram only lets it write to them, in the language they chose
or else their Telegram's, until Telegram refuses to deliver."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.models import KnownUser
from bot.storage.database import Database, Reader, Transaction, from_text, to_text


async def remember_user(
    tx: Transaction, telegram_id: int, username: str | None, full_name: str, language: str | None, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO known_users (telegram_id, username, full_name, language, first_seen) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET username = excluded.username,"
        " full_name = excluded.full_name, language = excluded.language, unreachable_at = NULL",
        (telegram_id, username, full_name, language, to_text(now)),
    )


async def mark_unreachable(db: Database, telegram_id: int, now: datetime) -> None:
    """Telegram refused to deliver (blocked, deactivated): until they write to the bot again."""
    await db.write("UPDATE known_users SET unreachable_at = ? WHERE telegram_id = ?", (to_text(now), telegram_id))


async def known_user(db: Reader, telegram_id: int) -> KnownUser | None:
    row = await db.fetchone("SELECT * FROM known_users WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else known_user_from(row)


async def known_by_username(db: Reader, username: str) -> KnownUser | None:
    row = await db.fetchone("SELECT * FROM known_users WHERE username = ?", (username,))
    return None if row is None else known_user_from(row)


async def choose_language(tx: Transaction, telegram_id: int, full_name: str, language: str, now: datetime) -> None:
    """The language the person chose with /language; it outranks Telegram's."""
    await tx.execute(
        "INSERT INTO known_users (telegram_id, full_name, chosen_language, first_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET chosen_language = excluded.chosen_language",
        (telegram_id, full_name, language, to_text(now)),
    )


async def forget_user(tx: Transaction, telegram_id: int) -> None:
    await tx.execute("DELETE FROM known_users WHERE telegram_id = ?", (telegram_id,))


def known_user_from(row: aiosqlite.Row) -> KnownUser:
    """Someone from a row holding the known_users columns (a join may bring others, left aside)."""
    data = {key: row[key] for key in ("telegram_id", "username", "full_name", "language", "chosen_language")}
    return KnownUser(**data, first_seen=from_text(row["first_seen"]))
