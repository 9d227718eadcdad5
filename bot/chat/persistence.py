"""python-telegram-bot persistence kept in the bot's own SQLite database.

The data is stored as JSON text. Conversation keys are tuples of ints, encoded as
JSON arrays, the way PTB's DictPersistence does. The type aliases below restate
PTB's own (which live in a private module) so that nothing here depends on it.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.storage import ptb_rows
from bot.storage.database import Database
from bot.storage.ptb_rows import KeyedTable

ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SQLitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Stores user, chat and bot data, callback data and conversation states as rows."""

    def __init__(self, database: Database, store_data: PersistenceInput | None = None) -> None:
        super().__init__(store_data=store_data or PersistenceInput())
        self._db = database
        # What each row holds now, so that re-writing identical data costs nothing:
        # PTB hands over every touched entry, changed or not, at each flush.
        self._stored: dict[tuple[str, str], str] = {}

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_keyed("ptb_user_data")

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_keyed("ptb_chat_data")

    async def get_bot_data(self) -> dict[str, Any]:
        return await self._singleton("bot_data") or {}

    async def get_callback_data(self) -> CDCData | None:
        stored = await self._singleton("callback_data")
        if stored is None:
            return None
        entries, mapping = stored
        return [(key, float(stamp), data) for key, stamp, data in entries], mapping

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await ptb_rows.load_conversations(self._db, name)
        self._stored.update({(f"conversation:{name}", key): state for key, state in rows})
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        row_key, state = json.dumps(list(key)), None if new_state is None else json.dumps(new_state)
        if self._unchanged(f"conversation:{name}", row_key, state):
            return
        await ptb_rows.store_conversation(self._db, name, row_key, state)
        self._remember(f"conversation:{name}", row_key, state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._upsert("ptb_user_data", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        await self._upsert("ptb_chat_data", chat_id, data)

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        await self._upsert("ptb_singletons", "bot_data", data)

    async def update_callback_data(self, data: CDCData) -> None:
        await self._upsert("ptb_singletons", "callback_data", data)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._upsert("ptb_chat_data", chat_id, {})

    async def drop_user_data(self, user_id: int) -> None:
        await self._upsert("ptb_user_data", user_id, {})

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Memory is kept in step with the rows by writing every change; nothing to reload."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """See refresh_user_data."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """See refresh_user_data."""

    async def flush(self) -> None:
        """Every update is already committed; SQLite has nothing buffered."""

    async def _load_keyed(self, table: KeyedTable) -> dict[int, dict[str, Any]]:
        rows = await ptb_rows.load(self._db, table)
        self._stored.update({(table, key): text for key, text in rows})
        return {int(key): json.loads(text) for key, text in rows}

    async def _singleton(self, name: str) -> Any:
        text = await ptb_rows.load_one(self._db, "ptb_singletons", name)
        return None if text is None else json.loads(text)

    def _unchanged(self, table: str, key: str, text: str | None) -> bool:
        """True if the row already holds `text` (None: there is no row)."""
        return self._stored.get((table, key)) == text

    def _remember(self, table: str, key: str, text: str | None) -> None:
        """Called once the write committed."""
        if text is None:
            self._stored.pop((table, key), None)
        else:
            self._stored[(table, key)] = text

    async def _upsert(self, table: KeyedTable, key: object, data: object) -> None:
        """Write the row; empty data is no row, so a dropped or emptied entry leaves nothing."""
        text = json.dumps(data) if data else None
        if self._unchanged(table, str(key), text):
            return
        await ptb_rows.store(self._db, table, key, text)
        self._remember(table, str(key), text)
