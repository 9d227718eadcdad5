"""Admins assign facilitators; facilitators and admins decide, list members, see the balance."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.chat.common import Context, Deps, Handler, deps, refuse, reply_for_sure, send, tr, user_id
from bot.chat.decisions import decide
from bot.chat.members import send_members
from bot.chat.menus import update_menu
from bot.chat.sender import OutboxKind, Rendered, Renderer
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import facilitation, notices
from bot.services.errors import Refused
from bot.services.facilitation import Verdict
from bot.services.notices import application
from bot.views import notices as views
from bot.views.callbacks import decode

PRIVATE = filters.ChatType.PRIVATE


async def _is_admin(update: Update, context: Context) -> bool:
    """Admin commands from anyone else are refused before their usage is explained (the service checks again)."""
    try:
        facilitation.require_admin(user_id(update), deps(context).settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return False
    return True


async def facilitator_command(update: Update, context: Context) -> None:
    if not await _is_admin(update, context):
        return
    d = deps(context)
    _ = tr(update, context)
    args = context.args or []
    removing = len(args) == 3 and args[0].lower() == "remove"
    if len(args) != 2 and not removing:
        await send(update, views.facilitator_usage(_))
        return
    who, code = args[-2], args[-1].upper()
    admins = d.settings.admins
    try:
        if removing:
            person = await facilitation.unassign(d.db, user_id(update), who, code, admins, d.now())
            changed = True
        else:
            assigned = await facilitation.assign(d.db, user_id(update), who, code, d.catalogue, admins, d.now())
            person, changed = assigned.person, assigned.added
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await update_menu(context, person.telegram_id)
    await send(update, views.facilitator_changed(_, person, code, removing, changed))
    d.sender.wake()


async def withdraw_command(update: Update, context: Context) -> None:
    if not await _is_admin(update, context):
        return
    d = deps(context)
    _ = tr(update, context)
    args = context.args or []
    if len(args) != 2:
        await send(update, views.withdraw_usage(_))
        return
    try:
        person = await facilitation.withdraw(
            d.db, user_id(update), args[0], args[1].upper(), d.settings.admins, d.now()
        )
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await send(update, views.withdrew(_, person, args[1].upper()))
    d.sender.wake()


async def facilitators_command(update: Update, context: Context) -> None:
    if not await _is_admin(update, context):
        return
    d = deps(context)
    args = context.args or []
    code = args[0].upper() if args else None
    try:
        pairs = await facilitation.facilitator_list(d.db, user_id(update), code, d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await send(update, views.facilitator_list(tr(update, context), pairs, d.catalogue))


async def pending_command(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    try:
        waiting = await facilitation.pending_for(d.db, user_id(update), d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return
    if not waiting:
        await send(update, views.nothing_pending(_))
        return
    for registration in waiting:
        facts = await application(d.db, registration.id)
        if facts is None:
            continue
        message = await update.effective_chat.send_message(  # type: ignore[union-attr]
            views.prompt(_, facts, d.catalogue), reply_markup=views.prompt_keyboard(_, registration.id)
        )
        await notices.remember_prompt(d.db, registration.id, message.chat_id, message.message_id)


async def members_command(update: Update, context: Context) -> None:
    d = deps(context)
    code = await _code_asked(update, context)
    if code is None or update.effective_chat is None:
        return
    try:
        await send_members(context.bot, d, update.effective_chat.id, user_id(update), code, tr(update, context))
    except Refused as refused:
        await refuse(update, context, refused)


async def balance_command(update: Update, context: Context) -> None:
    d = deps(context)
    code = await _code_asked(update, context)
    if code is None:
        return
    try:
        balance = await facilitation.balance(d.db, user_id(update), code, d.catalogue, d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await send(update, views.balance_text(tr(update, context), code, balance, d.catalogue))


async def _code_asked(update: Update, context: Context) -> str | None:
    """The task force code after /members or /balance; without one, how to write it."""
    args = context.args or []
    if not args:
        await send(update, views.members_usage(tr(update, context)))
        return None
    return args[0].upper()


async def decision_press(update: Update, context: Context) -> None:
    """Approve, or not a member: decided at once. (Reject asks for a reason in the flow.)"""
    press = decode(update.callback_query.data if update.callback_query else None)
    if press is None:
        await refuse(update, context, Refused("stale"))
        return
    if press.action == "stay":
        await stay(update, context, int(press.arg))
        return
    await decide(update, context, int(press.arg), Verdict(press.action), None)


async def stay(update: Update, context: Context, registration_id: int) -> None:
    d = deps(context)
    try:
        code = await facilitation.stay_as_member(d.db, user_id(update), registration_id, d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await reply_for_sure(update, context, views.stayed(tr(update, context), code))


def handlers() -> list[Handler]:
    return [
        CommandHandler("facilitator", facilitator_command, filters=PRIVATE),
        CommandHandler("facilitators", facilitators_command, filters=PRIVATE),
        CommandHandler("withdraw", withdraw_command, filters=PRIVATE),
        CommandHandler("pending", pending_command, filters=PRIVATE),
        CommandHandler("members", members_command, filters=PRIVATE),
        CommandHandler("balance", balance_command, filters=PRIVATE),
        CallbackQueryHandler(decision_press, pattern=r"^ap:(ok|nm|stay):[0-9]+$"),
    ]


# ---------------------------------------------------------------- outbox kinds and periodic jobs


async def _welcome(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    codes = await notices.facilitated_by(d.db, item.chat_id)
    return (views.facilitator_welcome(_, codes, d.catalogue), None) if codes else None


async def _facilitator_removed(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    return views.facilitator_removed(_, str(item.params.get("code", ""))), None


async def _digest(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    code = str(item.params.get("code", ""))
    ids = [int(i) for i in item.params.get("ids", [])]  # type: ignore[attr-defined]
    people = await notices.people(d.db, ids)
    left = int(str(item.params.get("left", 0)))
    return (views.digest(_, code, people, left, d.catalogue), None) if people or left else None


async def _prompt_forgotten(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    return views.prompt_forgotten(_), None


async def _withdrawn(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    facts = await application(d.db, item.registration_id or 0)
    return None if facts is None else (views.withdrawn(_, facts, d.catalogue), None)


async def _decision(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    """The applicant learns the outcome; after a rejection, a button to stay as Team Member."""
    facts = await application(d.db, item.registration_id or 0)
    if facts is None:
        return None
    code = facts.registration.taskforce
    stay = facts.verdict == "rejected" and not any(r.taskforce == code for r in facts.others)
    return views.decision(_, facts, d.catalogue), views.stay_keyboard(_, facts.registration.id) if stay else None


def _prompt_kind(name: str) -> Renderer:
    """A prompt (new, reminded, escalated, or edited to show the outcome): buttons while it is pending."""

    async def render(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
        facts = await application(d.db, item.registration_id or 0)
        if facts is None:
            return None
        pending = facts.verdict == "pending"
        text = views.prompt(_, facts, d.catalogue, name)
        return text, views.prompt_keyboard(_, facts.registration.id) if pending else None

    return render


async def _remember_prompt(d: Deps, item: OutboxItem, message_id: int) -> None:
    if item.registration_id is not None:
        await notices.remember_prompt(d.db, item.registration_id, item.chat_id, message_id)


async def _remind_pending(d: Deps) -> None:
    await facilitation.remind_pending(d.db, d.settings.admins, d.now())


async def _queue_digest(d: Deps) -> None:
    await facilitation.queue_digest(d.db, d.settings.digest_hour, d.now())


OUTBOX_KINDS = (
    OutboxKind("facilitator_welcome", _welcome),
    OutboxKind("facilitator_removed", _facilitator_removed),
    OutboxKind("digest", _digest),
    OutboxKind("prompt_forgotten", _prompt_forgotten),
    OutboxKind("withdrawn_by_admin", _withdrawn),
    OutboxKind("decision", _decision),
    *(
        OutboxKind(name, _prompt_kind(name), _remember_prompt)
        for name in ("approval_prompt", "decision_reminder", "decision_escalation")
    ),
    OutboxKind("prompt_decided", _prompt_kind("prompt_decided")),
)
PERIODIC_JOBS = (_remind_pending, _queue_digest)
