"""Command menus: everyone's per language, and per chat for facilitators and admins."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.chat.common import Context, deps
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.services import authority, contacts
from bot.views import texts


async def set_menu(
    bot: Bot, language: str, chat_id: int | None = None, facilitator: bool = False, admin: bool = False
) -> None:
    _ = translator(language)
    commands = [BotCommand(name, text) for name, text in texts.command_menu(_, facilitator, admin)]
    if chat_id is not None:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    else:  # English is also the menu of any other language
        await bot.set_my_commands(commands, language_code=None if language == DEFAULT_LANGUAGE else language)


async def update_menu(context: Context, telegram_id: int) -> None:
    """After someone's role or language changed."""
    d = deps(context)
    facilitates, admin = await authority.roles_of(d.db, telegram_id, d.settings.admins)
    if facilitates or admin:
        await set_menu(context.bot, await contacts.language_of(d.db, telegram_id), telegram_id, facilitates, admin)
    else:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
