"""Who has written to the bot: Telegram lets a bot write only to them, in the language they chose
(else their Telegram's), and until Telegram refuses to deliver, when bulk sends skip them."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import SUPPORTED, language_for
from bot.services.errors import Refused
from bot.storage import known_users
from bot.storage.database import Database


async def remember(
    db: Database, telegram_id: int, username: str | None, full_name: str, language: str | None, now: datetime
) -> None:
    """Record that this person has started the bot, so the bot may write to them."""
    async with db.transaction() as tx:
        await known_users.remember_user(tx, telegram_id, username, full_name, language, now)


async def language_of(db: Database, telegram_id: int) -> str:
    """The language to write to someone in: the one they chose, else their Telegram's."""
    known = await known_users.known_user(db, telegram_id)
    if known is not None and known.chosen_language:
        return known.chosen_language
    return language_for(known.language if known else None)


async def chosen_language(db: Database, telegram_id: int) -> str | None:
    known = await known_users.known_user(db, telegram_id)
    return known.chosen_language if known else None


async def choose_language(db: Database, telegram_id: int, full_name: str, language: str, now: datetime) -> None:
    if language not in SUPPORTED:
        raise Refused("stale")
    async with db.transaction() as tx:
        await known_users.choose_language(tx, telegram_id, full_name, language, now)


async def mark_unreachable(db: Database, telegram_id: int, now: datetime) -> None:
    """Telegram refused to deliver (blocked, deactivated): later bulk sends skip them until they write again."""
    await known_users.mark_unreachable(db, telegram_id, now)
