"""Describing an action or a project: /project, its buttons, and the DESCRIBING state of the conversation.

The draft is a row of the database, written before each question goes out; the conversation's user
data holds only which draft is open. Any of its buttons opens it again, after a restart or another flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.chat.common import refuse, reply, reply_for_sure, save_user_data, send
from bot.chat.context import BotContext
from bot.chat.feature import PRIVATE, ConversationPart, Feature, Handler, button, command, message
from bot.chat.keys import end_flows
from bot.services import accounts, projects
from bot.services.errors import Refused
from bot.services.project_fields import Document
from bot.services.projects import Draft
from bot.views import projects as views
from bot.views.callbacks import any_of
from bot.views.projects import (
    PROJECT_STEPS,
    OfProject,
    ProjectAnswer,
    ProjectMine,
    ProjectNav,
    ProjectOver,
    ProjectPick,
    ProjectResume,
    ProjectsPage,
    ProjectToggle,
)

# Applies a typed answer or a file to the draft of this id.
Answering = Callable[[int], Awaitable[Draft]]
TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
# The conversation's state while a draft is open, and the draft's id in the user data.
DESCRIBING, PROJECT_KEY = "describing", "project"


def _open(context: BotContext) -> int | None:
    found = (context.user_data or {}).get(PROJECT_KEY)
    return found if isinstance(found, int) else None


async def show(
    update: Update, context: BotContext, draft: Draft, *, new_message: bool = False, notice: str = ""
) -> str:
    """Ask what the draft lacks; which draft is open is saved before the question goes out."""
    d, _ = context.deps, context.tr
    assert context.user_data is not None
    context.user_data[PROJECT_KEY] = draft.project.id
    await save_user_data(update, context)
    choosable = await projects.choosable_taskforces(d.db, context.person_id, draft.project)
    person = await accounts.person(d.db, context.person_id)
    text = views.step_question(_, draft, d.catalogue)
    markup = views.step_keyboard(_, draft, d.catalogue, choosable, person.organisation if person else None)
    await (send if new_message else reply)(update, f"{notice}\n\n{text}" if notice else text, markup)
    return DESCRIBING


async def project_command(update: Update, context: BotContext) -> str | int:
    """/project [CODE]: a new description; an unfinished one is offered first."""
    d, person_id = context.deps, context.person_id
    code = context.args[0].upper() if context.args else None
    waiting = await projects.new_draft(d.db, person_id)
    if waiting is not None:
        draft = await projects.open_draft(d.db, person_id, waiting)
        over = code if code is not None and d.catalogue.objective(code) is not None else None
        await send(
            update,
            views.draft_waiting(context.tr, draft.project),
            views.draft_waiting_keyboard(context.tr, draft.project, over),
        )
        return ConversationHandler.END
    return await _start(update, context, code)


async def _start(update: Update, context: BotContext, code: str | None) -> str | int:
    d = context.deps
    try:
        draft = await projects.start(d.db, context.person_id, code, d.catalogue, d.now())
    except Refused as refused:  # a command: unlike the polite wrapper, this ends whatever flow the person was in
        await refuse(update, context, refused)
        return ConversationHandler.END
    return await _switch(update, context, draft)


async def _switch(update: Update, context: BotContext, draft: Draft) -> str:
    """The draft's open question in a new message: whatever other flow the person was in ends."""
    end_flows(context.user_data)
    return await show(update, context, draft, new_message=True)


async def _draft(context: BotContext, project_id: int) -> Draft:
    """The person's draft; one submitted or discarded since is refused, and the flow they are in stays."""
    try:
        return await projects.open_draft(context.deps.db, context.person_id, project_id)
    except Refused:
        raise Refused("no_draft") from None


async def start_over(update: Update, context: BotContext) -> str:
    """Start a new one: the draft the button names is replaced; under an earlier draft, it changes nothing."""
    d, press = context.deps, context.press(ProjectOver)
    draft = await projects.start(d.db, context.person_id, press.code, d.catalogue, d.now(), replacing=press.project)
    return await _switch(update, context, draft)


async def resume(update: Update, context: BotContext) -> str:
    return await _switch(update, context, await _draft(context, context.press(ProjectResume).project))


