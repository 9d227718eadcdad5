"""Joining task forces: /join, a `/start join_…` link, the join buttons, and the JOINING state of the conversation.

A join is a part of the one persistent conversation, so that starting it ends any other flow
and a restart finds the person at the question they were answering.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.calls import drop_buttons
from bot.chat.common import refuse, reply, reply_for_sure, save_user_data, send
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, button, command, message
from bot.chat.keys import DRAFT_KEY, end_flows
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import SUPPORTED, Translate, translator
from bot.models import OutboxItem
from bot.services import accounts, joining, reminders
from bot.services.errors import Refused
from bot.services.joining import JoinDraft
from bot.views import facilitation as facilitation_views
from bot.views import joining as views
from bot.views.buttons import typed_choice
from bot.views.callbacks import Buttons, any_of, unpack_any
from bot.views.joining import (
    JOIN_STEPS,
    JoinBack,
    JoinCancel,
    JoinChoice,
    JoinConfirm,
    JoinDone,
    JoinEdit,
    JoinFrom,
    JoinGoal,
    JoinKeep,
    JoinOver,
    JoinPick,
    JoinResume,
    JoinRole,
    JoinTargets,
    JoinToggle,
)

TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
JOINING = "joining"  # the conversation's state while a join is open; its draft is under DRAFT_KEY


def _draft(context: BotContext) -> JoinDraft | None:
    raw = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return None if raw is None else JoinDraft.model_validate(raw)


def _keep(context: BotContext, draft: JoinDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT_KEY] = draft.model_dump(mode="json")


async def show_step(
    update: Update, context: BotContext, draft: JoinDraft, *, new_message: bool = False, notice: str = ""
) -> str:
    """Ask whatever the draft still lacks; every answer ends here, saved before it is sent.

    The messages that answer the question are saved with it before it goes out, so that a press on it
    always counts, however soon it comes; copies of a question that did not change all count.
    """
    query = update.callback_query
    edited = query.message.message_id if query is not None and query.message is not None and not new_message else None
    shown_in = update.effective_message
    joining.asking(draft, edited, shown_in.message_id + 1 if shown_in is not None else 0)
    _keep(context, draft)
    await save_user_data(update, context)
    d, _ = context.deps, context.tr
    step = joining.next_step(draft)
    offer = await joining.role_offer(d.db, draft, step, d.catalogue)
    text = views.step_question(_, step, draft, d.catalogue, d.settings.max_taskforces, offer)
    text = f"{notice}\n\n{text}" if notice else text
    markup = views.step_keyboard(_, step, draft, d.catalogue, offer)
    shown = await (send if new_message else reply)(update, text, markup)
    if edited is None and shown is not None:  # a new message: its exact id, kept when the update ends
        joining.asked(draft, shown)
        _keep(context, draft)
    return JOINING


async def start_joining(
    update: Update, context: BotContext, code: str | None, *, over: bool = False, below: bool = False
) -> str | int:
    """A new join; in the middle of one, first ask whether to carry on with it or start over."""
    d, person_id = context.deps, context.person_id
    ongoing = _draft(context)
    if ongoing is not None and not over and (ongoing.selected or ongoing.selection_done):
        _ = context.tr
        await send(update, views.join_in_progress(_, ongoing.selected), views.carry_on_or_start_over_keyboard(_, code))
        return JOINING
    person = await accounts.person(d.db, person_id)
    held = [r for r in await accounts.registrations(d.db, person_id) if r.status.holds_place]
    user = update.effective_user
    draft = joining.new_draft(person, user.full_name if user else "", held)
    try:
        if code is not None:
            joining.preselect(draft, code.upper(), d.catalogue, d.settings.max_taskforces)
        else:
            joining.check_cap(len(held), 0, d.settings.max_taskforces, adding=1)
    except Refused as refused:  # unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, refused)
        return ConversationHandler.END
    end_flows(context.user_data)
    await joining.begin(d.db, person_id, d.now(), timedelta(hours=d.settings.reminder_hours))
    # A button's message is edited into the first question, unless it is kept (below=True).
    return await show_step(update, context, draft, new_message=update.callback_query is None or below)


async def join_command(update: Update, context: BotContext) -> str | int:
    args = context.args or []
    return await start_joining(update, context, args[0] if args else None)


async def start_deep_link(update: Update, context: BotContext) -> str | int:
    payload = (context.args or [""])[0]
    return await start_joining(update, context, payload.removeprefix("join_"))


async def join_button(update: Update, context: BotContext) -> str | int:
    code = context.press(JoinFrom).code
    # Join under an objective's page keeps the page (its targets) in the chat and goes on below.
    return await start_joining(update, context, code, below=code is not None)


async def start_over(update: Update, context: BotContext) -> str | int:
    return await start_joining(update, context, context.press(JoinOver).code, over=True)


async def resume(update: Update, context: BotContext) -> str | int:
    draft = _draft(context)
    if draft is None:
        await send(update, views.no_flow(context.tr))
        return ConversationHandler.END
    return await show_step(update, context, draft, new_message=True)


async def joining_press(update: Update, context: BotContext) -> str | int:
    """Every button that answers the open question of a join (`JOIN_STEPS`)."""
    draft = _draft(context)
    if draft is None:  # the draft is gone (forgotten, or lost): the conversation ends with it
        await refuse(update, context, Refused("stale"))
        return ConversationHandler.END
    press = context.press(Buttons)
    shown_in = update.callback_query.message if update.callback_query else None
    if shown_in is None or not joining.is_current(draft, shown_in.message_id):
        return await show_current_step(update, context, draft)
    return await apply_press(update, context, draft, press)


async def apply_press(update: Update, context: BotContext, draft: JoinDraft, press: Buttons) -> str | int:
    """A press on the current question, or its label typed. Any other refusal than a stale one is said
    politely (by the wrapper) and the question stays as it is."""
    d = context.deps
    try:
        match press:
            case JoinCancel():
                return await cancel(update, context)
            case JoinConfirm():
                return await confirm(update, context, draft)
            case JoinToggle(code=code):
                joining.toggle(draft, code, d.catalogue, d.settings.max_taskforces)
            case JoinGoal(goal=goal):
                joining.open_goal(draft, goal, d.catalogue)
            case JoinTargets(shown=shown):
                joining.show_targets(draft, shown == "on")
            case JoinDone():
                joining.finish_selection(draft)
            case JoinChoice(field=field, value=value):
                joining.answer_choice(draft, field, value, d.catalogue)
            case JoinRole(code=code, role=role):
                joining.choose_role(draft, code, role, d.catalogue)
            case JoinEdit(part=part):
                joining.edit(draft, part)
            case JoinBack():
                joining.back(draft, d.catalogue)
            case JoinKeep():
                joining.keep_answer(draft, d.catalogue)
            case JoinPick(field=field):
                joining.pick_field(draft, field)
            case _:  # no question of a join shows any other button
                raise Refused("stale")
    except Refused as refused:
        if refused.reason != "stale":
            raise
        return await show_current_step(update, context, draft)
    return await show_step(update, context, draft)


async def show_current_step(update: Update, context: BotContext, draft: JoinDraft) -> str:
    """A button of an earlier question (or one left on screen by a restart): nothing changes, and the
    question that is open now comes again at the bottom of the chat, so the person can always carry on."""
    notice = context.refusal(Refused("stale"))
    return await show_step(update, context, draft, new_message=True, notice=notice)


async def joining_text(update: Update, context: BotContext) -> str | int:
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    text = update.message.text if update.message and update.message.text else ""
    typed = await _typed_button(context, draft, text)
    if typed is not None:  # "Team Member", "miembro del equipo", "latin america", "skip": as if pressed
        return await apply_press(update, context, draft, typed)
    answered, chat = joining.question_message(draft), update.effective_chat
    try:
        joining.answer_text(draft, text, context.deps.catalogue)
        notice = ""
    except Refused as refused:  # said above the question, which is asked again
        notice = context.refusal(refused)
    state = await show_step(update, context, draft, new_message=True, notice=notice)
    if chat is not None and answered:  # the answered question (or the one asked again) keeps no live buttons
        context.application.create_task(drop_buttons(context.bot, chat.id, answered), update=update)
    return state


async def _typed_button(context: BotContext, draft: JoinDraft, text: str) -> Buttons | None:
    """The button of the current question whose label (in any language, any case) was typed, if any."""
    d = context.deps
    step = joining.next_step(draft)
    offer = await joining.role_offer(d.db, draft, step, d.catalogue)
    keyboards_shown = [views.step_keyboard(translator(lang), step, draft, d.catalogue, offer) for lang in SUPPORTED]
    # Where text is the answer (a name, a motivation), only a whole label counts as a press.
    return unpack_any(typed_choice(text, keyboards_shown, prefix=not joining.expects_text(step)))


async def joining_other(update: Update, context: BotContext) -> str | int:
    """A sticker, photo or the like where an answer is expected: say what is expected, ask again."""
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    notice = views.text_expected(context.tr, joining.next_step(draft))
    return await show_step(update, context, draft, new_message=True, notice=notice)


async def confirm(update: Update, context: BotContext, draft: JoinDraft) -> str | int:
    d, _, person_id = context.deps, context.tr, context.person_id
    try:
        results = await joining.submit(d.db, person_id, draft, d.catalogue, d.join_rules(), d.now())
    except Refused as refused:  # said above the summary, asked again with what still holds
        if refused.reason != "stale":
            held = await accounts.registrations(d.db, person_id)
            joining.reselect(draft, [r.taskforce for r in held if r.status.holds_place])
        return await show_step(update, context, draft, new_message=True, notice=context.refusal(refused))
    end_flows(context.user_data)
    await save_user_data(update, context)
    cards = await accounts.taskforce_cards(d.db, person_id, [r.code for r in results])
    details = {card.registration.taskforce: facilitation_views.card_details(_, card, d.catalogue) for card in cards}
    await reply_for_sure(update, context, views.joined(_, results, d.catalogue, details))
    d.sender.wake()
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel in any flow of the conversation, and Cancel in a join: a join draft is abandoned."""
    d = context.deps
    if _draft(context) is not None:
        await joining.abandon(d.db, context.person_id, d.now())
    end_flows(context.user_data)
    await save_user_data(update, context)
    await reply(update, views.cancelled(context.tr))
    return ConversationHandler.END


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[
            command("join", join_command),
            command("start", start_deep_link, PRIVATE & filters.Regex(r"^/start join_")),
            button(JoinFrom.when(), join_button),
            button(JoinResume.when(), resume),
            button(JoinOver.when(), start_over),
        ],
        states={
            JOINING: [
                button(any_of(*JOIN_STEPS), joining_press),
                message(TYPED, joining_text),
                message(PRIVATE & ~filters.COMMAND, joining_other),
            ],
        },
        fallbacks=[command("cancel", cancel)],
    )


async def _join_reminder(d: Deps, item: OutboxItem, payload: None, _: Translate) -> Rendered | None:
    return views.join_reminder(_), views.resume_keyboard(_)


async def _queue_join_reminders(d: Deps) -> None:
    await reminders.queue_join_reminders(d.db, d.now())


FEATURE = Feature(
    name="joining",
    conversation=_conversation,
    commands=views.joining_commands,
    refusals=views.joining_refusals,
    outbox_kinds=(OutboxKind("join_reminder", _join_reminder),),
    jobs=(_queue_join_reminders,),
)
