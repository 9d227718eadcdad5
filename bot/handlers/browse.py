"""The welcome, the menu and browsing goals → objectives → an objective's page."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.chat.common import Context, Handler, deps, refuse, reply, tr, user_id
from bot.services import accounts
from bot.services.errors import Refused
from bot.views import keyboards, texts
from bot.views.callbacks import decode

PRIVATE = filters.ChatType.PRIVATE


async def start(update: Update, context: Context) -> None:
    """The full welcome the first time; a returning person is greeted briefly, with their task forces."""
    d = deps(context)
    _ = tr(update, context)
    person = await accounts.person(d.db, user_id(update))
    if person is None:
        await reply(update, texts.welcome(_), keyboards.home(_))
        return
    held = [r.taskforce for r in await accounts.registrations(d.db, person.telegram_id) if r.status.holds_place]
    await reply(update, texts.welcome_back(_, person.name, held), keyboards.home(_))


async def taskforces(update: Update, context: Context) -> None:
    _ = tr(update, context)
    catalogue = deps(context).catalogue
    await reply(update, texts.goals_page(_, catalogue), keyboards.goals(_, catalogue))


async def browse_press(update: Update, context: Context) -> None:
    _ = tr(update, context)
    catalogue = deps(context).catalogue
    press = decode(update.callback_query.data if update.callback_query else None)
    if press is None or press.action == "home":
        await taskforces(update, context)
    elif press.action == "g" and (goal := catalogue.goal(press.arg)) is not None:
        objectives = catalogue.objectives_of(goal.code)
        await reply(update, texts.goal_page(_, goal, objectives), keyboards.goal(_, catalogue, goal.code))
    elif press.action == "o" and (objective := catalogue.objective(press.arg)) is not None:
        await reply(update, texts.objective_page(_, objective), keyboards.objective(_, objective.code))
    else:
        await refuse(update, context, Refused("stale"))


def handlers() -> list[Handler]:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler("taskforces", taskforces, filters=PRIVATE),
        CallbackQueryHandler(start, pattern=r"^m:home$"),
        CallbackQueryHandler(browse_press, pattern=r"^b:"),
    ]
