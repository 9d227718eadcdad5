"""A person's profile: /profile, changing a field (chosen from a list, or typed in the EDITING state of the
conversation), and what to do with a Representative place after moving to another region."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.calls import drop_buttons
from bot.chat.common import refuse, reply, reply_for_sure, send, words_expected
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import SUPPORTED, Translate, translator
from bot.models import OutboxItem
from bot.services import accounts, facilitation
from bot.services.errors import Refused
from bot.services.facilitation import PlaceQuestion
from bot.services.fields import ProfileField
from bot.views import fields
from bot.views import profile as views
from bot.views.buttons import typed_choice
from bot.views.callbacks import unpack_any
from bot.views.profile import (
    PlacePress,
    ProfileBack,
    ProfileCancel,
    ProfileChoice,
    ProfileClear,
    ProfileEdit,
    ProfileListing,
)

# A field being changed: the conversation's state, the field and the message asking it (whose buttons go
# once it is answered by typing) in the user data.
EDITING, EDITING_KEY, PROMPT_KEY = "editing", "editing", "editing_prompt"


async def show_profile_after(update: Update, context: BotContext, notice: str, *, new_message: bool) -> None:
    """After a /profile edit: what changed, then the profile card again, ready for the next change."""
    d, _ = context.deps, context.tr
    person = await accounts.person(d.db, context.person_id)
    card = views.profile_page(_, person, d.catalogue) if person is not None else ""
    text = "\n\n".join(part for part in (notice, card) if part)
    markup = views.profile_fields_keyboard(_) if person is not None else None
    await (send if new_message else reply)(update, text, markup)


async def profile(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    person = await accounts.person(d.db, context.person_id)
    if person is None:
        raise Refused("no_profile")
    await reply(update, views.profile_page(_, person, d.catalogue), views.profile_fields_keyboard(_))


async def edit_field(update: Update, context: BotContext) -> str | int:
    """A field's question, in the EDITING state: answered by a button, or by typing (a typed field's new value,
    or a choice's label), or left with Back or Cancel."""
    d, _ = context.deps, context.tr
    field = context.press(ProfileEdit).field
    person = await accounts.person(d.db, context.person_id)
    if person is None:  # unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, Refused("no_profile"))
        return ConversationHandler.END
    end_flows(context.user_data)
    question = fields.profile_question(_, field, first_time=False)
    current = getattr(person, field.value)
    if field.typed:
        markup = views.typed_field_keyboard(_, field, field.optional and current is not None)
        shown = await send(update, views.typed_field_question(_, question), markup)
    else:  # the choices replace the card
        shown = await reply(update, question, views.profile_field_keyboard(_, field, d.catalogue, str(current)))
    assert context.user_data is not None
    context.user_data.update({EDITING_KEY: field.value, PROMPT_KEY: shown or 0})
    return EDITING


def _field_edited(context: BotContext) -> ProfileField:
    return ProfileField((context.user_data or {}).get(EDITING_KEY, ProfileField.NAME.value))


async def choose(update: Update, context: BotContext) -> int:
    """A choice pressed (or its label typed) for the field being changed; one of another question is stale."""
    press = context.press(ProfileChoice)
    if press.field is not _field_edited(context):
        raise Refused("stale")
    return await _save(update, context, press.field, press.value, typed=False)


async def _save(update: Update, context: BotContext, field: ProfileField, answer: str, *, typed: bool) -> int:
    d = context.deps
    saved = await accounts.update_field(d.db, context.person_id, field, answer, d.catalogue, d.now(), typed=typed)
    prompt = _stop_editing(context)
    await show_profile_after(update, context, views.field_saved(context.tr, field, saved), new_message=_typed(update))
    _drop_answered(update, context, prompt)
    d.sender.wake()  # a demotion closes open prompts; a move to another region asks about each place
    return ConversationHandler.END


def _typed(update: Update) -> bool:
    return update.callback_query is None


def _stop_editing(context: BotContext) -> int:
    """The flow ends; the id of the message that asked (0: not known)."""
    prompt = int((context.user_data or {}).get(PROMPT_KEY) or 0)
    end_flows(context.user_data)
    return prompt


def _drop_answered(update: Update, context: BotContext, prompt: int) -> None:
    """A question answered by typing keeps no live buttons: taken off after the answer (cosmetic)."""
    chat = update.effective_chat
    if _typed(update) and prompt and chat is not None:
        context.application.create_task(drop_buttons(context.bot, chat.id, prompt), update=update)


