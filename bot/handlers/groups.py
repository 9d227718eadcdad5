"""Task forces' group chats: /link, /unlink, /members and /help there; join requests; the bot's own place.

In a group the bot answers only these commands (and a command addressed to it by name
with a pointer to the private chat); everything else said there is none of its business.
"""

from __future__ import annotations

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

from bot.chat.common import Context, Deps, Handler, deps, refuse, reply, tr, user_id
from bot.chat.members import send_members
from bot.chat.sender import GroupAction, GroupStep, OutboxKind, Rendered
from bot.i18n import SUPPORTED, Translate, translator
from bot.models import OutboxItem, RegistrationStatus
from bot.services import accounts, groups
from bot.services.errors import Refused
from bot.services.groups import BotRights
from bot.storage import outbox
from bot.views import groups as views
from bot.views import texts

OUTSIDE_PRIVATE = ~filters.ChatType.PRIVATE


async def link_command(update: Update, context: Context) -> None:
    """/link B3 [fr] in the group; /link B3 off in private (the Secretariat or the facilitator) undoes it."""
    chat = update.effective_chat
    try:
        if chat is not None and chat.type == ChatType.PRIVATE:
            await _unlink_from_private(update, context, context.args or [])
        else:
            await _link_here(update, context)
    except Refused as refused:
        await refuse(update, context, refused)
    if chat is None or chat.type != ChatType.PRIVATE:
        _stop_here()


async def _link_here(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
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
    await groups.check_link(d.db, user_id(update), d.settings.admins, code, chat.id, chat.type, rights, d.catalogue)
    name = f"Task Force {code}"
    invite = await context.bot.create_chat_invite_link(chat.id, name=name, creates_join_request=True)
    where, manner = (chat.id, chat.title or ""), (language, welcome)
    link = await groups.link(d.db, user_id(update), d.settings.admins, code, where, invite.invite_link, manner, d.now())
    await reply(update, views.linked(_, link, d.catalogue))


def _stop_here() -> None:
    """Handled in the group: nothing else looks at it."""
    raise ApplicationHandlerStop


async def _unlink_from_private(update: Update, context: Context, args: list[str]) -> None:
    d = deps(context)
    if len(args) != 2 or args[1].lower() != "off":
        raise Refused("link_in_group")
    code = args[0].upper()
    await groups.unlink(d.db, user_id(update), d.settings.admins, code, d.now())
    await reply(update, views.unlinked(tr(update, context), code))


async def _bot_rights(context: Context, chat_id: int) -> BotRights:
    member = await context.bot.get_chat_member(chat_id, context.bot.id)
    if isinstance(member, ChatMemberAdministrator):
        return BotRights(True, bool(member.can_invite_users), bool(member.can_restrict_members))
    return BotRights(False, False, False)


async def unlink_command(update: Update, context: Context) -> None:
    d = deps(context)
    chat = update.effective_chat
    try:
        found = await groups.of_chat(d.db, chat.id) if chat is not None else None
        if found is None or update.effective_user is None:
            raise Refused("not_linked")
        await groups.unlink(d.db, user_id(update), d.settings.admins, found.taskforce, d.now())
        await reply(update, views.unlinked(tr(update, context), found.taskforce))
    except Refused as refused:
        await refuse(update, context, refused)
    _stop_here()


async def members_in_group(update: Update, context: Context) -> None:
    """The list has e-mail addresses: it goes to the facilitator's private chat, never to the group."""
    d = deps(context)
    _ = tr(update, context)
    chat = update.effective_chat
    try:
        found = await groups.of_chat(d.db, chat.id) if chat is not None else None
        if found is None or update.effective_user is None:
            raise Refused("not_linked")
        await send_members(context.bot, d, user_id(update), user_id(update), found.taskforce, _)
        await reply(update, views.members_sent(_))
    except Refused as refused:
        await refuse(update, context, refused)
    except Forbidden:  # never started the bot: it cannot write first
        await reply(update, texts.private_only(_))
    _stop_here()


async def help_in_group(update: Update, context: Context) -> None:
    await reply(update, views.group_help(tr(update, context)))
    _stop_here()


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its link follows it."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        await groups.moved(deps(context).db, message.chat_id, message.migrate_to_chat_id)
    _stop_here()


async def join_request(update: Update, context: Context) -> None:
    request = update.chat_join_request
    if request is None:
        return
    d = deps(context)
    decided = await groups.decide_request(d.db, request.chat.id, request.from_user.id, request.date, d.now())
    if decided is not None:
        d.sender.wake()


async def bot_membership(update: Update, context: Context) -> None:
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
    d = deps(context)
    if await groups.broken(d.db, change.chat.id, reason, d.settings.admins, d.now()):
        d.sender.wake()


async def link_in_channel(update: Update, context: Context) -> None:
    """A channel is no task force's group: say so where it was asked."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.refusal(tr(update, context), Refused("link_in_group")))
    _stop_here()


def group_handlers() -> list[Handler]:
    """Before the catch-all of group chats (handler group -1)."""
    return [
        MessageHandler(filters.UpdateType.CHANNEL_POSTS & filters.Regex(r"^/link\b"), link_in_channel),
        CommandHandler("link", link_command, filters=OUTSIDE_PRIVATE),
        CommandHandler("unlink", unlink_command, filters=OUTSIDE_PRIVATE),
        CommandHandler("members", members_in_group, filters=OUTSIDE_PRIVATE),
        CommandHandler("help", help_in_group, filters=OUTSIDE_PRIVATE),
        MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
    ]


def handlers() -> list[Handler]:
    return [
        CommandHandler("link", link_command, filters=filters.ChatType.PRIVATE),
        ChatJoinRequestHandler(join_request),
        ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


async def _action(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    user = item.params.get("user")
    if not isinstance(user, int):
        return None  # scrubbed: already done
    return GroupAction(GroupStep(str(item.params.get("step"))), item.chat_id, user)


async def _scrub(d: Deps, item: OutboxItem) -> None:
    await outbox.scrub(d.db, item.id)


async def _welcome(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    """In the group's language, for someone still a member when it goes."""
    user, code = item.params.get("user"), str(item.params.get("code", ""))
    found = await groups.of_taskforce(d.db, code)
    person = await accounts.person(d.db, user) if isinstance(user, int) else None
    if found is None or person is None:
        return None
    held = [r for r in await accounts.registrations(d.db, person.telegram_id) if r.taskforce == code]
    active = [r for r in held if r.status is RegistrationStatus.ACTIVE]
    if not active:
        return None
    group_ = translator(found.language)
    place = active[0]  # a Representative is welcomed with the region of the place, not of the profile
    return views.welcome(group_, person.name, place.role, place.region_held or person.region, d.catalogue), None


async def _declined(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    return views.declined(_, str(item.params.get("code", "")), d.bot_username), None


async def _broken(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    return views.broken(_, str(item.params.get("code", ""))), None


OUTBOX_KINDS = (
    OutboxKind(groups.ACTION_KIND, _action, settled=_scrub, message=False),
    OutboxKind(groups.WELCOME_KIND, _welcome),
    OutboxKind(groups.DECLINED_KIND, _declined),
    OutboxKind(groups.BROKEN_KIND, _broken),
)
