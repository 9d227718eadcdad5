"""The Delphi study: rounds loaded from a file by admins, answered inline by panellists.

Typed answers go to the flow that asked last. A Delphi number, text or comment question
leaves a row saying the person's next typed message is for it; any other flow's button or
command asks something newer, and clears that row (handler group -1, before the one
conversation of group 0). So a person in the middle of a join who gets a typed Delphi
question answers it first, then goes on with the join; one who presses a join button after
the Delphi question answers the join, and finds the Delphi question again with /delphi.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, filters

from bot.chat.calls import drop_buttons
from bot.chat.common import refuse, reply, send, send_file
from bot.chat.context import BotContext, Deps
from bot.chat.feature import Feature, Handler, button, command, message
from bot.chat.sender import OutboxKind, Rendered
from bot.i18n import Translate
from bot.models import OutboxItem
from bot.services import arguments, delphi, delphi_report, delphi_results, delphi_review, publishing
from bot.services.delphi import FILE_LIMIT, RoundFileRefused, Step
from bot.services.errors import Refused
from bot.storage.delphi import INVITATION_KIND, REMINDER_KIND, OfRound
from bot.views import delphi as views
from bot.views import delphi_report as report_views
from bot.views import delphi_results as result_views
from bot.views.callbacks import any_of, is_old
from bot.views.delphi import CommentDecision, CommentPage, DelphiAnswer, DelphiContinue, DelphiQuestion

log = logging.getLogger("bot")
PRIVATE = filters.ChatType.PRIVATE
JSON_FILE = filters.Document.FileExtension("json") | filters.Document.MimeType("application/json")
DELPHI_COMMAND = re.compile(r"^/delphi(@\w+)?(\s|$)")  # /delphi itself leaves a waiting question waiting
DELPHI_BUTTON = any_of(DelphiAnswer, DelphiQuestion, DelphiContinue)  # answers the study: leaves the wait


# ---------------------------------------------------------------- admins: load, close, extend


async def document_given(update: Update, context: BotContext) -> None:
    """A JSON file sent by an admin (with or without the caption /delphi_load) is a round."""
    message = update.message
    assert message is not None and message.document is not None
    _admins_only(context)
    await _load(update, context, message.document.file_id, message.document.file_size)


async def load_command(update: Update, context: BotContext) -> None:
    """/delphi_load in reply to the file."""
    message = update.message
    replied = message.reply_to_message if message is not None else None
    _admins_only(context)
    if replied is None or replied.document is None:
        await send(update, result_views.how_to_load(context.tr))
        return
    await _load(update, context, replied.document.file_id, replied.document.file_size)


def _admins_only(context: BotContext) -> None:
    """Checked before the file is downloaded: loading a round is the Secretariat's."""
    if context.person_id not in context.deps.settings.admins:
        raise Refused("admins_only")