async def step_pressed(update: Update, context: BotContext) -> str | int | None:
    """Every button of a draft's question; also after a restart or another flow, since each names its draft.
    Only a press that changes the draft opens it: one that changes nothing leaves the person's flow as it is."""
    d, person_id = context.deps, context.person_id
    press = context.press(OfProject)
    project_id = press.project
    update_id, now = update.update_id, d.now()
    try:
        match press:
            case ProjectNav(action="later"):
                await projects.open_draft(d.db, person_id, project_id)
                return await _leave(update, context, project_id, views.saved_for_later(context.tr))
            case ProjectNav(action="discard"):
                await projects.discard(d.db, person_id, project_id, now)
                return await _leave(update, context, project_id, views.discarded(context.tr))
            case ProjectNav(action="submit"):
                return await _submit(update, context, project_id)
            case ProjectNav(action="back"):
                draft = await projects.back(d.db, person_id, project_id, update_id, now)
            case ProjectNav(action="done"):
                draft = await projects.taskforces_done(d.db, person_id, project_id, update_id, now)
            case ProjectNav(action="edit"):
                draft = await projects.pick(d.db, person_id, project_id, None, update_id, now)
            case ProjectPick(field=field):
                draft = await projects.pick(d.db, person_id, project_id, field, update_id, now)
            case ProjectToggle(code=code):
                draft = await projects.toggle_taskforce(d.db, person_id, project_id, code, update_id, now)
            case ProjectAnswer(field=field, value=value):
                draft = await projects.answer_choice(
                    d.db, person_id, project_id, field, value, update_id, now, d.catalogue
                )
            case _:
                raise Refused("stale")
    except Refused as refused:
        if refused.reason != "stale":
            raise  # said politely; the question stays as it is
        return await _current(update, context, project_id)
    if _open(context) != project_id:
        end_flows(context.user_data)  # an answer to this draft opens it: the flow the person was in ends
    return await show(update, context, draft)


async def _current(update: Update, context: BotContext, project_id: int) -> str | int:
    """A press that changed nothing. Of the draft being written (an earlier question's), the open question
    comes again below; of another draft, it is refused and the person's flow stays as it is."""
    if _open(context) != project_id:
        await _draft(context, project_id)
        raise Refused("stale")
    try:
        draft = await projects.open_draft(context.deps.db, context.person_id, project_id)
    except Refused:
        await _out_of(update, context, project_id)
        await refuse(update, context, Refused("no_draft"))
        return ConversationHandler.END
    return await show(update, context, draft, new_message=True, notice=context.refusal(Refused("stale")))


async def _out_of(update: Update, context: BotContext, project_id: int | None) -> int | None:
    """Done with a draft: the conversation's state after it. Describing it ends; a press under a draft that is
    not the one open leaves the person's flow (another draft's, a join) as it is."""
    if _open(context) != project_id:
        return None
    end_flows(context.user_data)
    await save_user_data(update, context)
    return ConversationHandler.END


async def _leave(update: Update, context: BotContext, project_id: int | None, text: str) -> int | None:
    state = await _out_of(update, context, project_id)
    await reply(update, text)
    return state


async def _submit(update: Update, context: BotContext, project_id: int) -> int | None:
    d = context.deps
    outcome = await projects.submit(d.db, context.person_id, project_id, d.review_rules(), d.now())
    state = await _out_of(update, context, project_id)
    await reply_for_sure(update, context, views.submitted(context.tr, outcome))
    d.sender.wake()
    return state


async def _answered(update: Update, context: BotContext, answer: Answering) -> str | int:
    """A typed answer or a file: applied, or refused naming its field, then the open question again."""
    d, project_id = context.deps, _open(context)
    if project_id is None:
        return ConversationHandler.END
    try:
        draft = await answer(project_id)
        notice = ""
    except Refused as refused:
        try:
            draft = await projects.open_draft(d.db, context.person_id, project_id)
        except Refused:
            await _out_of(update, context, project_id)
            await send(update, views.no_draft(context.tr))
            return ConversationHandler.END
        notice = views.field_refused(context.tr, draft.step.field, context.refusal(refused))
    return await show(update, context, draft, new_message=True, notice=notice)


