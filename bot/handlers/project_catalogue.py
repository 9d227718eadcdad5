"""/catalogue: a task force's accepted entries, a card each, filtered and paged; offers to contribute, an
entry's document, progress updates (the PROGRESSING state of the conversation) and their reminders."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from telegram import Message, Update
from telegram.ext import ConversationHandler, filters

from bot.chat.calls import edit_markup
from bot.chat.common import (
    refuse,
    reply,
    reply_for_sure,
    save_user_data,
    send,
    send_file,
    send_stored_document,
    words_expected,
)
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.project_models import ProjectStatus, Stage
from bot.services import project_catalogue, publishing
from bot.services.errors import Refused
from bot.services.project_catalogue import OFFER, PROGRESS_LIMIT, PROGRESS_REMINDER, Filters, Offer, Progress
from bot.views import project_catalogue as views
from bot.views import words
from bot.views.project_catalogue import (
    CatalogueBrowse,
    CatalogueDocument,
    CatalogueOffer,
    CatalogueOpen,
    CataloguePublic,
)
from bot.views.projects import ProgressAdd

# A progress update awaited: the conversation's state, and the entry's id in the user data.
PROGRESSING, PROGRESS_KEY = "progressing", "progress"


async def catalogue_command(update: Update, context: BotContext) -> None:
    """/catalogue: the task forces with entries; /catalogue B3: B3's first card."""
    d = context.deps
    if context.args:
        await _show(update, context, context.args[0].upper(), Filters(), 0, new_message=True)
        return
    counts = await project_catalogue.overview(d.db)
    await send(update, views.overview(context.tr, counts, d.catalogue), views.overview_keyboard(counts, d.catalogue))


async def _show(
    update: Update, context: BotContext, code: str, chosen: Filters, index: int, *, new_message: bool = False
) -> None:
    d, person = context.deps, context.person_id
    page = await project_catalogue.page(d.db, code, chosen, index, d.catalogue)
    project = page.card.project if page.card is not None else None
    reports = project is not None and await project_catalogue.may_report(d.db, person, project)
    publishes = project is not None and await publishing.may_publish(d.db, person, project, d.settings.admins)
    offers = project is not None and project_catalogue.may_offer(person, project)
    text = views.page_text(context.tr, page, d.catalogue)
    markup = views.page_keyboard(context.tr, page, d.catalogue, reports, publishes, may_offer=offers)
    await (send if new_message else reply)(update, text, markup)


async def open_pressed(update: Update, context: BotContext) -> None:
    await _show(update, context, context.press(CatalogueOpen).code, Filters(), 0)


async def browse_pressed(update: Update, context: BotContext) -> None:
    press = context.press(CatalogueBrowse)
    await _show(update, context, press.code, views.filters_of(press, context.deps.catalogue), press.index)


async def document_pressed(update: Update, context: BotContext) -> None:
    file_id, name = await project_catalogue.document(context.deps.db, context.press(CatalogueDocument).project)
    await send_stored_document(update, file_id, name)


async def public_pressed(update: Update, context: BotContext) -> None:
    """On the public site or off it: authority and the entry re-checked; the card's button turns to the way back."""
    d, _, press = context.deps, context.tr, context.press(CataloguePublic)
    public = press.public == "on"
    await publishing.set_entry_public(d.db, context.person_id, press.project, public, d.settings.admins, d.now())
    query = update.callback_query
    assert query is not None
    await query.answer(words.alert(views.public_set(_, public)))
    card = query.message
    if card is not None and isinstance(card, Message) and card.reply_markup is not None:
        await edit_markup(context.bot, card.chat.id, card.message_id, views.public_toggled(_, card.reply_markup, press))


async def offer_pressed(update: Update, context: BotContext) -> None:
    """I'd like to contribute: the consent first, then the contact told, once."""
    d, press = context.deps, context.press(CatalogueOffer)
    if press.step == "ask":
        project = await project_catalogue.offerable(d.db, context.person_id, press.project)
        await send(update, views.offer_question(context.tr, project), views.offer_keyboard(context.tr, project))
        return
    project = await project_catalogue.offer(d.db, context.person_id, press.project, d.now())
    await reply_for_sure(update, context, views.offer_sent(context.tr, project))
    d.sender.wake()


