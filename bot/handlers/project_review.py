"""Reviewing entries of the catalogue: the prompts' buttons, the comment a decision asks for (the REVIEWING
state of the conversation), the notices the outbox sends, the reminders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.common import acknowledge, refuse, save_user_data, send, send_stored_document, words_expected
from bot.chat.context import BotContext, Deps
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.chat.sender import OutboxKind, Rendered, Renderer
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import project_review
from bot.services.arguments import storable, whole_number
from bot.services.errors import Refused
from bot.services.fields import REASON_LIMIT, clean_text
from bot.services.project_review import (
    AUTHOR_TOLD,
    CONTACT_NAMED,
    DECIDED,
    ESCALATION,
    PROMPT,
    PROMPT_DECIDED,
    REMINDER,
    OfProject,
    Verdict,
)
from bot.views import project_review as views
from bot.views.project_review import VERDICTS, ReviewDocument, ReviewPress

# Asking for changes or declining waits for the reviewer's words: the state, and what is decided, in the user data.
REVIEWING, REVIEWING_KEY = "reviewing", "reviewing"


async def _decide(update: Update, context: BotContext, project_id: int, verdict: Verdict, comment: str | None) -> None:
    """The service re-checks authority and that nobody decided first; the sender tells the author and the prompts."""
    d = context.deps
    await project_review.decide(d.db, context.person_id, project_id, verdict, comment, d.review_rules(), d.now())
    text = views.decided(context.tr, verdict)
    await acknowledge(update, text)
    d.sender.wake()


async def accept_pressed(update: Update, context: BotContext) -> None:
    await _decide(update, context, context.press(ReviewPress).project, Verdict.ACCEPT, None)


async def document_pressed(update: Update, context: BotContext) -> None:
    d = context.deps
    project_id = context.press(ReviewDocument).project
    file_id, name = await project_review.document(d.db, context.person_id, project_id, d.settings.admins)
    await send_stored_document(update, file_id, name)


async def words_asked(update: Update, context: BotContext) -> str | int:
    """Ask for changes, or Decline: the words first; authority is checked now and again when they come."""
    d, press = context.deps, context.press(ReviewPress)
    try:
        await project_review.open_review(d.db, context.person_id, press.project, d.settings.admins)
    except Refused as refused:  # unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, refused)
        return ConversationHandler.END
    end_flows(context.user_data)
    assert context.user_data is not None
    context.user_data[REVIEWING_KEY] = {"project": press.project, "choice": press.choice}
    await save_user_data(update, context)
    await send(update, views.ask_words(context.tr, VERDICTS[press.choice]))
    return REVIEWING


async def words_given(update: Update, context: BotContext) -> int:
    """The comment or reason typed; empty or too long is refused and asked again (the state stays)."""
    text = update.message.text if update.message and update.message.text else ""
    comment = clean_text(text, REASON_LIMIT)
    asked = (context.user_data or {}).get(REVIEWING_KEY) or {}
    end_flows(context.user_data)
    try:
        await _decide(update, context, int(asked.get("project", 0)), VERDICTS[asked.get("choice", "decline")], comment)
    except Refused as refused:  # decided meanwhile, no longer allowed: the asking is over all the same
        await refuse(update, context, refused)
    return ConversationHandler.END


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[button(ReviewPress.when(choice=("changes", "decline")), words_asked)],
        states={
            REVIEWING: [
                message(PRIVATE & filters.TEXT & ~filters.COMMAND, words_given),
                message(PRIVATE & ~filters.COMMAND, words_expected(views.words_as_text)),
            ],
        },
    )


async def contact_command(update: Update, context: BotContext) -> None:
    """/project_contact ID WHO: a new contact for an entry whose author deleted their data."""
    d, args = context.deps, context.args or []
    if len(args) != 2 or whole_number(args[0]) is None or not storable(whole_number(args[0]) or 0):
        await send(update, views.contact_usage(context.tr))
        return
    person, project = await project_review.name_contact(
        d.db, context.person_id, int(args[0]), args[1], d.settings.admins, d.now()
    )
    await send(update, views.contact_set(context.tr, person.full_name, project.status))
    d.sender.wake()


def _handlers() -> list[Handler]:
    return [
        button(ReviewPress.when(choice="accept"), accept_pressed),
        button(ReviewDocument.when(), document_pressed),
        command("project_contact", contact_command),
    ]


# ---------------------------------------------------------------- outbox kinds and the reminders


def _prompt_kind(name: str) -> Renderer[Deps, OfProject]:
    """A prompt (new, reminded, escalated, or edited to show the outcome): buttons while the entry waits."""

    async def render(d: Deps, item: OutboxItem, about: OfProject, _: Translate) -> Rendered | None:
        review = await project_review.review(d.db, about.project)
        if review is None:
            return None
        replaced = name == PROMPT_DECIDED
        waiting = review.project.status.value == "review" and not replaced
        text = views.prompt(_, review, d.catalogue, name, replaced)
        return text, views.prompt_keyboard(_, review.project) if waiting else None

    return render


async def _remember_prompt(d: Deps, item: OutboxItem, about: OfProject, message_id: int) -> None:
    await project_review.remember_prompt(d.db, about.project, item.chat_id, message_id)


async def _author_told(d: Deps, item: OutboxItem, about: OfProject, _: Translate) -> Rendered | None:
    """Nothing once the entry is no longer as decided (withdrawn, or submitted again, before this went)."""
    review = await project_review.review(d.db, about.project)
    if review is None or review.project.author_id != item.chat_id or review.project.status not in DECIDED:
        return None
    return views.author_told(_, review), views.author_keyboard(_, review)


async def _contact_named(d: Deps, item: OutboxItem, about: OfProject, _: Translate) -> Rendered | None:
    review = await project_review.review(d.db, about.project)
    if review is None or review.project.author_id != item.chat_id:
        return None
    return views.contact_named(_, review), None


async def _remind(d: Deps) -> None:
    await project_review.remind(d.db, d.settings.admins, d.now())


FEATURE = Feature(
    name="project_review",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.review_commands,
    refusals=views.review_refusals,
    outbox_kinds=(
        *(
            OutboxKind(name, _prompt_kind(name), OfProject, after_send=_remember_prompt)
            for name in (PROMPT, REMINDER, ESCALATION)
        ),
        OutboxKind(PROMPT_DECIDED, _prompt_kind(PROMPT_DECIDED), OfProject),
        OutboxKind(AUTHOR_TOLD, _author_told, OfProject),
        OutboxKind(CONTACT_NAMED, _contact_named, OfProject),
    ),
    jobs=(_remind,),
)
