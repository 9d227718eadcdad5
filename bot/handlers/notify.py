"""Draining the outbox: each row rendered in its recipient's language, sent, then marked."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.handlers.common import Context, Deps, deps, edit_text
from bot.i18n import translator
from bot.models import OutboxItem
from bot.services import notices
from bot.storage import outbox, teams
from bot.views import keyboards, texts
from bot.views import notices as views

log = logging.getLogger("bot.outbox")
BATCH = 50
# Messages with decision buttons: remembered so that a decision edits every one of them.
PROMPT_KINDS = ("approval_prompt", "decision_reminder", "decision_escalation")

Rendered = tuple[str, InlineKeyboardMarkup | None]


async def drain(context: Context) -> None:
    """Send what is waiting; one drain at a time, so no row goes out twice from here."""
    d = deps(context)
    async with d.outbox_lock:
        for item in await outbox.pending(d.db, BATCH):
            if not await _deliver(context.bot, d, item):
                break


async def _deliver(bot: Bot, d: Deps, item: OutboxItem) -> bool:
    """Send one row; False when it could not go now (flood wait, network), so the rest waits too."""
    rendered = await _render(d, item)
    try:
        if rendered is not None:
            text, markup = rendered
            if item.edit_message_id is not None:
                await edit_text(bot, item.chat_id, item.edit_message_id, text, markup)
            else:
                message = await bot.send_message(item.chat_id, text, reply_markup=markup)
                if item.kind in PROMPT_KINDS and item.registration_id is not None:
                    async with d.db.transaction() as tx:
                        await teams.add_prompt(tx, item.registration_id, item.chat_id, message.message_id)
    except Forbidden:
        log.info("outbox %s: chat %s blocked the bot", item.id, item.chat_id)
        return await _mark(d, item, failed=True)
    except BadRequest as error:
        log.warning("outbox %s (%s) refused: %s", item.id, item.kind, error)
        return await _mark(d, item, failed=True)
    except TelegramError as error:
        log.warning("outbox %s not sent yet: %s", item.id, error)
        return False
    return await _mark(d, item, failed=False)


async def _mark(d: Deps, item: OutboxItem, *, failed: bool) -> bool:
    async with d.db.transaction() as tx:
        if failed:
            await outbox.mark_failed(tx, item.id, d.now())
        else:
            await outbox.mark_sent(tx, item.id, d.now())
    return True


async def _render(d: Deps, item: OutboxItem) -> Rendered | None:
    """The message for a row, from the database as it is now; None if there is nothing to say."""
    _ = translator(await notices.language_of(d.db, item.chat_id))
    if item.kind == "join_reminder":
        return texts.join_reminder(_), keyboards.resume(_)
    if item.kind == "facilitator_welcome":
        codes = await teams.taskforces_of(d.db, item.chat_id)
        return (views.facilitator_welcome(_, codes, d.catalogue), None) if codes else None
    if item.kind == "digest":
        code = str(item.params.get("code", ""))
        ids = [int(i) for i in item.params.get("ids", [])]  # type: ignore[attr-defined]
        people = await notices.people(d.db, ids)
        return (views.digest(_, code, people, d.catalogue), None) if people else None
    if item.kind == "prompt_forgotten":
        return views.prompt_forgotten(_), None
    facts = await notices.application(d.db, item.registration_id or 0)
    if facts is None:
        return None
    if item.kind == "withdrawn_by_admin":
        return views.withdrawn(_, facts, d.catalogue), None
    if item.kind == "decision":
        stay = facts.verdict == "rejected" and not any(
            r.taskforce == facts.registration.taskforce for r in facts.others
        )
        return views.decision(_, facts, d.catalogue), views.stay_keyboard(_, facts.registration.id) if stay else None
    text = views.prompt(_, facts, d.catalogue, item.kind)
    pending = facts.verdict == "pending"
    return text, views.prompt_keyboard(_, facts.registration.id) if pending else None