async def typed(update: Update, context: BotContext) -> str | int:
    d, text = context.deps, update.message.text if update.message and update.message.text else ""

    async def answer(project_id: int) -> Draft:
        return await projects.answer_text(d.db, context.person_id, project_id, text, update.update_id, d.now())

    return await _answered(update, context, answer)


async def document_sent(update: Update, context: BotContext) -> str | int:
    d, file = context.deps, update.message.document if update.message else None
    assert file is not None
    sent = Document(file.file_id, file.file_name, file.file_size, file.mime_type)

    async def answer(project_id: int) -> Draft:
        return await projects.answer_document(d.db, context.person_id, project_id, sent, update.update_id, d.now())

    return await _answered(update, context, answer)


async def other_sent(update: Update, context: BotContext) -> str | int:
    """A photo, a sticker, a voice message: say what is expected, ask again."""
    d, project_id = context.deps, _open(context)
    if project_id is None:
        return ConversationHandler.END
    draft = await projects.open_draft(d.db, context.person_id, project_id)
    return await show(update, context, draft, new_message=True, notice=views.file_expected(context.tr, draft.step))


async def cancel(update: Update, context: BotContext) -> int | None:
    """/cancel while describing: nothing is lost, the draft waits for /project."""
    return await _leave(update, context, _open(context), views.saved_for_later(context.tr))


# ---------------------------------------------------------------- /projects: an author's entries


async def projects_command(update: Update, context: BotContext) -> None:
    entries = await projects.own(context.deps.db, context.person_id)
    await send(update, views.own_list(context.tr, entries), views.own_keyboard(entries))


async def page_pressed(update: Update, context: BotContext) -> None:
    """◀ ▶ of /projects: the list read again, at the page asked for."""
    entries = await projects.own(context.deps.db, context.person_id)
    page = context.press(ProjectsPage).page
    await reply(update, views.own_list(context.tr, entries, page), views.own_keyboard(entries, page))


async def mine_pressed(update: Update, context: BotContext) -> None:
    """An entry's card, Withdraw and its confirmation; each re-read and re-checked by the service."""
    d, _, press = context.deps, context.tr, context.press(ProjectMine)
    entry = await projects.own_entry(d.db, context.person_id, press.project)
    if press.action == "withdraw":
        await reply(update, views.withdraw_question(_, entry), views.withdraw_keyboard(_, entry))
    elif press.action == "confirm":
        await projects.withdraw(d.db, context.person_id, entry.id, d.now())
        await reply_for_sure(update, context, views.withdrawn(_, entry))
        d.sender.wake()
    else:
        revising = await projects.revision(d.db, entry.id) is not None
        await reply(update, views.own_card(_, entry, d.catalogue, revising), views.own_card_keyboard(_, entry))


async def edit_pressed(update: Update, context: BotContext) -> str:
    """Edit a submitted entry: its changes are a draft of their own, opened at the summary."""
    d = context.deps
    draft = await projects.start_revision(d.db, context.person_id, context.press(ProjectMine).project, d.now())
    return await _switch(update, context, draft)  # refused (a stale button): polite, the person's flow stays


def _handlers() -> list[Handler]:
    return [
        command("projects", projects_command),
        button(ProjectsPage.when(), page_pressed),
        button(ProjectMine.when(action=("show", "withdraw", "confirm")), mine_pressed),
    ]


def _conversation() -> ConversationPart:
    return ConversationPart(
        entry_points=[
            command("project", project_command),
            button(ProjectResume.when(), resume),
            button(ProjectOver.when(), start_over),
            button(any_of(*PROJECT_STEPS), step_pressed),  # taken in any state: each names its draft
            button(ProjectMine.when(action="edit"), edit_pressed),
        ],
        states={
            DESCRIBING: [
                command("cancel", cancel),
                message(TYPED, typed),
                message(PRIVATE & filters.Document.ALL, document_sent),
                message(PRIVATE & ~filters.COMMAND, other_sent),
            ],
        },
    )


FEATURE = Feature(
    name="projects",
    handlers=_handlers,
    conversation=_conversation,
    commands=views.projects_commands,
    refusals=views.projects_refusals,
)
