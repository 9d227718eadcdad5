"""Inline keyboards; every callback datum is made by `callbacks.encode`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translate
from bot.models import Catalogue, Registration, Role
from bot.services.fields import ProfileField
from bot.services.joining import JoinDraft, Step, StepKind
from bot.views.callbacks import encode
from bot.views.texts import field_label, goal_name, role_label

Button = InlineKeyboardButton


def _rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _markup(*rows: Iterable[Button]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def home(_: Translate) -> InlineKeyboardMarkup:
    return _markup(
        [Button(_("Browse the objectives"), callback_data=encode("b", "home"))],
        [Button(_("Join Task Forces"), callback_data=encode("j", "new"))],
        [Button(_("My Task Forces"), callback_data=encode("m", "mine"))],
    )


def goals(_: Translate, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = [Button(goal_name(_, g), callback_data=encode("b", "g", g.code)) for g in catalogue.goals]
    return _markup(*_rows(buttons, 2), [Button(_("« Menu"), callback_data=encode("m", "home"))])


def goal(_: Translate, catalogue: Catalogue, goal_code: str) -> InlineKeyboardMarkup:
    buttons = [
        Button(f"{o.code} · {o.title(_.language)}", callback_data=encode("b", "o", o.code))
        for o in catalogue.objectives_of(goal_code)
    ]
    return _markup(*_rows(buttons, 1), [Button(_("« All goals"), callback_data=encode("b", "home"))])


def objective(_: Translate, code: str) -> InlineKeyboardMarkup:
    return _markup(
        [Button(_("Join Task Force {code}").format(code=code), callback_data=encode("j", "go", code))],
        [
            Button(_("« Goal {code}").format(code=code[0]), callback_data=encode("b", "g", code[0])),
            Button(_("« All goals"), callback_data=encode("b", "home")),
        ],
    )


def selection(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = []
    for item in catalogue.objectives:
        mark = "✅ " if item.code in draft.selected else ("☑️ " if item.code in draft.held else "")
        buttons.append(Button(mark + item.code, callback_data=encode("j", "t", item.code)))
    return _markup(
        *_rows(buttons, 4),
        [
            Button(_("Continue ▶"), callback_data=encode("j", "d")),
            Button(_("Cancel"), callback_data=encode("j", "x")),
        ],
    )


def profile_choices(
    _: Translate, field: ProfileField, catalogue: Catalogue, area: str = "j", suggested_name: str | None = None
) -> list[list[Button]]:
    """The buttons that answer a profile question (none for free text without a default)."""

    def button(label: str, choice: str) -> Button:
        action = "f" if area == "j" else "c"
        return Button(label, callback_data=encode(area, action, field.value, choice))

    if field is ProfileField.REGION:
        return _rows([button(r(_.language), str(i)) for i, r in enumerate(catalogue.regions)], 1)
    if field is ProfileField.STAKEHOLDER_TYPE:
        return _rows([button(t(_.language), str(i)) for i, t in enumerate(catalogue.stakeholder_types)], 1)
    if field is ProfileField.MEMBER_STATUS:
        return _rows([button(s.label(_.language), s.code) for s in catalogue.member_statuses], 1)
    if field is ProfileField.NAME and suggested_name and area == "j":
        return [[button(_("Use “{name}”").format(name=suggested_name), "keep")]]
    if field is ProfileField.EMAIL and area == "j":
        return [[button(_("Skip"), "skip")]]
    return []


def roles(_: Translate, code: str, may_lead: bool) -> list[list[Button]]:
    offered = list(Role) if may_lead else [Role.MEMBER]
    return [[Button(role_label(_, role), callback_data=encode("j", "r", code, role.value))] for role in offered]


def summary(_: Translate) -> list[list[Button]]:
    return [
        [Button(_("✅ Confirm"), callback_data=encode("j", "ok"))],
        [
            Button(_("Edit Task Forces"), callback_data=encode("j", "e", "tf")),
            Button(_("Edit profile"), callback_data=encode("j", "e", "pr")),
            Button(_("Edit roles"), callback_data=encode("j", "e", "ro")),
        ],
    ]


def step(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, may_lead: bool) -> InlineKeyboardMarkup:
    """The buttons of whatever the join flow asks next; Cancel is always there."""
    if step.kind is StepKind.SELECT:
        return selection(_, draft, catalogue)
    rows: list[list[Button]] = []
    if step.kind is StepKind.PROFILE and step.field is not None:
        rows = profile_choices(_, step.field, catalogue, suggested_name=draft.suggested_name)
    elif step.kind is StepKind.ROLE and step.code is not None:
        rows = roles(_, step.code, may_lead)
    elif step.kind is StepKind.SUMMARY:
        rows = summary(_)
    return _markup(*rows, [Button(_("Cancel"), callback_data=encode("j", "x"))])


def resume(_: Translate) -> InlineKeyboardMarkup:
    return _markup(
        [Button(_("Continue"), callback_data=encode("j", "resume"))],
        [Button(_("Cancel"), callback_data=encode("j", "x"))],
    )


def my_registrations(_: Translate, held: list[Registration]) -> InlineKeyboardMarkup:
    leave = [
        Button(_("Leave {code}").format(code=r.taskforce), callback_data=encode("lv", "a", r.taskforce)) for r in held
    ]
    return _markup(*_rows(leave, 3), [Button(_("Join Task Forces"), callback_data=encode("j", "new"))])


def confirm(_: Translate, yes: str, no: str) -> InlineKeyboardMarkup:
    return _markup([Button(_("Yes"), callback_data=yes), Button(_("No"), callback_data=no)])


def profile_fields(_: Translate) -> InlineKeyboardMarkup:
    buttons = [Button(field_label(_, f), callback_data=encode("pf", "e", f.value)) for f in ProfileField]
    return _markup(*_rows(buttons, 2))


def profile_field(_: Translate, field: ProfileField, catalogue: Catalogue) -> InlineKeyboardMarkup:
    rows = profile_choices(_, field, catalogue, area="pf")
    return _markup(*rows)


def languages() -> InlineKeyboardMarkup:
    """Each language named in itself, so that anyone can find theirs."""
    buttons = [Button(name, callback_data=encode("lg", "set", code)) for code, name in LANGUAGE_NAMES.items()]
    return _markup(buttons)
