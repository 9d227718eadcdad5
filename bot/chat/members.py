"""A task force's member list, sent to a chat: as text while it fits a message, else as a CSV file.

Shared by /members in the private chat and /members in the task force's group (which
sends it privately: the list has e-mail addresses)."""

from __future__ import annotations

from io import BytesIO

from telegram import Bot

from bot.chat.context import Deps
from bot.i18n import Translate
from bot.services import facilitation, groups
from bot.views import facilitation as views
from bot.views.words import MESSAGE_LIMIT


async def send_members(bot: Bot, d: Deps, chat_id: int, actor: int, code: str, _: Translate) -> None:
    """Authority is checked here (a Refused goes up to the caller)."""
    members = await facilitation.members(d.db, actor, code, d.catalogue, d.settings.admins)
    group = await groups.of_taskforce(d.db, code)
    listing = views.members_text(_, code, members, d.catalogue, group)
    if len(listing) <= MESSAGE_LIMIT:
        await bot.send_message(chat_id, listing)
        return
    data = BytesIO(views.members_csv(_, members))
    await bot.send_document(
        chat_id, data, filename=f"taskforce-{code}-members.csv", caption=views.members_caption(_, code)
    )
