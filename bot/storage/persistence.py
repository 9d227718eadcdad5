"""python-telegram-bot persistence kept in the bot's own SQLite database.

The data is stored as JSON text. Conversation keys are tuples of ints, encoded as
JSON arrays, the way PTB's DictPersistence does.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage.database import Database


class SQLitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Stores user, chat and bot data, callback data and conversation states as rows."""

    def __init__(self, database: Database, update_interval: float = 60) -> None:
        super().__init__(store_data=PersistenceInput(), update_interval=update_interval)
        self._db = database

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {int(row["user_id"]): json.loads(row["data"]) for row in rows}

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._db.fetchall("SELECT chat_id, data FROM ptb_chat_data")
        return {int(row["chat_id"]): json.loads(row["data"]) for row in rows}

    async def get_bot_data(self) -> dict[str, Any]:
        return await self._singleton("bot_data") or {}

    async def get_callback_data(self) -> CDCData | None:
        stored = await self._singleton("callback_data")
        if stored is None:
            return None
        entries, mapping = stored
        return [(key, float(stamp), data) for key, stamp, data in entries], mapping

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self._db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        async with self._db.transaction() as tx:
            if new_state is None:
                await tx.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                    (name, json.dumps(list(key))),
                )
            else:
                await tx.execute(
                    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                    (name, json.dumps(list(key)), json.dumps(new_state)),
                )

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._upsert("ptb_user_data", "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        await self._upsert("ptb_chat_data", "chat_id", chat_id, data)

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        await self._upsert("ptb_singletons", "name", "bot_data", data)

    async def update_callback_data(self, data: CDCData) -> None:
        await self._upsert("ptb_singletons", "name", "callback_data", data)

    async def drop_chat_data(self, chat_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))

    async def drop_user_data(self, user_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Memory is kept in step with the rows by writing every change; nothing to reload."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """See refresh_user_data."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """See refresh_user_data."""

    async def flush(self) -> None:
        """Every update is already committed; SQLite has nothing buffered."""

    async def forget_conversations_of(self, user_id: int) -> None:
        """Remove a person's conversation states (private chats: chat id = user id)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM ptb_conversations WHERE key = ? OR key = ?",
                (json.dumps([user_id]), json.dumps([user_id, user_id])),
            )

    async def _singleton(self, name: str) -> Any:
        row = await self._db.fetchone("SELECT data FROM ptb_singletons WHERE name = ?", (name,))
        return None if row is None else json.loads(row["data"])

    async def _upsert(self, table: str, key_column: str, key: object, data: object) -> None:
        # Table and column names come from this module only, never from input.
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO {table} ({key_column}, data) VALUES (?, ?)"
                f" ON CONFLICT ({key_column}) DO UPDATE SET data = excluded.data",
                (key, json.dumps(data)),
            )