async def export_command(update: Update, context: BotContext) -> None:
    """Both files, written in a worker thread: everyone else is still answered meanwhile."""
    d, _ = context.deps, context.tr
    entries = await project_catalogue.export(d.db, context.person_id, d.settings.admins, d.now())
    with tempfile.TemporaryDirectory(prefix="catalogue-") as folder:
        stem = f"catalogue-{d.now():%Y-%m-%d}"
        table, book = await asyncio.to_thread(views.export_files, _, entries, d.catalogue, Path(folder), stem)
        await send_file(update, table.read_bytes(), table.name, views.export_caption(_, len(entries)))
        await send_file(update, book.read_bytes(), book.name)


async def opportunities_command(update: Update, context: BotContext) -> None:
    """The "Investment opportunities" PDF of a task force or a goal, laid out in a worker thread."""
    d, _ = context.deps, context.tr
    if not context.args:
        await send(update, views.opportunities_usage(_))
        return
    target = context.args[0].upper()
    found = await project_catalogue.opportunities(d.db, context.person_id, target, d.settings.admins, d.catalogue)
    document = await asyncio.to_thread(views.opportunities_pdf, _, found, d.catalogue)
    await send_file(update, document, f"opportunities-{target}-{d.now():%Y-%m-%d}.pdf")


# ---------------------------------------------------------------- progress


async def progress_asked(update: Update, context: BotContext) -> str:
    """Refused (the entry out of the catalogue, or not theirs to report): polite, the person's flow stays."""
    d = context.deps
    project = await project_catalogue.open_progress(d.db, context.person_id, context.press(ProgressAdd).project)
    end_flows(context.user_data)
    assert context.user_data is not None
    context.user_data[PROGRESS_KEY] = project.id
    await save_user_data(update, context)
    await send(update, views.ask_progress(context.tr, project, PROGRESS_LIMIT))
    return PROGRESSING


async def progress_given(update: Update, context: BotContext) -> int:
    """The update typed; empty or too long is refused and asked again (the state stays). The entry withdrawn
    or the role lost since the button: refused, and the question is over (asking again could never succeed)."""
    d, person_id = context.deps, context.person_id
    text = update.message.text if update.message and update.message.text else ""
    project_id = int((context.user_data or {}).get(PROGRESS_KEY) or 0)
    try:
        await project_catalogue.open_progress(d.db, person_id, project_id)
    except Refused as refused:
        await _progress_over(update, context)
        await refuse(update, context, refused)
        return ConversationHandler.END
    await project_catalogue.add_progress(d.db, person_id, project_id, text, d.settings.progress_months, d.now())
    await _progress_over(update, context)
    await reply_for_sure(update, context, views.progress_saved(context.tr))
    return ConversationHandler.END


async def _progress_over(update: Update, context: BotContext) -> None:
    end_flows(context.user_data)
    await save_user_data(update, context)


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[button(ProgressAdd.when(), progress_asked)],
        states={
            PROGRESSING: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, progress_given),
                message(PRIVATE & ~filters.COMMAND, words_expected(views.progress_as_text)),
            ],
        },
    )


def _handlers() -> list[Handler]:
    return [
        command("catalogue", catalogue_command),
        command("catalogue_export", export_command),
        command("opportunities", opportunities_command),
        button(CatalogueOpen.when(), open_pressed),
        button(CatalogueBrowse.when(), browse_pressed),
        button(CatalogueDocument.when(), document_pressed),
        button(CatalogueOffer.when(), offer_pressed),
        button(CataloguePublic.when(), public_pressed),
    ]


# ---------------------------------------------------------------- outbox kinds and the reminders


async def _offer(d: Deps, item: OutboxItem, about: Offer, _: Translate) -> Rendered | None:
    found = await project_catalogue.offered_by(d.db, about)
    return None if found is None else (views.offer_notice(_, *found), None)


async def _progress_reminder(d: Deps, item: OutboxItem, about: Progress, _: Translate) -> Rendered | None:
    """Only while the entry is still running in the catalogue and the person still its contact."""
    project = await project_catalogue.entry(d.db, about.project)
    if project is None or project.status is not ProjectStatus.ACCEPTED or project.stage is not Stage.RUNNING:
        return None
    if project.author_id != item.chat_id:
        return None
    return views.progress_reminder(_, project), views.progress_keyboard(_, project)


async def _remind_progress(d: Deps) -> None:
    await project_catalogue.remind_progress(d.db, d.settings.progress_months, d.now())


FEATURE = Feature(
    name="project_catalogue",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.catalogue_commands,
    refusals=views.catalogue_refusals,
    outbox_kinds=(OutboxKind(OFFER, _offer, Offer), OutboxKind(PROGRESS_REMINDER, _progress_reminder, Progress)),
    jobs=(_remind_progress,),
)