async def _load(update: Update, context: BotContext, file_id: str, size: int | None) -> None:
    d, _ = context.deps, context.tr
    if (size or 0) > FILE_LIMIT:
        await send(update, views.problems(_, [delphi.Problem("", "file_too_large", (str(FILE_LIMIT // 1000),))]))
        return
    raw = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    try:
        found = await delphi.load(d.db, context.person_id, d.settings.admins, raw, d.catalogue, d.now())
    except RoundFileRefused as refused:
        await send(update, views.problems(_, refused.problems))
        return
    d.sender.wake()
    await send(update, views.loaded(_, found))


async def close_command(update: Update, context: BotContext) -> None:
    d = context.deps
    study = _arguments(context, 1)[0]
    conclusion = await delphi.close_now(d.db, context.person_id, d.settings.admins, study, d.now())
    await send(update, result_views.closed_now(context.tr, conclusion))


async def extend_command(update: Update, context: BotContext) -> None:
    d = context.deps
    study, moment = _arguments(context, 2)
    closes = arguments.moment(moment)
    stored = await delphi.extend(d.db, context.person_id, d.settings.admins, study, closes, d.now())
    await send(update, result_views.extended(context.tr, stored))


def _arguments(context: BotContext, count: int) -> list[str]:
    given = list(context.args or [])
    if len(given) < count:
        raise Refused("delphi_usage")
    return given[:count]


# ---------------------------------------------------------------- admins: status and results


async def status_command(update: Update, context: BotContext) -> None:
    d = context.deps
    study = context.args[0] if context.args else None
    found = await delphi_results.status(d.db, context.person_id, d.settings.admins, study, d.now())
    await send(update, result_views.status(context.tr, found, d.catalogue))


async def results_command(update: Update, context: BotContext) -> None:
    """/delphi_results study round: that round. Without a round: the study across its rounds, the latest round
    in full, every round's answers in one CSV, and the study's report (a PDF to circulate)."""
    d, _, person = context.deps, context.tr, context.person_id
    study, *rest = _arguments(context, 1) + list(context.args or [])[1:2]
    if rest:
        latest, conclusion = await delphi_results.results(d.db, person, d.settings.admins, study, _round(rest[0]))
        found, whole = [latest], None
    else:
        whole = await delphi_results.study(d.db, person, d.settings.admins, study)
        found, latest, conclusion = whole.rounds, whole.rounds[-1], whole.conclusion
    if whole is not None and len(whole.rounds) > 1:
        for part in result_views.movement_messages(_, whole):
            await send(update, part)
    flow = await delphi_results.participation(d.db, latest.round)
    for part in result_views.report(_, latest, flow, d.catalogue, conclusion):
        await send(update, part)
    name = f"delphi-{latest.round.study}" + (f"-round{latest.round.file.round}" if whole is None else "")
    table = await asyncio.to_thread(result_views.answers_csv, _, found)
    await send_file(update, table, f"{name}.csv", result_views.answers_caption(_))
    for result in result_views.charted(latest):
        picture = await asyncio.to_thread(result_views.chart, _, result)
        await send_file(update, picture, f"{name}-{result.question.id}.png", picture=True)
    if whole is not None:
        report = await delphi_report.report(d.db, person, d.settings.admins, whole)
        document = await asyncio.to_thread(report_views.report_pdf, _, report, d.catalogue, d.now())
        await send_file(update, document, f"{name}.pdf", report_views.caption(_))


def _round(text: str) -> int:
    number = arguments.whole_number(text)
    if number is None:
        raise Refused("bad_round", given=text)
    return number


# ---------------------------------------------------------------- admins: publishing a round's figures


async def publish_command(update: Update, context: BotContext) -> None:
    await _publish(update, context, public=True)


async def unpublish_command(update: Update, context: BotContext) -> None:
    await _publish(update, context, public=False)


async def _publish(update: Update, context: BotContext, *, public: bool) -> None:
    """/delphi_publish study round (or /delphi_unpublish): the round named in full, never "the latest" by default."""
    d, given = context.deps, list(context.args or [])
    if len(given) != 2:
        raise Refused("publish_usage")
    found = await publishing.publish_round(
        d.db, context.person_id, d.settings.admins, given[0], _round(given[1]), public, d.now()
    )
    await send(update, views.published(context.tr, found, public))


# ---------------------------------------------------------------- admins: the comments fed back, reviewed


async def comments_command(update: Update, context: BotContext) -> None:
    """/delphi_comments study [round]: the round's comments (default: the latest closed round), to show or hide."""
    d = context.deps
    study, *rest = _arguments(context, 1) + list(context.args or [])[1:2]
    number = _round(rest[0]) if rest else None
    found = await delphi_review.review(d.db, context.person_id, d.settings.admins, study, number)
    await send(update, *result_views.review_page(context.tr, found, 0))


async def comment_decided(update: Update, context: BotContext) -> None:
    """Show or hide a comment: the admin re-checked, the comment found again by its author's pseudonym."""
    d, pressed = context.deps, context.press(CommentDecision)
    found = await delphi_review.decide(
        d.db,
        context.person_id,
        d.settings.admins,
        pressed.round,
        pressed.question,
        pressed.author,
        pressed.decision,
        d.now(),
    )
    await reply(update, *result_views.review_page(context.tr, found, pressed.page))


async def comments_page_turned(update: Update, context: BotContext) -> None:
    d, pressed = context.deps, context.press(CommentPage)
    found = await delphi_review.review_of(d.db, context.person_id, d.settings.admins, pressed.round)
    await reply(update, *result_views.review_page(context.tr, found, pressed.page))


# ---------------------------------------------------------------- panellists


async def delphi_command(update: Update, context: BotContext) -> None:
    d, _ = context.deps, context.tr
    found = await delphi.my_rounds(d.db, context.person_id, d.now())
    await send(update, views.my_rounds(_, found), views.my_rounds_keyboard(_, found))


async def answer_pressed(update: Update, context: BotContext) -> None:
    """A point of a scale or an option of a choice."""
    d, pressed = context.deps, context.press(DelphiAnswer)
    given = str(pressed.point)
    current = await delphi.answer(d.db, context.person_id, pressed.round, pressed.question, given, d.now())
    await _answered(update, context, current, edit=True)


async def question_pressed(update: Update, context: BotContext) -> None:
    """On a question: keep the previous round's answer, add a comment, skip it, open it, or see the previous
    round by stakeholder type or as a chart."""
    d, _, person, now = context.deps, context.tr, context.person_id, context.deps.now()
    pressed = context.press(DelphiQuestion)
    round_id, index = pressed.round, pressed.question
    match pressed.action:
        case "keep":
            await _answered(update, context, await delphi.keep(d.db, person, round_id, index, now), edit=True)
        case "comment":
            current = await delphi.ask_comment(d.db, person, round_id, index, now, update.update_id)
            d.typing_awaited.add(person)
            await reply(update, views.answered(_, current) + "\n\n" + views.ask_comment(_))
        case "next":
            await _next(update, context, round_id)
            _drop_own_buttons(update, context)
        case "open" | "types" | "chart":
            chosen = await delphi.step(d.db, person, round_id, index, now)
            assert chosen is not None
            if pressed.action == "open":
                await _show(update, context, chosen)
            else:
                await _previous_round(update, context, chosen, split=pressed.action == "types")


async def continue_pressed(update: Update, context: BotContext) -> None:
    """Continue ›, under a reminder: the next question not answered yet."""
    await _next(update, context, context.press(DelphiContinue).round)


async def _answered(update: Update, context: BotContext, current: Step, *, edit: bool) -> None:
    """The answer shown back, and a comment offered (a reason, when it lies far from the group's)."""
    _ = context.tr
    said = await delphi_results.feedback(context.deps.db, current.round, current.index, context.person_id)
    markup = views.comment_keyboard(_, current, reason=said is not None and _far(said, current))
    await (reply if edit else send)(update, views.answered(_, current), markup)


def _far(said: delphi_results.Feedback, current: Step) -> bool:
    """The answer just given lies outside the previous round's interquartile range."""
    spread = said.result.whole.figures
    value = current.answer.value if current.answer is not None else None
    return spread is not None and value is not None and not spread.q1 <= value <= spread.q3


async def _previous_round(update: Update, context: BotContext, current: Step, *, split: bool) -> None:
    """A repeated question's previous round: split by stakeholder type, or as a chart."""
    d, _ = context.deps, context.tr
    said = await delphi_results.feedback(d.db, current.round, current.index, context.person_id, split=split)
    if said is None:
        raise Refused("stale")
    if split:
        file = current.round.file
        await send(update, result_views.by_type(_, said, d.catalogue, file.consensus.rule, file.min_group))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    heading = result_views.round_heading(_, said.round, current.question.id)
    picture = await asyncio.to_thread(result_views.chart, _, said.result, heading)
    await send_file(update, picture, "round.png", picture=True)


def _drop_own_buttons(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:  # cosmetic: the person's next update need not wait
        context.application.create_task(
            drop_buttons(context.bot, query.message.chat.id, query.message.message_id), update=update
        )


async def _next(update: Update, context: BotContext, round_id: int) -> None:
    """The first question not answered yet, or the thanks when there is none."""
    d = context.deps
    current = await delphi.step(d.db, context.person_id, round_id, None, d.now())
    if current is None:
        stored = await delphi.running_round(d.db, round_id, d.now())
        await send(update, views.all_answered(context.tr, stored))
        return
    await _show(update, context, current)


async def _show(update: Update, context: BotContext, current: Step) -> None:
    """A question as a new message; a typed one waits for the person's next message (saved first)."""
    d, person = context.deps, context.person_id
    await delphi.wait_for_typed(d.db, person, current, update.update_id, d.now())
    if current.question.type.typed:
        d.typing_awaited.add(person)
    text, markup = await _question(d, context.tr, current, person)
    await send(update, text, markup)


async def _question(
    d: Deps, _: Translate, current: Step, person: int, heading: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A question, after the previous round's result when it is asked again."""
    said = await delphi_results.feedback(d.db, current.round, current.index, person)
    block = result_views.feedback_block(_, said) if said is not None else ""
    text = views.question(_, current, heading="\n\n".join(part for part in (heading, block) if part))
    return text, views.question_keyboard(_, current, said.own if said is not None else None)


async def typed(update: Update, context: BotContext) -> None:
    """A typed message, when a Delphi question asked for it last: the answer or the comment.

    Handled here whatever comes of it (nothing later sees the text), so a refusal is answered here too: not
    through the polite wrapper, which would let the text go on to the other handlers."""
    d, person = context.deps, context.person_id
    found = await delphi.waiting(d.db, person)
    if found is None:
        d.typing_awaited.discard(person)
        return
    message = update.message
    assert message is not None and message.text is not None
    try:
        if delphi.typed_again(found, update.update_id, d.now()):  # delivered again after a kill: applied
            await _next(update, context, found.round_id)
        elif found.what == "comment":
            await delphi.comment(d.db, person, found.round_id, found.question, message.text, d.now())
            d.typing_awaited.discard(person)
            await send(update, views.comment_saved(context.tr))
            await _next(update, context, found.round_id)
        else:
            current = await delphi.answer(d.db, person, found.round_id, found.question, message.text, d.now())
            d.typing_awaited.discard(person)
            await _answered(update, context, current, edit=False)
    except Refused as refused:
        if refused.reason in ("round_closed", "stale"):
            await delphi.stop_waiting(d.db, person)
            d.typing_awaited.discard(person)
        await refuse(update, context, refused)
    log.info("update %s: a typed Delphi %s", update.update_id, found.what)  # the recorder of group 1 does not run
    raise ApplicationHandlerStop


async def other_flow(update: Update, context: BotContext) -> None:
    """Another flow's button or command asks something newer: typed text is no longer for Delphi."""
    d, person = context.deps, context.person_id
    await delphi.stop_waiting(d.db, person)
    d.typing_awaited.discard(person)


class TypingForDelphi(BaseHandler[Update, BotContext, None]):
    """Handler group -1, before the conversation: only for people a Delphi question waits for (a set kept in
    memory, so that everyone else's update costs one lookup). Their typed text answers the question; another
    flow's button or command asks something newer, and clears the wait."""

    def __init__(self, awaited: set[int]) -> None:
        super().__init__(self._handle)
        self._awaited = awaited

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        if update.effective_user.id not in self._awaited or update.effective_chat is None:
            return False
        if update.effective_chat.type != "private":
            return False
        if update.callback_query is not None:  # an old version's button does nothing, so asks nothing newer
            data = update.callback_query.data
            return not DELPHI_BUTTON(data) and not is_old(data)
        text = update.message.text if update.message is not None else None
        return text is not None and not DELPHI_COMMAND.match(text)

    @staticmethod
    async def _handle(update: Update, context: BotContext) -> None:
        if update.callback_query is not None or filters.COMMAND.check_update(update):
            await other_flow(update, context)
        else:
            await typed(update, context)


def _handlers() -> list[Handler]:
    return [
        command("delphi", delphi_command),
        button(DelphiAnswer.when(), answer_pressed),
        button(DelphiQuestion.when(), question_pressed),
        button(DelphiContinue.when(), continue_pressed),
        message(PRIVATE & JSON_FILE, document_given),
        command("delphi_load", load_command),
        command("delphi_close", close_command),
        command("delphi_extend", extend_command),
        command("delphi_status", status_command),
        command("delphi_results", results_command),
        command("delphi_comments", comments_command),
        command("delphi_publish", publish_command),
        command("delphi_unpublish", unpublish_command),
        button(CommentDecision.when(), comment_decided),
        button(CommentPage.when(), comments_page_turned),
    ]


# ---------------------------------------------------------------- outbox and periodic jobs


async def _invitation(d: Deps, item: OutboxItem, invited: OfRound, _: Translate) -> Rendered | None:
    current = await delphi.next_question(d.db, item.chat_id, invited.round, d.now())
    if current is None:
        return None  # closed since, or every question answered already
    return await _question(d, _, current, item.chat_id, views.invitation_heading(_, current))


async def _invited(d: Deps, item: OutboxItem, invited: OfRound, message_id: int) -> None:
    """The first question went out: if it is typed, the panellist's next message answers it."""
    current = await delphi.next_question(d.db, item.chat_id, invited.round, d.now())
    if current is not None and current.question.type.typed:
        await delphi.wait_for_typed(d.db, item.chat_id, current, 0, d.now())
        d.typing_awaited.add(item.chat_id)


async def _reminder(d: Deps, item: OutboxItem, reminded: OfRound, _: Translate) -> Rendered | None:
    current = await delphi.next_question(d.db, item.chat_id, reminded.round, d.now())
    if current is None:
        return None  # answered everything since the reminder was queued, or closed
    return views.reminder(_, current.round, current.total - current.answered), views.continue_keyboard(
        _, current.round.id
    )


async def _rounds_due(d: Deps) -> None:
    """Open what is due, close what is over, queue the reminders that fell due, tell of invitations that failed
    once a round's have all settled: all from the rows."""
    now, admins = d.now(), d.settings.admins
    await delphi.open_due(d.db, now, admins, d.due_failing)
    await delphi.close_due(d.db, now, admins, d.due_failing)
    await delphi.remind_due(d.db, now, d.due_failing)
    await delphi.tell_failed_invitations(d.db, now, admins, d.due_failing)


async def _event(d: Deps, item: OutboxItem, event: delphi.Event, _: Translate) -> Rendered | None:
    """The Secretariat told that a round opened or closed by itself, or of the invitations that failed."""
    if event.event == "invitations":
        failed = await delphi.invitations(d.db, event.round)
        return (result_views.failed_invitations(_, failed), None) if failed is not None else None
    told = await delphi.event(d.db, event.round, closed=event.event == "closed")
    return (result_views.round_event(_, event.event, told), None) if told is not None else None


async def _load_waiting(d: Deps) -> None:
    """Whose next typed message a Delphi question waits for, from the rows: a restart forgets nobody."""
    d.typing_awaited |= await delphi.people_waiting(d.db)


FEATURE = Feature(
    name="delphi",
    handlers=_handlers,
    early=lambda deps: [TypingForDelphi(deps.typing_awaited)],  # text a Delphi question awaits
    commands=views.delphi_commands,
    refusals=views.delphi_refusals,
    outbox_kinds=(
        OutboxKind(INVITATION_KIND, _invitation, OfRound, after_send=_invited),
        OutboxKind(REMINDER_KIND, _reminder, OfRound),
        OutboxKind(delphi.EVENT_KIND, _event, delphi.Event),
    ),
    jobs=(_rounds_due,),
    on_start=(_load_waiting,),
)
