"""A person's own registrations and data: /mytaskforces, /leave, /forget, /language, /privacy, a /cancel
with no flow to stop."""

from __future__ import annotations

from pydantic import ValidationError
from telegram import Update
from telegram.ext import ConversationHandler

from bot.chat.common import reply, reply_for_sure, save_user_data
from bot.chat.context import BotContext
from bot.chat.feature import ConversationPart, Feature, Handler, button, command
from bot.chat.keys import end_flows
from bot.chat.menus import update_menu
from bot.services import accounts, contacts
from bot.services.errors import Refused
from bot.views import account as views
from bot.views import facilitation as facilitation_views
from bot.views.account import (
    ForgetNo,
    ForgetYes,
    LanguageSet,
    LeaveAsk,
    LeaveStay,
    LeaveYes,
    MyTaskforces,
    PrivacyPage,
    TaskforceCard,
)


async def my_taskforces(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    registrations = await accounts.registrations(d.db, context.person_id)
    held = [r for r in registrations if r.status.holds_place]
    markup = views.my_registrations_keyboard(_, held, d.catalogue)
    await reply(update, views.my_registrations(_, registrations, d.catalogue), markup)


async def taskforce_card(update: Update, context: BotContext) -> None:
    """A task force the person is in: their role, its facilitators and members, its first tasks."""
    d, _ = context.deps, context.tr
    code = context.press(TaskforceCard).code
    cards = await accounts.taskforce_cards(d.db, context.person_id, [code])
    if not cards:
        raise Refused("not_registered", code=code)
    await reply(
        update, facilitation_views.taskforce_card(_, cards[0], d.catalogue), views.taskforce_card_keyboard(_, code)
    )


async def leave_command(update: Update, context: BotContext) -> None:
    """/leave B3 asks to confirm at once; /leave alone offers a button for each task force held."""
    code = (context.args or [""])[0].upper()
    if code:
        await ask_leave(update, context, code)
        return
    d, _ = context.deps, context.tr
    held = [r for r in await accounts.registrations(d.db, context.person_id) if r.status.holds_place]
    await reply(update, views.leave_which(_, held), views.leave_keyboard(_, held, d.catalogue) if held else None)


async def leave_asked(update: Update, context: BotContext) -> None:
    await ask_leave(update, context, context.press(LeaveAsk).code)


async def ask_leave(update: Update, context: BotContext, code: str) -> None:
    """Checked before asking: a code no Leave button could carry, or a task force the person is not in,
    is said at once."""
    try:
        LeaveYes(code=code)
    except ValidationError:
        raise Refused("unknown_code", code=code) from None
    held = [
        r.taskforce for r in await accounts.registrations(context.deps.db, context.person_id) if r.status.holds_place
    ]
    if code not in held:
        raise Refused("not_registered", code=code)
    _ = context.tr
    await reply(update, views.leave_question(_, code), views.confirm_leave_keyboard(_, code))


async def stay(update: Update, context: BotContext) -> None:
    await reply(update, views.stayed_in(context.tr, context.press(LeaveStay).code))


async def leave(update: Update, context: BotContext) -> None:
    d = context.deps
    code = context.press(LeaveYes).code
    await accounts.leave(d.db, context.person_id, code, d.now())
    await reply_for_sure(update, context, views.left(context.tr, code))
    d.sender.wake()  # an open application's prompts now say it was withdrawn


async def forget_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    await reply(update, views.forget_question(_), views.confirm_forget_keyboard(_))


async def forget_confirmed(update: Update, context: BotContext) -> int:
    """An entry point of the conversation, so that forgetting also ends any flow in progress."""
    d, person_id = context.deps, context.person_id
    await accounts.forget(d.db, person_id, d.now())
    end_flows(context.user_data)
    context.application.drop_user_data(person_id)
    d.seen_users.pop(person_id, None)
    d.languages.pop(person_id, None)
    d.just_forgotten.add(person_id)
    await save_user_data(update, context)
    await reply_for_sure(update, context, views.forgotten(context.tr))
    d.sender.wake()  # prompts about the person's applications are wiped
    return ConversationHandler.END


async def forget_declined(update: Update, context: BotContext) -> None:
    await reply(update, views.data_kept(context.tr))


async def language_command(update: Update, context: BotContext) -> None:
    await reply(update, views.language_question(context.tr), views.languages_keyboard())


async def language_set(update: Update, context: BotContext) -> None:
    d = context.deps
    language = context.press(LanguageSet).language
    user = update.effective_user
    if user is None:
        raise Refused("stale")
    await contacts.choose_language(d.db, user.id, user.full_name, language, d.now())
    d.languages[user.id] = language
    await reply(update, views.language_set(context.tr))  # already in the language chosen
    await update_menu(context, user.id)


async def privacy(update: Update, context: BotContext) -> None:
    """A short answer that fits a phone, with the whole of it one tap away."""
    await reply(update, views.privacy_short(context.tr), views.privacy_keyboard(context.tr, "short"))


async def privacy_page(update: Update, context: BotContext) -> None:
    """More, or Back to the short answer: the same texts for everyone, so an old message's press only shows them."""
    _, page = context.tr, context.press(PrivacyPage).page
    text = views.privacy(_) if page == "whole" else views.privacy_short(_)
    await reply(update, text, views.privacy_keyboard(_, page))


async def cancel_outside(update: Update, context: BotContext) -> None:
    """/cancel in a flow is the conversation's (joining.cancel); this is /cancel with nothing to stop."""
    await reply(update, views.nothing_to_cancel(context.tr))


def _handlers() -> list[Handler]:
    return [
        command("mytaskforces", my_taskforces),
        command("leave", leave_command),
        command("forget", forget_command),
        command("privacy", privacy),
        button(PrivacyPage.when(), privacy_page),
        command("language", language_command),
        button(LanguageSet.when(), language_set),
        command("cancel", cancel_outside),
        button(MyTaskforces.when(), my_taskforces),
        button(TaskforceCard.when(), taskforce_card),
        button(LeaveAsk.when(), leave_asked),
        button(LeaveYes.when(), leave),
        button(LeaveStay.when(), stay),
        button(ForgetNo.when(), forget_declined),
    ]


def _conversation() -> ConversationPart:
    return ConversationPart(entry_points=[button(ForgetYes.when(), forget_confirmed)])


FEATURE = Feature(
    name="account",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.account_commands,
    refusals=views.account_refusals,
)
