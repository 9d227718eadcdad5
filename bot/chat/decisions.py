"""The Telegram side of deciding an application: from a button (approve) or the reason flow (reject)."""

from __future__ import annotations

from telegram import Update

from bot.chat.common import Context, deps, refuse, send, tr, user_id
from bot.services import facilitation
from bot.services.errors import Refused
from bot.services.facilitation import Verdict
from bot.views import notices as views
from bot.views import texts


async def decide(update: Update, context: Context, registration_id: int, verdict: Verdict, reason: str | None) -> bool:
    """Record the decision (the service re-checks authority); the applicant and prompts are told by the sender."""
    d = deps(context)
    try:
        await facilitation.decide(d.db, user_id(update), registration_id, verdict, reason, d.settings.admins, d.now())
    except Refused as refused:
        await refuse(update, context, refused)
        return False
    text = views.decided(tr(update, context), verdict.value)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.alert(text))
    else:
        await send(update, text)
    d.sender.wake()
    return True
