"""Admins assign facilitators; facilitators and admins decide (a rejection asks for its reason in the
conversation), list members, see the balance."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.common import acknowledge, refuse, reply_for_sure, save_user_data, send, words_expected
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.chat.members import send_members
from bot.chat.menus import update_menu
from bot.chat.sender import OutboxKind, Rendered, Renderer
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import authority, facilitation, groups
from bot.services.applications import application
from bot.services.errors import Refused
from bot.services.facilitation import Digest, Facilitated, Verdict, WithdrawnNotice
from bot.services.fields import REASON_LIMIT, clean_text
from bot.views import facilitation as views
from bot.views.facilitation import ApplicationChoice, ApplicationPress, WithdrawPress

# The prompt's buttons that decide at once, as the service's verdicts: the one place a button's choice
# becomes a Verdict. Reject ("no") asks for a reason first, and decides with Verdict.REJECT.
VERDICTS: dict[ApplicationChoice, Verdict] = {"ok": Verdict.APPROVE, "nm": Verdict.NOT_MEMBER}
# A rejection's reason awaited: the conversation's state, and the registration in the user data.
REASON, REJECTING_KEY = "reason", "rejecting"
# The same for the reason of a withdrawal by the Secretariat.
WITHDRAW_REASON, WITHDRAWING_KEY = "withdraw_reason", "withdrawing"


async def facilitator_command(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    # Refused before the usage is explained to someone who may not use it (the service checks again).
    authority.require_admin(context.person_id, d.settings.admins)
    args = context.args or []
    removing = len(args) == 3 and args[0].lower() == "remove"
    if len(args) != 2 and not removing:
        await send(update, views.facilitator_usage(_))
        return
    who, code = args[-2], args[-1].upper()
    admins = d.settings.admins
    if removing:
        person = await facilitation.unassign(d.db, context.person_id, who, code, admins, d.now())
        changed = True
    else:
        assigned = await facilitation.assign(d.db, context.person_id, who, code, d.catalogue, admins, d.now())
        person, changed = assigned.person, assigned.added
    await update_menu(context, person.telegram_id)
    await send(update, views.facilitator_changed(_, person, code, removing, changed))
    d.sender.wake()


async def withdraw_command(update: Update, context: BotContext) -> None:
    """Asks first: whom, in which place; Withdraw asks for the reason the person reads."""
    d, _ = context.deps, context.tr
    authority.require_admin(context.person_id, d.settings.admins)  # before the usage, as /facilitator
    args = context.args or []
    if len(args) != 2:
        await send(update, views.withdraw_usage(_))
        return
    target = await facilitation.withdrawal(d.db, context.person_id, args[0], args[1].upper(), d.settings.admins)
    await send(update, *views.withdraw_question(_, target, d.catalogue))


async def withdraw_confirmed(update: Update, context: BotContext) -> str:
    """Withdraw pressed: the reason is asked (the place and who presses are checked now, and again when
    withdrawing). A refusal leaves whatever flow the admin was in as it was."""
    d = context.deps
    registration_id = context.press(WithdrawPress).registration
    target = await facilitation.open_withdrawal(d.db, context.person_id, registration_id, d.settings.admins)
    end_flows(context.user_data)
    assert context.user_data is not None
    context.user_data[WITHDRAWING_KEY] = registration_id
    await save_user_data(update, context)
    await send(update, *views.withdraw_reason_question(context.tr, target))
    return WITHDRAW_REASON


async def withdraw_declined(update: Update, context: BotContext) -> int | None:
    """Cancel: the place stays. It ends the reason's question when it is about this place, else no flow."""
    d = context.deps
    registration_id = context.press(WithdrawPress).registration
    target = await facilitation.open_withdrawal(d.db, context.person_id, registration_id, d.settings.admins)
    asking = (context.user_data or {}).get(WITHDRAWING_KEY) == registration_id
    if asking:
        end_flows(context.user_data)
        await save_user_data(update, context)
    await send(update, views.withdraw_kept(context.tr, target))
    return ConversationHandler.END if asking else None


async def withdraw_reason_given(update: Update, context: BotContext) -> int:
    """The reason typed; too long or empty is refused and asked again (the state stays)."""
    reason = clean_text(update.message.text if update.message and update.message.text else "", REASON_LIMIT)
    return await _withdrawn(update, context, int((context.user_data or {}).get(WITHDRAWING_KEY) or 0), reason)


async def withdraw_reason_skipped(update: Update, context: BotContext) -> int:
    return await _withdrawn(update, context, context.press(WithdrawPress).registration, None)


