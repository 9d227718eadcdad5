"""The one persistent conversation: joining task forces and editing a typed profile field.

Both live in one ConversationHandler so that starting one cleanly ends the other,
and a restart finds the person where they were.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.chat.calls import drop_buttons
from bot.chat.common import (
    Context,
    ConversationPart,
    Deps,
    deps,
    language,
    refuse,
    reply,
    reply_for_sure,
    save_user_data,
    send,
    show_profile_after,
    tr,
    user_id,
)
from bot.chat.decisions import decide
from bot.chat.keys import DRAFT_KEY, EDITING, EDITING_KEY, JOINING, REASON, REJECTING_KEY, WRITING_KEY
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import SUPPORTED, Translate, translator
from bot.models import OutboxItem, Role
from bot.services import accounts, facilitation, joining, reminders
from bot.services.errors import Refused
from bot.services.facilitation import Verdict
from bot.services.fields import REASON_LIMIT, ProfileField, clean_text
from bot.services.joining import EditPart, JoinDraft
from bot.views import keyboards, texts
from bot.views import notices as notice_views
from bot.views.callbacks import Press, decode

TYPED_FIELDS = "|".join(f.value for f in ProfileField if f.typed)
PRIVATE = filters.ChatType.PRIVATE


def _draft(context: Context) -> JoinDraft | None:
    raw = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return None if raw is None else JoinDraft.model_validate(raw)


def _keep(context: Context, draft: JoinDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT_KEY] = draft.model_dump(mode="json")


def _drop(context: Context) -> None:
    if context.user_data is not None:
        for key in (DRAFT_KEY, EDITING_KEY, REJECTING_KEY, WRITING_KEY):
            context.user_data.pop(key, None)


async def show_step(
    update: Update, context: Context, draft: JoinDraft, *, new_message: bool = False, notice: str = ""
) -> str:
    """Ask whatever the draft still lacks; every answer ends here, saved before it is sent.

    The messages that answer the question are saved with it before it goes out, so that a press on it
    always counts, however soon it comes; copies of a question that did not change all count.
    """
    query = update.callback_query
    edited = query.message.message_id if query is not None and query.message is not None and not new_message else None
    message = update.effective_message
    joining.asking(draft, edited, message.message_id + 1 if message is not None else 0)
    _keep(context, draft)
    await save_user_data(update, context)
    d = deps(context)
    _ = tr(update, context)
    step = joining.next_step(draft)
    offer = await joining.role_offer(d.db, draft, step, d.catalogue)
    text = texts.step_question(_, step, draft, d.catalogue, d.settings.max_taskforces, offer)
    text = f"{notice}\n\n{text}" if notice else text
    markup = keyboards.step(_, step, draft, d.catalogue, offer)
    shown = await (send if new_message else reply)(update, text, markup)
    if edited is None and shown is not None:  # a new message: its exact id, kept when the update ends
        joining.asked(draft, shown)
        _keep(context, draft)
    return JOINING


async def start_joining(
    update: Update, context: Context, code: str | None, *, over: bool = False, below: bool = False
) -> str | int:
    """A new join; in the middle of one, first ask whether to carry on with it or start over."""
    d = deps(context)
    uid = user_id(update)
    ongoing = _draft(context)
    if ongoing is not None and not over and (ongoing.selected or ongoing.selection_done):
        _ = tr(update, context)
        await send(update, texts.join_in_progress(_, ongoing.selected), keyboards.carry_on_or_start_over(_, code))
        return JOINING
    person = await accounts.person(d.db, uid)
    held = [r for r in await accounts.registrations(d.db, uid) if r.status.holds_place]
    user = update.effective_user
    draft = joining.new_draft(person, user.full_name if user else "", held)
    try:
        if code is not None:
            joining.preselect(draft, code.upper(), d.catalogue, d.settings.max_taskforces)
        else:
            joining.check_cap(len(held), 0, d.settings.max_taskforces, adding=1)
    except Refused as refused:
        await refuse(update, context, refused)
        return ConversationHandler.END
    _drop(context)
    await joining.begin(d.db, uid, d.now(), timedelta(hours=d.settings.reminder_hours))
    # A button's message is edited into the first question, unless it is kept (below=True).
    return await show_step(update, context, draft, new_message=update.callback_query is None or below)


async def join_command(update: Update, context: Context) -> str | int:
    args = context.args or []
    return await start_joining(update, context, args[0] if args else None)


async def start_deep_link(update: Update, context: Context) -> str | int:
    payload = (context.args or [""])[0]
    return await start_joining(update, context, payload.removeprefix("join_"))


async def join_button(update: Update, context: Context) -> str | int:
    press = decode(update.callback_query.data if update.callback_query else None)
    code = press.arg if press and press.action == "go" else None
    # Join under an objective's page keeps the page (its targets) in the chat and goes on below.
    return await start_joining(update, context, code, below=code is not None)


async def start_over(update: Update, context: Context) -> str | int:
    press = decode(update.callback_query.data if update.callback_query else None)
    code = press.arg if press is not None and press.arg != "-" else None
    return await start_joining(update, context, code, over=True)


async def resume(update: Update, context: Context) -> str | int:
    draft = _draft(context)
    if draft is None:
        await send(update, texts.no_flow(tr(update, context)))
        return ConversationHandler.END
    return await show_step(update, context, draft, new_message=True)


async def joining_press(update: Update, context: Context) -> str | int:
    """Every button of the join flow: toggle, profile choice, role, edit, back, keep, confirm, cancel."""
    draft = _draft(context)
    press = decode(update.callback_query.data if update.callback_query else None)
    if draft is None or press is None:
        await refuse(update, context, Refused("stale"))
        return JOINING if draft else ConversationHandler.END
    message = update.callback_query.message if update.callback_query else None
    if message is None or not joining.is_current(draft, message.message_id):
        return await show_current_step(update, context, draft)
    return await apply_press(update, context, draft, press)


async def apply_press(update: Update, context: Context, draft: JoinDraft, press: Press) -> str | int:
    """A press on the current question, or its label typed."""
    if press.action == "x":
        return await cancel(update, context)
    if press.action == "ok":
        return await confirm(update, context, draft)
    d = deps(context)
    try:
        if press.action == "t":
            joining.toggle(draft, press.arg, d.catalogue, d.settings.max_taskforces)
        elif press.action == "d":
            joining.finish_selection(draft)
        elif press.action == "f":
            joining.answer_choice(draft, ProfileField(press.args[0]), press.args[1], d.catalogue)
        elif press.action == "r":
            joining.choose_role(draft, press.args[0], Role(press.args[1]), d.catalogue)
        elif press.action == "e":
            joining.edit(draft, EditPart(press.arg))
        elif press.action == "b":
            joining.back(draft, d.catalogue)
        elif press.action == "k":
            joining.keep_answer(draft, d.catalogue)
        elif press.action == "p":
            joining.pick_field(draft, ProfileField(press.arg))
    except ValueError:
        return await show_current_step(update, context, draft)
    except Refused as refused:
        if refused.reason == "stale":
            return await show_current_step(update, context, draft)
        await refuse(update, context, refused)
        return JOINING
    return await show_step(update, context, draft)


async def show_current_step(update: Update, context: Context, draft: JoinDraft) -> str:
    """A button of an earlier question (or one left on screen by a restart): nothing changes, and the
    question that is open now comes again at the bottom of the chat, so the person can always carry on."""
    notice = texts.refusal(tr(update, context), Refused("stale"))
    return await show_step(update, context, draft, new_message=True, notice=notice)


async def joining_text(update: Update, context: Context) -> str | int:
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    text = update.message.text if update.message and update.message.text else ""
    typed = await _typed_button(context, draft, text)
    if typed is not None:  # "Team Member", "miembro del equipo", "latin america", "skip": as if pressed
        return await apply_press(update, context, draft, typed)
    answered, chat = joining.question_message(draft), update.effective_chat
    try:
        joining.answer_text(draft, text, deps(context).catalogue)
        notice = ""
    except Refused as refused:
        notice = texts.refusal(tr(update, context), refused)
    state = await show_step(update, context, draft, new_message=True, notice=notice)
    if chat is not None and answered:  # the answered question (or the one asked again) keeps no live buttons
        context.application.create_task(drop_buttons(context.bot, chat.id, answered), update=update)
    return state


async def _typed_button(context: Context, draft: JoinDraft, text: str) -> Press | None:
    """The button of the current question whose label (in any language, any case) was typed, if any."""
    step = joining.next_step(draft)
    d = deps(context)
    offer = await joining.role_offer(d.db, draft, step, d.catalogue)
    keyboards_shown = [keyboards.step(translator(lang), step, draft, d.catalogue, offer) for lang in SUPPORTED]
    # Where text is the answer (a name, a motivation), only a whole label counts as a press.
    return decode(keyboards.typed_choice(text, keyboards_shown, prefix=not joining.expects_text(step)))


async def joining_other(update: Update, context: Context) -> str | int:
    """A sticker, photo or the like where an answer is expected: say what is expected, ask again."""
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    notice = texts.text_expected(tr(update, context), joining.next_step(draft))
    return await show_step(update, context, draft, new_message=True, notice=notice)


async def confirm(update: Update, context: Context, draft: JoinDraft) -> str | int:
    d = deps(context)
    _ = tr(update, context)
    try:
        results = await joining.submit(
            d.db, user_id(update), draft, language(update, context), d.catalogue, d.join_rules(), d.now()
        )
    except Refused as refused:
        if refused.reason != "stale":
            held = await accounts.registrations(d.db, user_id(update))
            joining.reselect(draft, [r.taskforce for r in held if r.status.holds_place])
        return await show_step(update, context, draft, new_message=True, notice=texts.refusal(_, refused))
    _drop(context)
    await save_user_data(update, context)
    cards = await accounts.taskforce_cards(d.db, user_id(update), [r.code for r in results])
    details = {card.registration.taskforce: notice_views.card_details(_, card, d.catalogue) for card in cards}
    await reply_for_sure(update, context, texts.joined(_, results, d.catalogue, details))
    d.sender.wake()
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    d = deps(context)
    if _draft(context) is not None:
        await joining.abandon(d.db, user_id(update), d.now())
    _drop(context)
    await save_user_data(update, context)
    await reply(update, texts.cancelled(tr(update, context)))
    return ConversationHandler.END


async def edit_typed_field(update: Update, context: Context) -> str | int:
    d = deps(context)
    _ = tr(update, context)
    press = decode(update.callback_query.data if update.callback_query else None)
    person = await accounts.person(d.db, user_id(update))
    if press is None or person is None:
        await refuse(update, context, Refused("no_profile" if press else "stale"))
        return ConversationHandler.END
    field = ProfileField(press.arg)
    assert context.user_data is not None
    context.user_data[EDITING_KEY] = field.value
    question = texts.profile_question(_, field, first_time=False)
    clearable = field.optional and getattr(person, field.value) is not None
    markup = keyboards.clear_field(_, field) if clearable else None
    await send(update, question + "\n" + _("Send the new value, or /cancel."), markup)
    return EDITING


async def clear_field_pressed(update: Update, context: Context) -> str | int:
    """The optional field being edited is emptied instead (only that one: the press is checked)."""
    d = deps(context)
    press = decode(update.callback_query.data if update.callback_query else None)
    editing = (context.user_data or {}).get(EDITING_KEY)
    try:
        if press is None or press.arg != editing:
            raise Refused("stale")
        await accounts.clear_field(d.db, user_id(update), ProfileField(press.arg), d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return EDITING
    _drop(context)
    await show_profile_after(
        update, context, texts.field_cleared(tr(update, context), ProfileField(press.arg)), new_message=False
    )
    return ConversationHandler.END


async def editing_text(update: Update, context: Context) -> str | int:
    d = deps(context)
    _ = tr(update, context)
    field = ProfileField((context.user_data or {}).get(EDITING_KEY, ProfileField.NAME.value))
    text = update.message.text if update.message and update.message.text else ""
    try:
        saved = await accounts.update_field(d.db, user_id(update), field, text, d.catalogue, d.now(), typed=True)
    except Refused as refused:
        await refuse(update, context, refused)
        return EDITING
    _drop(context)
    await show_profile_after(update, context, texts.field_saved(_, field, saved), new_message=True)
    d.sender.wake()  # a demotion closes open prompts
    return ConversationHandler.END


async def editing_other(update: Update, context: Context) -> str:
    """A sticker or photo where a typed value is expected: ask for text, stay."""
    await refuse(update, context, Refused("empty"))
    return EDITING


async def reason_other(update: Update, context: Context) -> str:
    await refuse(update, context, Refused("empty"))
    return REASON


async def forget_confirmed(update: Update, context: Context) -> int:
    """Part of the conversation so that forgetting also ends any flow in progress."""
    d = deps(context)
    uid = user_id(update)
    await accounts.forget(d.db, uid, d.now())
    _drop(context)
    context.application.drop_user_data(uid)
    d.seen_users.pop(uid, None)
    d.languages.pop(uid, None)
    d.just_forgotten.add(uid)
    await save_user_data(update, context)
    await reply_for_sure(update, context, texts.forgotten(tr(update, context)))
    d.sender.wake()  # prompts about the person's applications are wiped
    return ConversationHandler.END


async def reject_pressed(update: Update, context: Context) -> str | int:
    """Reject asks for a reason first; authority is checked now and again when it is given."""
    d = deps(context)
    press = decode(update.callback_query.data if update.callback_query else None)
    try:
        if press is None:
            raise Refused("stale")
        registration = await facilitation.open_application(d.db, user_id(update), int(press.arg), d.settings.admins)
    except Refused as refused:
        await refuse(update, context, refused)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[REJECTING_KEY] = registration.id
    text, markup = notice_views.ask_reason(tr(update, context), registration.id)
    await save_user_data(update, context)
    await send(update, text, markup)
    return REASON


async def reason_given(update: Update, context: Context) -> str | int:
    registration_id = (context.user_data or {}).get(REJECTING_KEY)
    press = decode(update.callback_query.data if update.callback_query else None)
    if press is not None:  # Skip
        reason = None
        registration_id = int(press.arg)
    else:
        text = update.message.text if update.message and update.message.text else ""
        try:
            reason = clean_text(text, REASON_LIMIT)
        except Refused as refused:
            await refuse(update, context, refused)
            return REASON
    _drop(context)
    await decide(update, context, int(registration_id or 0), Verdict.REJECT, reason)
    return ConversationHandler.END


def conversation(parts: Iterable[ConversationPart] = ()) -> ConversationHandler[Any]:
    """Joining, profile edits and reasons live here; other features add their parts (announcements)."""
    parts = list(parts)
    with warnings.catch_warnings():
        # Buttons are tracked per chat on purpose: one flow per person, not per message.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            name="chat",
            persistent=True,
            allow_reentry=True,
            entry_points=[
                CommandHandler("join", join_command, filters=PRIVATE),
                CommandHandler("start", start_deep_link, filters=PRIVATE & filters.Regex(r"^/start join_")),
                CallbackQueryHandler(join_button, pattern=r"^j:(new|go:[A-Z][1-9])$"),
                CallbackQueryHandler(resume, pattern=r"^j:resume$"),
                CallbackQueryHandler(start_over, pattern=r"^j:over:"),
                CallbackQueryHandler(edit_typed_field, pattern=rf"^pf:e:({TYPED_FIELDS})$"),
                CallbackQueryHandler(forget_confirmed, pattern=r"^fg:y$"),
                CallbackQueryHandler(reject_pressed, pattern=r"^ap:no:[0-9]+$"),
                *(handler for part in parts for handler in part.entry_points),
            ],
            states={
                JOINING: [
                    CallbackQueryHandler(start_over, pattern=r"^j:over:"),
                    CallbackQueryHandler(resume, pattern=r"^j:resume$"),
                    CallbackQueryHandler(joining_press, pattern=r"^j:"),
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, joining_text),
                    MessageHandler(PRIVATE & ~filters.COMMAND, joining_other),
                ],
                EDITING: [
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, editing_text),
                    CallbackQueryHandler(clear_field_pressed, pattern=r"^pf:x:"),
                    MessageHandler(PRIVATE & ~filters.COMMAND, editing_other),
                ],
                REASON: [
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, reason_given),
                    CallbackQueryHandler(reason_given, pattern=r"^ap:skip:[0-9]+$"),
                    MessageHandler(PRIVATE & ~filters.COMMAND, reason_other),
                ],
                **{state: handlers for part in parts for state, handlers in part.states.items()},
            },
            fallbacks=[CommandHandler("cancel", cancel, filters=PRIVATE)],
        )


async def _join_reminder(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    return texts.join_reminder(_), keyboards.resume(_)


async def _queue_join_reminders(d: Deps) -> None:
    await reminders.queue_join_reminders(d.db, d.now())


OUTBOX_KINDS = (OutboxKind("join_reminder", _join_reminder),)
PERIODIC_JOBS = (_queue_join_reminders,)
