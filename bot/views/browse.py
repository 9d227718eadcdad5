"""The words and keyboards of browsing: the welcome and the menu, the goals, objectives and targets."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.models import Catalogue, Goal, Objective
from bot.views.account import MyTaskforces
from bot.views.buttons import button, keyboard, rows_of
from bot.views.callbacks import Buttons, Code, GoalLetter
from bot.views.commands import CommandAudience, CommandText
from bot.views.joining import JoinFrom
from bot.views.words import first_tasks, fit, goal_label, goal_name, labelled

# ---------------------------------------------------------------- its buttons


class MenuHome(Buttons, prefix="mh"):
    pass


class Goals(Buttons, prefix="bh"):
    pass


class GoalPage(Buttons, prefix="bg"):
    goal: GoalLetter


class ObjectivePage(Buttons, prefix="bo"):
    code: Code


def welcome_back(_: Translate, name: str, held: list[str]) -> str:
    if not held:
        return _("Welcome back, {name}! /join takes you into a Task Force; /help lists the rest.").format(
            name=escape(name)
        )
    return _(
        "Welcome back, {name}! Your Task Forces: {codes}. /mytaskforces shows them, /join adds one, /help lists the rest."
    ).format(name=escape(name), codes=", ".join(held))


def welcome(_: Translate) -> str:
    intro = _(
        '<b>Welcome to the Task Forces of the "4 per 1000" Initiative!</b>\n\n'
        "Our common vision is healthy and carbon-rich soils worldwide, to fight climate change "
        "and end hunger. The Strategic Plan has 24 objectives with targets for 2030 and 2050, "
        "and one Task Force works on each.\n\n"
        "A Task Force is a space where stakeholders meet, exchange and collaborate on its objective. "
        "Its primary aim is a catalogue of coordinated actions and projects that are compelling "
        "investment opportunities for decision-makers and funders. Its first tasks are:"
    )
    outro = _(
        "Study the objectives, pick a manageable number, and join as Global Leader, Regional "
        "Representative or Team Member. After registration the Task Force Facilitator will guide you."
    )
    return f"{intro}\n{first_tasks(_)}\n\n{outro}"


def goals_page(_: Translate, catalogue: Catalogue) -> str:
    lines = [_("<b>The goals of the Strategic Plan</b>"), ""]
    lines += [
        labelled(_, f"<b>{escape(goal_name(_, goal))}</b>", escape(goal.headline(_.language)))
        for goal in catalogue.goals
    ]
    lines += ["", _("Choose a goal to see its objectives.")]
    return fit("\n".join(lines))


def goal_page(_: Translate, goal: Goal, objectives: list[Objective]) -> str:
    lines = [f"<b>{escape(goal_name(_, goal))}</b>", escape(goal.headline(_.language)), ""]
    lines += [f"<b>{o.code}</b> {escape(o.title(_.language))}" for o in objectives]
    lines += ["", _("Choose an objective to read its targets.")]
    return fit("\n".join(lines))


def objective_page(_: Translate, objective: Objective) -> str:
    lang = _.language
    return fit(
        "\n".join(
            [
                _("<b>Task Force {code} · {title}</b>").format(
                    code=objective.code, title=escape(objective.title(lang))
                ),
                "",
                escape(objective.text(lang)),
                "",
                _("<b>Baseline 2020</b>"),
                escape(objective.baseline_2020(lang)),
                "",
                _("<b>Target 2030</b>"),
                escape(objective.target_2030(lang)),
                "",
                _("<b>Target 2050</b>"),
                escape(objective.target_2050(lang)),
            ]
        )
    )


def browse_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText("start", CommandAudience.EVERYONE, _("Welcome and menu"), _("/start · welcome and menu")),
        CommandText(
            "taskforces",
            CommandAudience.EVERYONE,
            _("Browse the objectives and targets"),
            _("/taskforces · browse the goals, objectives and targets"),
        ),
    ]


def home_keyboard(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Browse the objectives"), Goals().pack())],
        [button(_("Join Task Forces"), JoinFrom().pack())],
        [button(_("My Task Forces"), MyTaskforces().pack())],
    )


def goals_keyboard(_: Translate, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = [button(goal_label(_, g), GoalPage(goal=g.code).pack()) for g in catalogue.goals]
    return keyboard(*rows_of(buttons, 2), [button(_("« Menu"), MenuHome().pack())])


def goal_keyboard(_: Translate, catalogue: Catalogue, goal_code: str) -> InlineKeyboardMarkup:
    buttons = [
        button(f"{o.code} · {o.title(_.language)}", ObjectivePage(code=o.code).pack())
        for o in catalogue.objectives_of(goal_code)
    ]
    return keyboard(*rows_of(buttons, 1), [button(_("« All goals"), Goals().pack())])


def objective_keyboard(_: Translate, code: str) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Join Task Force {code}").format(code=code), JoinFrom(code=code).pack())],
        [
            button(_("« Goal {code}").format(code=code[0]), GoalPage(goal=code[0]).pack()),
            button(_("« All goals"), Goals().pack()),
        ],
    )
