"""Messages that carry decision buttons, so that a decision edits every one of them.

An application's prompts and an entry of the catalogue's are kept in a table each (their rows go with what they
ask about); which table and column is named here (`_TABLES`), never taken from a caller.
"""

from __future__ import annotations

from enum import StrEnum

from bot.storage.database import Reader, Transaction


class Asked(StrEnum):
    """What a prompt asks a decision on."""

    APPLICATION = "application"
    ENTRY = "entry"


_TABLES: dict[Asked, tuple[str, str]] = {
    Asked.APPLICATION: ("prompts", "registration_id"),
    Asked.ENTRY: ("project_prompts", "project_id"),
}


async def add_prompt(tx: Transaction, asked: Asked, subject_id: int, chat_id: int, message_id: int) -> None:
    table, subject = _TABLES[asked]
    await tx.execute(
        f"INSERT INTO {table} ({subject}, chat_id, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (subject_id, chat_id, message_id),
    )


async def prompts_of(db: Reader, asked: Asked, subject_id: int) -> list[tuple[int, int]]:
    """(chat, message) of every prompt about it."""
    table, subject = _TABLES[asked]
    rows = await db.fetchall(f"SELECT chat_id, message_id FROM {table} WHERE {subject} = ?", (subject_id,))
    return [(int(row["chat_id"]), int(row["message_id"])) for row in rows]


async def drop_prompts(tx: Transaction, asked: Asked, subject_id: int) -> None:
    table, subject = _TABLES[asked]
    await tx.execute(f"DELETE FROM {table} WHERE {subject} = ?", (subject_id,))


async def forget_prompts(tx: Transaction, asked: Asked, chat_id: int) -> None:
    table, _ = _TABLES[asked]
    await tx.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