async def _withdrawn(update: Update, context: BotContext, registration_id: int, reason: str | None) -> int:
    """The reason's question is over whether or not the place is withdrawn (left meanwhile, no longer allowed)."""
    d = context.deps
    end_flows(context.user_data)
    try:
        target = await facilitation.withdraw(
            d.db, context.person_id, registration_id, reason, d.settings.admins, d.now()
        )
    except Refused as refused:
        await refuse(update, context, refused)
        return ConversationHandler.END
    await reply_for_sure(update, context, views.withdrew(context.tr, target))
    d.sender.wake()
    return ConversationHandler.END


async def facilitators_command(update: Update, context: BotContext) -> None:
    d = context.deps
    authority.require_admin(context.person_id, d.settings.admins)
    args = context.args or []
    code = args[0].upper() if args else None
    pairs = await facilitation.facilitator_list(d.db, context.person_id, code, d.settings.admins)
    await send(update, views.facilitator_list(context.tr, pairs, d.catalogue))


async def pending_command(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    waiting = await facilitation.pending_for(d.db, context.person_id, d.settings.admins)
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
        await facilitation.remember_prompt(d.db, registration.id, message.chat_id, message.message_id)


async def members_command(update: Update, context: BotContext) -> None:
    code = await _code_asked(update, context)
    if code is None or update.effective_chat is None:
        return
    await send_members(context.bot, context.deps, update.effective_chat.id, context.person_id, code, context.tr)


async def balance_command(update: Update, context: BotContext) -> None:
    d = context.deps
    code = await _code_asked(update, context)
    if code is None:
        return
    balance = await facilitation.balance(d.db, context.person_id, code, d.catalogue, d.settings.admins)
    await send(update, views.balance_text(context.tr, code, balance, d.catalogue))


async def _code_asked(update: Update, context: BotContext) -> str | None:
    """The task force code after /members or /balance; without one, how to write it."""
    args = context.args or []
    if not args:
        await send(update, views.members_usage(context.tr))
        return None
    return args[0].upper()


# ---------------------------------------------------------------- deciding


async def decide(
    update: Update, context: BotContext, registration_id: int, verdict: Verdict, reason: str | None
) -> None:
    """Record the decision (the service re-checks authority); the applicant and prompts are told by the sender."""
    d = context.deps
    await facilitation.decide(d.db, context.person_id, registration_id, verdict, reason, d.settings.admins, d.now())
    text = views.decided(context.tr, verdict)
    await acknowledge(update, text)
    d.sender.wake()


async def decision_pressed(update: Update, context: BotContext) -> None:
    """Approve, or not a member: decided at once."""
    press = context.press(ApplicationPress)
    await decide(update, context, press.registration, VERDICTS[press.choice], None)


async def stay_pressed(update: Update, context: BotContext) -> None:
    """The rejected applicant stays in the task force as a Team Member."""
    d = context.deps
    registration_id = context.press(ApplicationPress).registration
    code = await facilitation.stay_as_member(d.db, context.person_id, registration_id, d.now())
    await reply_for_sure(update, context, views.stayed(context.tr, code))


async def reject_pressed(update: Update, context: BotContext) -> str | int:
    """Reject asks for a reason first; authority is checked now and again when it is given."""
    d = context.deps
    try:
        registration_id = context.press(ApplicationPress).registration
        registration = await facilitation.open_application(d.db, context.person_id, registration_id, d.settings.admins)
    except Refused as refused:  # unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, refused)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[REJECTING_KEY] = registration.id
    text, markup = views.ask_reason(context.tr, registration.id)
    await save_user_data(update, context)
    await send(update, text, markup)
    return REASON


async def reason_given(update: Update, context: BotContext) -> int:
    """The reason typed; too long or empty is refused and asked again (the state stays)."""
    text = update.message.text if update.message and update.message.text else ""
    reason = clean_text(text, REASON_LIMIT)
    registration_id = (context.user_data or {}).get(REJECTING_KEY)
    return await _rejected(update, context, int(registration_id or 0), reason)


async def reason_skipped(update: Update, context: BotContext) -> int:
    return await _rejected(update, context, context.press(ApplicationPress).registration, None)


async def _rejected(update: Update, context: BotContext, registration_id: int, reason: str | None) -> int:
    """The reason flow is over whether or not the rejection is taken (decided meanwhile, no longer allowed)."""
    end_flows(context.user_data)
    try:
        await decide(update, context, registration_id, Verdict.REJECT, reason)
    except Refused as refused:
        await refuse(update, context, refused)
    return ConversationHandler.END


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[
            button(ApplicationPress.when(choice="no"), reject_pressed),
            button(WithdrawPress.when(choice="go"), withdraw_confirmed),
            button(WithdrawPress.when(choice="no"), withdraw_declined),
        ],
        states={
            REASON: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, reason_given),
                button(ApplicationPress.when(choice="skip"), reason_skipped),
                message(PRIVATE & ~filters.COMMAND, words_expected(views.reason_as_text)),
            ],
            WITHDRAW_REASON: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, withdraw_reason_given),
                button(WithdrawPress.when(choice="skip"), withdraw_reason_skipped),
                message(PRIVATE & ~filters.COMMAND, words_expected(views.reason_as_text)),
            ],
        },
    )


