"""A person's profile: /profile, changing a field (chosen from a list, or typed in the EDITING state of the
conversation), and what to do with a Representative place after moving to another region."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.common import refuse, reply, reply_for_sure, send
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import accounts, facilitation
from bot.services.errors import Refused
from bot.services.facilitation import PlaceQuestion
from bot.services.fields import ProfileField
from bot.views import fields
from bot.views import profile as views
from bot.views.profile import PlacePress, ProfileChoice, ProfileClear, ProfileEdit

TYPED_FIELDS = frozenset(f for f in ProfileField if f.typed)
CHOSEN_FIELDS = frozenset(ProfileField) - TYPED_FIELDS
# A typed field being edited: the conversation's state, and the field in the user data.
EDITING, EDITING_KEY = "editing", "editing"


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


async def edit_chosen_field(update: Update, context: BotContext) -> None:
    """Fields chosen from a list (region, stakeholder type, member status) need no typing: their choices."""
    d, _ = context.deps, context.tr
    field = context.press(ProfileEdit).field
    person = await accounts.person(d.db, context.person_id)
    if person is None:
        raise Refused("no_profile")
    question = fields.profile_question(_, field, first_time=False)
    current = str(getattr(person, field.value))
    await reply(update, question, views.profile_field_keyboard(_, field, d.catalogue, current))


async def choose(update: Update, context: BotContext) -> None:
    d = context.deps
    press = context.press(ProfileChoice)
    saved = await accounts.update_field(
        d.db, context.person_id, press.field, press.value, d.catalogue, d.now(), typed=False
    )
    await show_profile_after(update, context, views.field_saved(context.tr, press.field, saved), new_message=False)
    d.sender.wake()  # a demotion closes open prompts; a move to another region asks about each place


async def edit_typed_field(update: Update, context: BotContext) -> str | int:
    """A typed field is asked in the EDITING state: the next text the person sends is its new value."""
    d, _ = context.deps, context.tr
    field = context.press(ProfileEdit).field
    person = await accounts.person(d.db, context.person_id)
    if person is None:  # unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, Refused("no_profile"))
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[EDITING_KEY] = field.value
    question = fields.profile_question(_, field, first_time=False)
    clearable = field.optional and getattr(person, field.value) is not None
    markup = views.clear_field_keyboard(_, field) if clearable else None
    await send(update, question + "\n" + _("Send the new value, or /cancel."), markup)
    return EDITING


async def clear_field(update: Update, context: BotContext) -> int:
    """The optional field being edited is emptied instead (only that one: the press is checked)."""
    d = context.deps
    field = context.press(ProfileClear).field
    if field.value != (context.user_data or {}).get(EDITING_KEY):
        raise Refused("stale")
    await accounts.clear_field(d.db, context.person_id, field, d.now())
    end_flows(context.user_data)
    await show_profile_after(update, context, views.field_cleared(context.tr, field), new_message=False)
    return ConversationHandler.END


async def editing_text(update: Update, context: BotContext) -> int:
    d = context.deps
    field = ProfileField((context.user_data or {}).get(EDITING_KEY, ProfileField.NAME.value))
    text = update.message.text if update.message and update.message.text else ""
    saved = await accounts.update_field(d.db, context.person_id, field, text, d.catalogue, d.now(), typed=True)
    end_flows(context.user_data)
    await show_profile_after(update, context, views.field_saved(context.tr, field, saved), new_message=True)
    d.sender.wake()  # a demotion closes open prompts
    return ConversationHandler.END


async def editing_other(update: Update, context: BotContext) -> None:
    """A sticker or photo where a typed value is expected: ask for text, stay."""
    raise Refused("empty")


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
        button(ProfileEdit.when(field=CHOSEN_FIELDS), edit_chosen_field),
        button(ProfileChoice.when(), choose),
        button(PlacePress.when(), place_press),
    ]


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[button(ProfileEdit.when(field=TYPED_FIELDS), edit_typed_field)],
        states={
            EDITING: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, editing_text),
                button(ProfileClear.when(), clear_field),
                message(PRIVATE & ~filters.COMMAND, editing_other),
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
