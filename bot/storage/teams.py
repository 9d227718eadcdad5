"""Who has started the bot, who facilitates which task force, and where decision prompts are."""

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
    return None if row is None else _known(row)


async def known_by_username(db: Reader, username: str) -> KnownUser | None:
    row = await db.fetchone("SELECT * FROM known_users WHERE username = ?", (username,))
    return None if row is None else _known(row)


async def choose_language(tx: Transaction, telegram_id: int, full_name: str, language: str, now: datetime) -> None:
    """The language the person chose with /language; it outranks Telegram's."""
    await tx.execute(
        "INSERT INTO known_users (telegram_id, full_name, chosen_language, first_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET chosen_language = excluded.chosen_language",
        (telegram_id, full_name, language, to_text(now)),
    )
    await tx.execute("UPDATE people SET language = ? WHERE telegram_id = ?", (language, telegram_id))


async def forget_user(tx: Transaction, telegram_id: int) -> None:
    await tx.execute("DELETE FROM known_users WHERE telegram_id = ?", (telegram_id,))
    await tx.execute("DELETE FROM facilitators WHERE telegram_id = ?", (telegram_id,))
    await tx.execute("DELETE FROM prompts WHERE chat_id = ?", (telegram_id,))
    await tx.execute("UPDATE facilitators SET assigned_by = 0 WHERE assigned_by = ?", (telegram_id,))


def _known(row: aiosqlite.Row) -> KnownUser:
    data = {key: row[key] for key in ("telegram_id", "username", "full_name", "language", "chosen_language")}
    return KnownUser(**data, first_seen=from_text(row["first_seen"]))


async def add_facilitator(tx: Transaction, telegram_id: int, code: str, by: int, now: datetime) -> bool:
    cursor = await tx.execute(
        "INSERT INTO facilitators (telegram_id, taskforce, assigned_by, assigned_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (telegram_id, code, by, to_text(now)),
    )
    return cursor.rowcount > 0


async def remove_facilitator(tx: Transaction, telegram_id: int, code: str) -> bool:
    cursor = await tx.execute("DELETE FROM facilitators WHERE telegram_id = ? AND taskforce = ?", (telegram_id, code))
    return cursor.rowcount > 0


async def facilitators(db: Reader, code: str | None = None) -> list[tuple[str, KnownUser]]:
    """(task force, facilitator) pairs, of one task force or all, in code order."""
    rows = await db.fetchall(
        "SELECT f.taskforce, k.* FROM facilitators f JOIN known_users k USING (telegram_id)"
        " WHERE (:code IS NULL OR f.taskforce = :code) ORDER BY f.taskforce, k.full_name",
        {"code": code},
    )
    return [(row["taskforce"], _known(row)) for row in rows]


async def taskforces_of(db: Reader, telegram_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT taskforce FROM facilitators WHERE telegram_id = ? ORDER BY taskforce", (telegram_id,)
    )
    return [row["taskforce"] for row in rows]


async def add_prompt(tx: Transaction, registration_id: int, chat_id: int, message_id: int) -> None:
    await tx.execute(
        "INSERT INTO prompts (registration_id, chat_id, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (registration_id, chat_id, message_id),
    )


async def prompts_of(db: Reader, registration_id: int) -> list[tuple[int, int]]:
    rows = await db.fetchall("SELECT chat_id, message_id FROM prompts WHERE registration_id = ?", (registration_id,))
    return [(int(row["chat_id"]), int(row["message_id"])) for row in rows]
