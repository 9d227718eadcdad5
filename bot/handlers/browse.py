"""The welcome, the menu and browsing goals → objectives → an objective's page."""

from __future__ import annotations

from telegram import Update

from bot.chat.common import reply
from bot.chat.context import BotContext
from bot.chat.feature import Feature, Handler, button, command
from bot.services import accounts
from bot.services.errors import Refused
from bot.views import browse as views
from bot.views.browse import GoalPage, Goals, MenuHome, ObjectivePage


async def start(update: Update, context: BotContext) -> None:
    """The full welcome the first time; a returning person is greeted briefly, with their task forces."""
    d, _ = context.deps, context.tr
    person = await accounts.person(d.db, context.person_id)
    if person is None:
        await reply(update, views.welcome(_), views.home_keyboard(_))
        return
    held = [r.taskforce for r in await accounts.registrations(d.db, person.telegram_id) if r.status.holds_place]
    await reply(update, views.welcome_back(_, person.name, held), views.home_keyboard(_))


async def taskforces(update: Update, context: BotContext) -> None:
    _, catalogue = context.tr, context.deps.catalogue
    await reply(update, views.goals_page(_, catalogue), views.goals_keyboard(_, catalogue))


async def goal_page(update: Update, context: BotContext) -> None:
    _, catalogue = context.tr, context.deps.catalogue
    goal = catalogue.goal(context.press(GoalPage).goal)
    if goal is None:  # a letter the catalogue no longer has
        raise Refused("stale")
    objectives = catalogue.objectives_of(goal.code)
    await reply(update, views.goal_page(_, goal, objectives), views.goal_keyboard(_, catalogue, goal.code))


async def objective_page(update: Update, context: BotContext) -> None:
    _ = context.tr
    objective = context.deps.catalogue.objective(context.press(ObjectivePage).code)
    if objective is None:  # a code the catalogue no longer has
        raise Refused("stale")
    await reply(update, views.objective_page(_, objective), views.objective_keyboard(_, objective.code))


def _handlers() -> list[Handler]:
    return [
        command("start", start),
        command("taskforces", taskforces),
        button(MenuHome.when(), start),
        button(Goals.when(), taskforces),
        button(GoalPage.when(), goal_page),
        button(ObjectivePage.when(), objective_page),
    ]


FEATURE = Feature(name="browse", handlers=_handlers, commands=views.browse_commands)
