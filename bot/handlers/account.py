"""A person's own registrations and profile: /mytaskforces, /profile, /leave, /forget."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.chat.common import (
    Context,
    Deps,
    Handler,
    deps,
    refuse,
    reply,
    reply_for_sure,
    send,
    show_profile_after,
    tr,
    user_id,
)
from bot.chat.menus import update_menu
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import accounts, authority, contacts, facilitation
from bot.services.accounts import PlaceChoice
from bot.services.errors import Refused
from bot.services.fields import ProfileField
from bot.views import keyboards, texts
from bot.views import notices as notice_views
from bot.views.callbacks import decode, pressed

PRIVATE = filters.ChatType.PRIVATE


async def my_taskforces(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    registrations = await accounts.registrations(d.db, user_id(update))
    held = [r for r in registrations if r.status.holds_place]
    markup = keyboards.my_registrations(_, held, d.catalogue)
    await reply(update, texts.my_registrations(_, registrations, d.catalogue), markup)


async def taskforce_card(update: Update, context: Context) -> None:
    """A task force the person is in: their role, its facilitators and members, its first tasks."""
    d = deps(context)
    _ = tr(update, context)
    press = decode(update.callback_query.data if update.callback_query else None)
    code = press.arg if press is not None else ""
    cards = await accounts.taskforce_cards(d.db, user_id(update), [code])
    if not cards:
        await refuse(update, context, Refused("not_registered", code=code) if code else Refused("stale"))
        return
    await reply(update, notice_views.taskforce_card(_, cards[0], d.catalogue), keyboards.taskforce_card(_, code))


async def profile(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    person = await accounts.person(d.db, user_id(update))
    if person is None:
        await refuse(update, context, Refused("no_profile"))
        return
    await reply(update, texts.profile_page(_, person, d.catalogue), keyboards.profile_fields(_))


async def profile_press(update: Update, context: Context) -> None:
    """Fields chosen from a list (region, stakeholder type, member status) need no typing."""
    d = deps(context)
    _ = tr(update, context)
    press = decode(update.callback_query.data if update.callback_query else None)
    try:
        field = ProfileField(press.arg) if press else None
    except ValueError:
        field = None
    if press is None or field is None or field.typed:
        await refuse(update, context, Refused("stale"))
        return
    if press.action == "e":
        person = await accounts.person(d.db, user_id(update))
        if person is None:
            await refuse(update, context, Refused("no_profile"))
            return
        question = texts.profile_question(_, field, first_time=False)
        current = str(getattr(person, field.value))
        await reply(update, question, keyboards.profile_field(_, field, d.catalogue, current))
        return
    try:
        saved = await accounts.update_field(
            d.db, user_id(update), field, press.args[1], d.catalogue, d.now(), typed=False
        )
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await show_profile_after(update, context, texts.field_saved(_, field, saved), new_message=False)
    d.sender.wake()  # a demotion closes open prompts; a move to another region asks about each place


async def place_press(update: Update, context: Context) -> None:
    """Keep, give up, or apply for the new region: a Representative place after a move to another region."""
    d = deps(context)
    _ = tr(update, context)
    rules = d.join_rules()
    try:
        press = pressed(update.callback_query.data if update.callback_query else None)
        choice = PlaceChoice(press.action)
        chosen = await accounts.choose_for_place(
            d.db, user_id(update), int(press.args[0]), press.args[1], choice, d.catalogue,
            rules.admins, rules.patience, d.now(),
        )  # fmt: skip
    except Refused as refused:
        await refuse(update, context, refused)
        return
    await reply_for_sure(update, context, texts.place_chosen(_, choice, chosen, d.catalogue))
    d.sender.wake()  # prompts: an application sent, or one given up closed


async def leave_command(update: Update, context: Context) -> None:
    _ = tr(update, context)
    code = (context.args or [""])[0].upper()
    if not code:
        await my_taskforces(update, context)
        await send(update, texts.leave_usage(_))
        return
    await ask_leave(update, context, code)


async def ask_leave(update: Update, context: Context, code: str) -> None:
    """Checked before asking: an unknown code, or a task force the person is not in, is said at once."""
    d = deps(context)
    _ = tr(update, context)
    if decode(f"lv:y:{code}") is None:
        await refuse(update, context, Refused("unknown_code", code=code))
        return
    held = [r.taskforce for r in await accounts.registrations(d.db, user_id(update)) if r.status.holds_place]
    if code not in held:
        await refuse(update, context, Refused("not_registered", code=code))
        return
    await reply(update, texts.leave_question(_, code), keyboards.confirm_leave(_, code))


async def leave_press(update: Update, context: Context) -> None:
    d = deps(context)
    _ = tr(update, context)
    press = decode(update.callback_query.data if update.callback_query else None)
    if press is None:
        await refuse(update, context, Refused("stale"))
    elif press.action == "a":
        await ask_leave(update, context, press.arg)
    elif press.action == "k":
        await reply(update, texts.stayed_in(_, press.arg))
    elif press.action == "n":
        await reply(update, texts.cancelled(_))
    else:
        try:
            await accounts.leave(d.db, user_id(update), press.arg, d.now())
        except Refused as refused:
            await refuse(update, context, refused)
            return
        await reply_for_sure(update, context, texts.left(_, press.arg))
        d.sender.wake()  # an open application's prompts now say it was withdrawn


async def forget_command(update: Update, context: Context) -> None:
    _ = tr(update, context)
    await reply(update, texts.forget_question(_), keyboards.confirm_forget(_))


async def forget_declined(update: Update, context: Context) -> None:
    await reply(update, texts.data_kept(tr(update, context)))


async def help_command(update: Update, context: Context) -> None:
    d = deps(context)
    facilitator, admin = await authority.roles_of(d.db, user_id(update), d.settings.admins)
    await reply(update, texts.help_text(tr(update, context), facilitator, admin))


async def language_command(update: Update, context: Context) -> None:
    await reply(update, texts.language_question(tr(update, context)), keyboards.languages())


async def language_press(update: Update, context: Context) -> None:
    d = deps(context)
    press = decode(update.callback_query.data if update.callback_query else None)
    user = update.effective_user
    if press is None or user is None:
        await refuse(update, context, Refused("stale"))
        return
    await contacts.choose_language(d.db, user.id, user.full_name, press.arg, d.now())
    d.languages[user.id] = press.arg
    await reply(update, texts.language_set(tr(update, context)))
    await update_menu(context, user.id)


async def privacy(update: Update, context: Context) -> None:
    await reply(update, texts.privacy(tr(update, context)))


async def cancel_outside(update: Update, context: Context) -> None:
    await reply(update, texts.nothing_to_cancel(tr(update, context)))


def handlers() -> list[Handler]:
    return [
        CommandHandler("mytaskforces", my_taskforces, filters=PRIVATE),
        CommandHandler("profile", profile, filters=PRIVATE),
        CommandHandler("leave", leave_command, filters=PRIVATE),
        CommandHandler("forget", forget_command, filters=PRIVATE),
        CommandHandler("help", help_command, filters=PRIVATE),
        CommandHandler("privacy", privacy, filters=PRIVATE),
        CommandHandler("language", language_command, filters=PRIVATE),
        CallbackQueryHandler(language_press, pattern=r"^lg:set:(en|fr|es)$"),
        CommandHandler("cancel", cancel_outside, filters=PRIVATE),
        CallbackQueryHandler(my_taskforces, pattern=r"^m:mine$"),
        CallbackQueryHandler(taskforce_card, pattern=r"^m:tf:"),
        CallbackQueryHandler(profile_press, pattern=r"^pf:"),
        CallbackQueryHandler(place_press, pattern=r"^pl:"),
        CallbackQueryHandler(leave_press, pattern=r"^lv:"),
        CallbackQueryHandler(forget_declined, pattern=r"^fg:n$"),
    ]


# ---------------------------------------------------------------- outbox kinds


async def _place_question(d: Deps, item: OutboxItem, _: Translate) -> Rendered | None:
    """Asked when it goes, if it still applies (the place still held, its holder still in that region)."""
    region = item.params.get("region")
    if not isinstance(region, str) or item.registration_id is None:
        return None
    asked = await accounts.place_question(d.db, item.registration_id, region, d.catalogue)
    if asked is None:
        return None
    return texts.place_question(_, asked, d.catalogue), keyboards.place_choices(_, asked, d.catalogue)


# Also queued by migration 10 for everyone who had moved: a notice, which waits for the sender's budget.
OUTBOX_KINDS = (OutboxKind(facilitation.PLACE_QUESTION, _place_question),)
