"""The rows behind python-telegram-bot's persistence: user data, chat data, singletons, conversations.

Data is JSON text; what it means is the persistence's business (bot/chat/persistence.py).
Table and column names come from this module only, never from input.
"""

from __future__ import annotations

from typing import Literal

from bot.storage.database import Database

KeyedTable = Literal["ptb_user_data", "ptb_chat_data", "ptb_singletons"]
_KEY_COLUMNS: dict[KeyedTable, str] = {
    "ptb_user_data": "user_id",
    "ptb_chat_data": "chat_id",
    "ptb_singletons": "name",
}


async def load(db: Database, table: KeyedTable) -> list[tuple[str, str]]:
    """Every (key, JSON text) of a table, keys as text."""
    column = _KEY_COLUMNS[table]
    rows = await db.fetchall(f"SELECT {column} AS key, data FROM {table}")
    return [(str(row["key"]), row["data"]) for row in rows]


async def load_one(db: Database, table: KeyedTable, key: object) -> str | None:
    row = await db.fetchone(f"SELECT data FROM {table} WHERE {_KEY_COLUMNS[table]} = ?", (key,))
    return None if row is None else str(row["data"])


async def store(db: Database, table: KeyedTable, key: object, text: str | None) -> None:
    """Write the row, or delete it when `text` is None (empty data is no row)."""
    column = _KEY_COLUMNS[table]
    if text is None:
        await db.write(f"DELETE FROM {table} WHERE {column} = ?", (key,))
    else:
        await db.write(
            f"INSERT INTO {table} ({column}, data) VALUES (?, ?)"
            f" ON CONFLICT ({column}) DO UPDATE SET data = excluded.data",
            (key, text),
        )


async def load_conversations(db: Database, name: str) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT key, state FROM ptb_conversations WHERE name = ?", (name,))
    return [(row["key"], row["state"]) for row in rows]


async def store_conversation(db: Database, name: str, key: str, state: str | None) -> None:
    if state is None:
        await db.write("DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, key))
    else:
        await db.write(
            "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
            " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
            (name, key, state),
        )
