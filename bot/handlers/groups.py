"""Task forces' group chats: /link, /unlink, /members and /help there; join requests; the bot's own place.

In a group the bot answers only these commands (and a command addressed to it by name
with a pointer to the private chat); everything else said there is none of its business.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from telegram import ChatMemberAdministrator, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden
from telegram.ext import (
    ApplicationHandlerStop,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.chat.common import reply
from bot.chat.context import BotContext, Deps
from bot.chat.feature import Callback, Feature, Handler, command, polite
from bot.chat.members import send_members
from bot.chat.sender import GroupAction, OutboxKind, Rendered
from bot.i18n import SUPPORTED, Translate, translator
from bot.models import OutboxItem, RegistrationStatus
from bot.services import accounts, groups
from bot.services.errors import Refused
from bot.services.groups import Action, BotRights, OfTaskForce, Welcome
from bot.storage import outbox
from bot.views import groups as views
from bot.views import words

OUTSIDE_PRIVATE = ~filters.ChatType.PRIVATE


def handled_here(callback: Callback[Any]) -> Callback[None]:
    """In a group, the update is answered (a refusal politely) and nothing else looks at it: not the
    catch-all of group chats, not the recorder."""
    answered = polite(callback)

    @wraps(callback)
    async def then_stop(update: Update, context: BotContext) -> None:
        await answered(update, context)
        raise ApplicationHandlerStop

    return then_stop


async def link_here(update: Update, context: BotContext) -> None:
    """/link B3 [fr] [quiet] in the group: it becomes the task force's."""
    d, _ = context.deps, context.tr
    chat, args = update.effective_chat, context.args or []
    if chat is None or update.effective_user is None or chat.type == ChatType.CHANNEL:
        raise Refused("link_in_group")
    if not args:
        await reply(update, views.link_usage(_))
        return
    code, options = args[0].upper(), [arg.lower() for arg in args[1:]]
    language = next((option for option in options if option in SUPPORTED), "en")
    welcome = "quiet" not in options  # /link B3 fr quiet: no welcome message in the group
    rights = await _bot_rights(context, chat.id)
    person = context.person_id
    await groups.check_link(d.db, person, d.settings.admins, code, chat.id, chat.type, rights, d.catalogue)
    name = f"Task Force {code}"
    invite = await context.bot.create_chat_invite_link(chat.id, name=name, creates_join_request=True)
    where, manner = (chat.id, chat.title or ""), (language, welcome)
    link = await groups.link(d.db, person, d.settings.admins, code, where, invite.invite_link, manner, d.now())
    await reply(update, views.linked(_, link, d.catalogue))


async def unlink_from_private(update: Update, context: BotContext) -> None:
    """/link B3 off in private: the Secretariat or the facilitator undoes a link; any other /link there is
    told where to write it."""
    d, args = context.deps, context.args or []
    if len(args) != 2 or args[1].lower() != "off":
        raise Refused("link_in_group")
    code = args[0].upper()
    await groups.unlink(d.db, context.person_id, d.settings.admins, code, d.now())
    await reply(update, views.unlinked(context.tr, code))


async def _bot_rights(context: BotContext, chat_id: int) -> BotRights:
    member = await context.bot.get_chat_member(chat_id, context.bot.id)
    if isinstance(member, ChatMemberAdministrator):
        return BotRights(True, bool(member.can_invite_users), bool(member.can_restrict_members))
    return BotRights(False, False, False)


async def unlink_command(update: Update, context: BotContext) -> None:
    d = context.deps
    chat = update.effective_chat
    found = await groups.of_chat(d.db, chat.id) if chat is not None else None
    if found is None or update.effective_user is None:
        raise Refused("not_linked")
    await groups.unlink(d.db, context.person_id, d.settings.admins, found.taskforce, d.now())
    await reply(update, views.unlinked(context.tr, found.taskforce))


async def members_in_group(update: Update, context: BotContext) -> None:
    """The list has e-mail addresses: it goes to the facilitator's private chat, never to the group."""
    d, _ = context.deps, context.tr
    chat = update.effective_chat
    found = await groups.of_chat(d.db, chat.id) if chat is not None else None
    if found is None or update.effective_user is None:
        raise Refused("not_linked")
    try:
        await send_members(context.bot, d, context.person_id, context.person_id, found.taskforce, _)
        await reply(update, views.members_sent(_))
    except Forbidden:  # never started the bot: it cannot write first
        await reply(update, words.private_only(_))