async def clear_field(update: Update, context: BotContext) -> int:
    """The optional field being edited is emptied instead (only that one: the press is checked)."""
    d = context.deps
    field = context.press(ProfileClear).field
    if field is not _field_edited(context):
        raise Refused("stale")
    await accounts.clear_field(d.db, context.person_id, field, d.now())
    _stop_editing(context)
    await show_profile_after(update, context, views.field_cleared(context.tr, field), new_message=False)
    return ConversationHandler.END


async def back(update: Update, context: BotContext) -> int:
    """Back to the profile, nothing changed: a pressed question becomes the card again."""
    prompt = _stop_editing(context)
    await show_profile_after(update, context, "", new_message=_typed(update))
    _drop_answered(update, context, prompt)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    prompt = _stop_editing(context)
    await reply(update, views.edit_cancelled(context.tr))
    _drop_answered(update, context, prompt)
    return ConversationHandler.END


async def editing_text(update: Update, context: BotContext) -> int:
    """A typed field's new value; for a choice, its label typed as if pressed ("africa", "Afrique")."""
    field = _field_edited(context)
    text = update.message.text if update.message and update.message.text else ""
    if field.typed:
        return await _save(update, context, field, text, typed=True)
    markups = [views.profile_field_keyboard(translator(lang), field, context.deps.catalogue, "") for lang in SUPPORTED]
    match unpack_any(typed_choice(text, markups, prefix=True)):
        case ProfileChoice(field=chosen, value=value) if chosen is field:
            return await _save(update, context, field, value, typed=False)
        case ProfileBack():
            return await back(update, context)
        case ProfileCancel():
            return await cancel(update, context)
    raise Refused("use_buttons")


async def listing_pressed(update: Update, context: BotContext) -> int:
    """Being listed on the public site: the question, the answer saved (and audited), or back to the card. An entry
    point of the conversation, so that it ends a field's question left open (its typed answer would go astray)."""
    d, _, press = context.deps, context.tr, context.press(ProfileListing)
    end_flows(context.user_data)
    if press.choice == "ask":
        person = await accounts.person(d.db, context.person_id)
        if person is None:
            raise Refused("no_profile")
        await reply(update, views.listing_question(_, person.listed), views.listing_keyboard(_))
    elif press.choice == "back":
        await show_profile_after(update, context, "", new_message=False)
    else:
        listed = press.choice == "on"
        await accounts.set_listing(d.db, context.person_id, listed, d.now())
        await show_profile_after(update, context, views.listing_saved(_, listed), new_message=False)
    return ConversationHandler.END


async def place_press(update: Update, context: BotContext) -> None:
    """Keep, give up, or apply for the new region: a Representative place after a move to another region."""
    d = context.deps
    press = context.press(PlacePress)
    rules = d.join_rules()
    chosen = await accounts.choose_for_place(
        d.db, context.person_id, press.registration, str(press.region), press.choice, d.catalogue,
        rules.admins, rules.patience, d.now(),
    )  # fmt: skip
    await reply_for_sure(update, context, views.place_chosen(context.tr, press.choice, chosen, d.catalogue))
    d.sender.wake()  # prompts: an application sent, or one given up closed


async def _place_question(d: Deps, item: OutboxItem, moved: PlaceQuestion, _: Translate) -> Rendered | None:
    """Asked when it goes, if it still applies (the place still held, its holder still in that region)."""
    if item.registration_id is None:
        return None
    asked = await accounts.place_question(d.db, item.registration_id, moved.region, d.catalogue)
    if asked is None:
        return None
    return views.place_question(_, asked, d.catalogue), views.place_choices_keyboard(_, asked, d.catalogue)


def _handlers() -> list[Handler]:
    return [
        command("profile", profile),
        button(PlacePress.when(), place_press),
    ]


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[button(ProfileEdit.when(), edit_field), button(ProfileListing.when(), listing_pressed)],
        states={
            EDITING: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, editing_text),
                button(ProfileChoice.when(), choose),
                button(ProfileClear.when(), clear_field),
                button(ProfileBack.when(), back),
                button(ProfileCancel.when(), cancel),
                message(PRIVATE & ~filters.COMMAND, words_expected(views.new_value_or_cancel)),
            ],
        },
    )


FEATURE = Feature(
    name="profile",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.profile_commands,
    refusals=views.profile_refusals,
    # Also queued by migration 10 for everyone who had moved: a notice, which waits for the sender's budget.
    outbox_kinds=(OutboxKind(facilitation.PLACE_QUESTION, _place_question, PlaceQuestion),),
)
