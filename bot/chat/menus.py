"""Command menus: everyone's per language, and per chat for facilitators and admins."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.chat.context import BotContext, Deps
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.services import authority, contacts
from bot.views.commands import CommandAudience, menu


async def set_menu(
    bot: Bot,
    deps: Deps,
    language: str,
    chat_id: int | None = None,
    audience: CommandAudience = CommandAudience.EVERYONE,
) -> None:
    _ = translator(language)
    declared = [command for feature in deps.features for command in feature.commands(_)]
    commands = [BotCommand(name, text) for name, text in menu(declared, audience)]
    if chat_id is not None:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    else:  # English is also the menu of any other language
        await bot.set_my_commands(commands, language_code=None if language == DEFAULT_LANGUAGE else language)


async def audience_of(deps: Deps, telegram_id: int) -> CommandAudience:
    """Which commands this person is shown: the Secretariat's, a facilitator's, or everyone's."""
    facilitates, admin = await authority.roles_of(deps.db, telegram_id, deps.settings.admins)
    return (
        CommandAudience.ADMINS if admin else CommandAudience.FACILITATORS if facilitates else CommandAudience.EVERYONE
    )


async def update_menu(context: BotContext, telegram_id: int) -> None:
    """After someone's role or language changed."""
    d = context.deps
    audience = await audience_of(d, telegram_id)
    if audience is CommandAudience.EVERYONE:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    else:
        await set_menu(context.bot, d, await contacts.language_of(d.db, telegram_id), telegram_id, audience)