async def help_in_group(update: Update, context: BotContext) -> None:
    await reply(update, views.group_help(context.tr))


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its link follows it."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        await groups.moved(context.deps.db, message.chat_id, message.migrate_to_chat_id)


async def join_request(update: Update, context: BotContext) -> None:
    request = update.chat_join_request
    if request is None:
        return
    d = context.deps
    decided = await groups.decide_request(d.db, request.chat.id, request.from_user.id, request.date, d.now())
    if decided is not None:
        d.sender.wake()


async def bot_membership(update: Update, context: BotContext) -> None:
    """Removed from a linked group, or stripped of the rights it needs: the link is broken, people told."""
    change = update.my_chat_member
    if change is None:
        return
    member = change.new_chat_member
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        reason = "removed"
    elif isinstance(member, ChatMemberAdministrator) and member.can_invite_users and member.can_restrict_members:
        return
    else:
        reason = "rights"
    d = context.deps
    if await groups.broken(d.db, change.chat.id, reason, d.settings.admins, d.now()):
        d.sender.wake()


async def link_in_channel(update: Update, context: BotContext) -> None:
    """A channel is no task force's group: say so where it was asked."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(context.refusal(Refused("link_in_group")))


def _in_groups() -> list[Handler]:
    """Handler group -1, before the catch-all of group chats: what the bot answers in a group."""
    return [
        MessageHandler(filters.UpdateType.CHANNEL_POSTS & filters.Regex(r"^/link\b"), handled_here(link_in_channel)),
        CommandHandler("link", handled_here(link_here), filters=OUTSIDE_PRIVATE),
        CommandHandler("unlink", handled_here(unlink_command), filters=OUTSIDE_PRIVATE),
        CommandHandler("members", handled_here(members_in_group), filters=OUTSIDE_PRIVATE),
        CommandHandler("help", handled_here(help_in_group), filters=OUTSIDE_PRIVATE),
        MessageHandler(filters.StatusUpdate.MIGRATE, handled_here(migrated)),
    ]


def _handlers() -> list[Handler]:
    return [
        command("link", unlink_from_private),
        ChatJoinRequestHandler(join_request),
        ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


async def _action(d: Deps, item: OutboxItem, action: Action, _: Translate) -> Rendered | None:
    return GroupAction(action.step, item.chat_id, action.user)


async def _scrub(d: Deps, item: OutboxItem) -> None:
    await outbox.scrub(d.db, item.id)


async def _welcome(d: Deps, item: OutboxItem, welcome: Welcome, _: Translate) -> Rendered | None:
    """In the group's language, for someone still a member when it goes."""
    code = welcome.code
    found = await groups.of_taskforce(d.db, code)
    person = await accounts.person(d.db, welcome.user) if welcome.user is not None else None
    if found is None or person is None:
        return None
    held = [r for r in await accounts.registrations(d.db, person.telegram_id) if r.taskforce == code]
    active = [r for r in held if r.status is RegistrationStatus.ACTIVE]
    if not active:
        return None
    group_ = translator(found.language)
    place = active[0]  # a Representative is welcomed with the region of the place, not of the profile
    return views.welcome(group_, person.name, place.role, place.region_held or person.region, d.catalogue), None


async def _declined(d: Deps, item: OutboxItem, declined: OfTaskForce, _: Translate) -> Rendered | None:
    return views.declined(_, declined.code, d.bot_username), None


async def _broken(d: Deps, item: OutboxItem, broken: OfTaskForce, _: Translate) -> Rendered | None:
    return views.broken(_, broken.code), None


FEATURE = Feature(
    name="groups",
    handlers=_handlers,
    early=lambda deps: _in_groups(),
    refusals=views.groups_refusals,
    outbox_kinds=(
        OutboxKind(groups.ACTION_KIND, _action, Action, settled=_scrub, message=False),
        OutboxKind(groups.WELCOME_KIND, _welcome, Welcome),
        OutboxKind(groups.DECLINED_KIND, _declined, OfTaskForce),
        OutboxKind(groups.BROKEN_KIND, _broken, OfTaskForce),
    ),
)