def _handlers() -> list[Handler]:
    return [
        command("facilitator", facilitator_command),
        command("facilitators", facilitators_command),
        command("withdraw", withdraw_command),
        command("pending", pending_command),
        command("members", members_command),
        command("balance", balance_command),
        button(ApplicationPress.when(choice=tuple(VERDICTS)), decision_pressed),
        button(ApplicationPress.when(choice="stay"), stay_pressed),
    ]


# ---------------------------------------------------------------- outbox kinds and periodic jobs


async def _welcome(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
    codes = await facilitation.facilitated_by(d.db, item.chat_id)
    return (views.facilitator_welcome(_, codes, d.catalogue), None) if codes else None


async def _facilitator_added(d: Deps, item: OutboxItem, added: Facilitated, _: Translate) -> Rendered | None:
    """Nothing when they no longer facilitate it by the time it goes."""
    codes = await facilitation.facilitated_by(d.db, item.chat_id)
    return (views.facilitator_added(_, added.code, d.catalogue), None) if added.code in codes else None


async def _facilitator_removed(d: Deps, item: OutboxItem, removed: Facilitated, _: Translate) -> Rendered | None:
    return views.facilitator_removed(_, removed.code), None


async def _digest(d: Deps, item: OutboxItem, digest: Digest, _: Translate) -> Rendered | None:
    """Nothing when everyone it named has deleted their data since."""
    found = views.Digested(
        await facilitation.people(d.db, digest.ids),
        await facilitation.people(d.db, digest.leavers),
        await facilitation.people(d.db, digest.withdrawn),
        digest.unfacilitated,
        grouped=await groups.of_taskforce(d.db, digest.code) is not None,
    )
    return (views.digest(_, digest.code, found, d.catalogue), None) if found.anyone else None


async def _prompt_forgotten(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
    return views.prompt_forgotten(_), None


async def _withdrawn_notice(d: Deps, item: OutboxItem, notice: WithdrawnNotice, _: Translate) -> Rendered | None:
    facts = await application(d.db, item.registration_id or 0)
    return None if facts is None else (views.withdrawn(_, facts, d.catalogue, notice.reason), None)


async def _decision(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
    """The applicant learns the outcome; after a rejection, a button to stay as Team Member."""
    facts = await application(d.db, item.registration_id or 0)
    if facts is None:
        return None
    code = facts.registration.taskforce
    stay = facts.verdict == "rejected" and not any(r.taskforce == code for r in facts.others)
    return views.decision(_, facts, d.catalogue), views.stay_keyboard(_, facts.registration.id) if stay else None


def _prompt_kind(name: str) -> Renderer[Deps, None]:
    """A prompt (new, reminded, escalated, or edited to show the outcome): buttons while it is pending."""

    async def render(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
        facts = await application(d.db, item.registration_id or 0)
        if facts is None:
            return None
        pending = facts.verdict == "pending"
        text = views.prompt(_, facts, d.catalogue, name)
        return text, views.prompt_keyboard(_, facts.registration.id) if pending else None

    return render


async def _remember_prompt(d: Deps, item: OutboxItem, payload: None, message_id: int) -> None:
    if item.registration_id is not None:
        await facilitation.remember_prompt(d.db, item.registration_id, item.chat_id, message_id)


async def _remind_pending(d: Deps) -> None:
    await facilitation.remind_pending(d.db, d.settings.admins, d.now())


async def _queue_digest(d: Deps) -> None:
    await facilitation.queue_digest(d.db, d.settings.digest_hour, d.settings.admins, d.now())


FEATURE = Feature(
    name="facilitation",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.facilitation_commands,
    refusals=views.facilitation_refusals,
    outbox_kinds=(
        OutboxKind(facilitation.FACILITATOR_WELCOME, _welcome),
        OutboxKind(facilitation.FACILITATOR_ADDED, _facilitator_added, Facilitated),
        OutboxKind(facilitation.FACILITATOR_REMOVED, _facilitator_removed, Facilitated),
        OutboxKind(facilitation.DIGEST, _digest, Digest),
        OutboxKind("prompt_forgotten", _prompt_forgotten),
        OutboxKind(facilitation.WITHDRAWN, _withdrawn_notice, WithdrawnNotice),
        OutboxKind("decision", _decision),
        *(
            OutboxKind(name, _prompt_kind(name), after_send=_remember_prompt)
            for name in ("approval_prompt", "decision_reminder", "decision_escalation")
        ),
        OutboxKind("prompt_decided", _prompt_kind("prompt_decided")),
    ),
    jobs=(_remind_pending, _queue_digest),
)
