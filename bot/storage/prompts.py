"""Messages that carry decision buttons, so that a decision edits every one of them."""

from __future__ import annotations

from bot.storage.database import Reader, Transaction


async def add_prompt(tx: Transaction, registration_id: int, chat_id: int, message_id: int) -> None:
    await tx.execute(
        "INSERT INTO prompts (registration_id, chat_id, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (registration_id, chat_id, message_id),
    )


async def prompts_of(db: Reader, registration_id: int) -> list[tuple[int, int]]:
    rows = await db.fetchall("SELECT chat_id, message_id FROM prompts WHERE registration_id = ?", (registration_id,))
    return [(int(row["chat_id"]), int(row["message_id"])) for row in rows]


async def forget_prompts(tx: Transaction, chat_id: int) -> None:
    await tx.execute("DELETE FROM prompts WHERE chat_id = ?", (chat_id,))
