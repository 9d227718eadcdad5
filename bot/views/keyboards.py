"""Inline keyboards; every callback datum is a button family's `pack()` (bot/views/callbacks.py)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translate
from bot.models import Catalogue, Profile, Registration
from bot.services import joining
from bot.services.accounts import PlaceChoice, PlaceQuestion
from bot.services.fields import ProfileField
from bot.services.joining import EditPart, JoinDraft, RoleOffer, Step, StepKind
from bot.views.callbacks import (
    ForgetNo,
    ForgetYes,
    GoalPage,
    Goals,
    JoinBack,
    JoinCancel,
    JoinChoice,
    JoinConfirm,
    JoinDone,
    JoinEdit,
    JoinFrom,
    JoinKeep,
    JoinOver,
    JoinPick,
    JoinResume,
    JoinRole,
    JoinToggle,
    LanguageSet,
    LeaveAsk,
    LeaveStay,
    LeaveYes,
    MenuHome,
    MyTaskforces,
    ObjectivePage,
    PlacePress,
    ProfileChoice,
    ProfileClear,
    ProfileEdit,
    TaskforceCard,
)
from bot.views.texts import field_label, goal_name, labelled, role_label, shown_value

Button = InlineKeyboardButton


MIN_PREFIX = 4  # typed letters that may stand for a longer label


@lru_cache(maxsize=4096)
def button(text: str, data: str) -> Button:
    """PTB's buttons are immutable and the same few hundred recur in every flow: each is built once."""
    return Button(text, callback_data=data)


def _rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _markup(*rows: Iterable[Button]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def home(_: Translate) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Browse the objectives"), Goals().pack())],
        [button(_("Join Task Forces"), JoinFrom().pack())],
        [button(_("My Task Forces"), MyTaskforces().pack())],
    )


def goals(_: Translate, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = [button(goal_name(_, g), GoalPage(goal=g.code).pack()) for g in catalogue.goals]
    return _markup(*_rows(buttons, 2), [button(_("« Menu"), MenuHome().pack())])


def goal(_: Translate, catalogue: Catalogue, goal_code: str) -> InlineKeyboardMarkup:
    buttons = [
        button(f"{o.code} · {o.title(_.language)}", ObjectivePage(code=o.code).pack())
        for o in catalogue.objectives_of(goal_code)
    ]
    return _markup(*_rows(buttons, 1), [button(_("« All goals"), Goals().pack())])


def objective(_: Translate, code: str) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Join Task Force {code}").format(code=code), JoinFrom(code=code).pack())],
        [
            button(_("« Goal {code}").format(code=code[0]), GoalPage(goal=code[0]).pack()),
            button(_("« All goals"), Goals().pack()),
        ],
    )


def selection(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = []
    for item in catalogue.objectives:
        mark = "✅ " if item.code in draft.selected else ("☑️ " if item.code in draft.held else "")
        buttons.append(button(mark + item.code, JoinToggle(code=item.code).pack()))
    return _markup(
        *_rows(buttons, 4),
        [
            button(_("Continue ▶"), JoinDone().pack()),
            button(_("Cancel"), JoinCancel().pack()),
        ],
    )


def profile_choices(
    _: Translate,
    field: ProfileField,
    catalogue: Catalogue,
    family: type[JoinChoice | ProfileChoice] = JoinChoice,
    kept: str | None = None,
) -> list[list[Button]]:
    """The buttons that answer a profile question, in the join flow or in /profile (`family`); `kept`, the
    earlier answer, is offered (joining) or marked ✓."""
    joining_flow = family is JoinChoice

    def choice(label: str, value: str, stored: str = "") -> Button:
        mark = "✓ " if kept is not None and stored == kept else ""
        return button(mark + label, family(field=field, value=value).pack())

    if field is ProfileField.REGION:
        regions = zip(catalogue.regions, catalogue.region_names, strict=True)
        return _rows([choice(r(_.language), str(i), name) for i, (r, name) in enumerate(regions)], 1)
    if field is ProfileField.STAKEHOLDER_TYPE:
        kinds = zip(catalogue.stakeholder_types, catalogue.stakeholder_type_names, strict=True)
        return _rows([choice(t(_.language), str(i), name) for i, (t, name) in enumerate(kinds)], 1)
    if field is ProfileField.MEMBER_STATUS:
        return _rows([choice(s.label(_.language), s.code, s.code) for s in catalogue.member_statuses], 1)
    rows = [[keep_button(_, field, kept)]] if kept and joining_flow else []
    if field is ProfileField.EMAIL and joining_flow:
        rows.append([choice(_("Skip"), "skip")])
    return rows


def keep_button(_: Translate, field: ProfileField | None, kept: str) -> Button:
    """One tap answers with what was typed before (or the name Telegram knows).

    Not through the cache: a person's answers are not kept once they are gone.
    """
    if field is None:  # a motivation: too long for a label
        label = _("Keep what I wrote")
    else:
        label = _("Use “{name}”").format(name=kept if len(kept) <= 40 else kept[:39] + "…")
    return Button(label, callback_data=JoinKeep().pack())


def pick_field(_: Translate, profile: Profile, catalogue: Catalogue) -> list[list[Button]]:
    """The summary's "Edit profile": each field with its current answer, one tap to change it."""
    buttons = []
    for field in ProfileField:
        value = shown_value(_, profile, field, catalogue)
        label = labelled(_, field_label(_, field), value if len(value) <= 30 else value[:29] + "…")
        buttons.append(Button(label, callback_data=JoinPick(field=field).pack()))
    return _rows(buttons, 1)


def roles(_: Translate, code: str, offer: RoleOffer) -> list[list[Button]]:
    return [[button(role_label(_, role), JoinRole(code=code, role=role).pack())] for role in offer.offered]


def summary(_: Translate) -> list[list[Button]]:
    return [
        [button(_("✅ Confirm"), JoinConfirm().pack())],
        [
            button(_("Edit Task Forces"), JoinEdit(part=EditPart.TASKFORCES).pack()),
            button(_("Edit profile"), JoinEdit(part=EditPart.PROFILE).pack()),
            button(_("Edit roles"), JoinEdit(part=EditPart.ROLES).pack()),
        ],
    ]


def step(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, offer: RoleOffer) -> InlineKeyboardMarkup:
    """The buttons of whatever the join flow asks next; Back after the first step, Cancel always."""
    if step.kind is StepKind.SELECT:
        return selection(_, draft, catalogue)
    rows: list[list[Button]] = []
    kept = joining.kept_answer(draft, step)
    if step.kind is StepKind.PROFILE and step.field is not None:
        rows = profile_choices(_, step.field, catalogue, kept=kept)
    elif step.kind is StepKind.ROLE and step.code is not None:
        rows = roles(_, step.code, offer)
    elif step.kind is StepKind.MOTIVATION and kept:
        rows = [[keep_button(_, None, kept)]]
    elif step.kind is StepKind.PICK_FIELD:
        rows = pick_field(_, draft.profile, catalogue)
    elif step.kind is StepKind.SUMMARY:
        rows = summary(_)
    back = [button(_("« Back"), JoinBack().pack())] if joining.can_go_back(draft) else []
    return _markup(*rows, [*back, button(_("Cancel"), JoinCancel().pack())])


def carry_on_or_start_over(_: Translate, code: str | None) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Carry on"), JoinResume().pack())],
        [button(_("Start over"), JoinOver(code=code).pack())],
    )


def resume(_: Translate) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Continue"), JoinResume().pack())],
        [button(_("Cancel"), JoinCancel().pack())],
    )


def my_registrations(_: Translate, held: list[Registration], catalogue: Catalogue) -> InlineKeyboardMarkup:
    """One button per task force held, opening its card."""
    cards = []
    for registration in held:
        objective = catalogue.objective(registration.taskforce)
        title = objective.title(_.language) if objective else ""
        cards.append(button(f"{registration.taskforce} · {title} ›", TaskforceCard(code=registration.taskforce).pack()))
    return _markup(*_rows(cards, 1), [button(_("Join Task Forces"), JoinFrom().pack())])


def taskforce_card(_: Translate, code: str) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Leave {code}").format(code=code), LeaveAsk(code=code).pack())],
        [button(_("« My Task Forces"), MyTaskforces().pack())],
    )


def confirm_leave(_: Translate, code: str) -> InlineKeyboardMarkup:
    """Destructive choices name what they do, not Yes and No."""
    return _markup(
        [button(_("Leave {code}").format(code=code), LeaveYes(code=code).pack())],
        [button(_("Stay in {code}").format(code=code), LeaveStay(code=code).pack())],
    )


def confirm_forget(_: Translate) -> InlineKeyboardMarkup:
    return _markup(
        [button(_("Delete all my data"), ForgetYes().pack())], [button(_("Keep my data"), ForgetNo().pack())]
    )


def profile_fields(_: Translate) -> InlineKeyboardMarkup:
    buttons = [button(field_label(_, f), ProfileEdit(field=f).pack()) for f in ProfileField]
    return _markup(*_rows(buttons, 2))


def clear_field(_: Translate, field: ProfileField) -> InlineKeyboardMarkup:
    """For the optional fields only."""
    label = {ProfileField.EMAIL: _("Remove my e-mail")}[field]
    return _markup([button(label, ProfileClear(field=field).pack())])


def profile_field(_: Translate, field: ProfileField, catalogue: Catalogue, current: str) -> InlineKeyboardMarkup:
    """A choice field of /profile, its current answer marked ✓."""
    rows = profile_choices(_, field, catalogue, ProfileChoice, kept=current)
    return _markup(*rows)


def place_choices(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> InlineKeyboardMarkup:
    """Keep, give up or apply for the new region: each names the place and the region now (stale otherwise)."""
    place, index = asked.place, catalogue.region_names.index(asked.region)

    def choice(label: str, chosen: PlaceChoice) -> list[Button]:
        return [button(label, PlacePress(choice=chosen, registration=place.id, region=index).pack())]

    return _markup(
        choice(_("Keep it for {region}").format(region=catalogue.label_of(place.region or "", _.language)),
               PlaceChoice.KEEP),
        choice(_("Become a Team Member"), PlaceChoice.MEMBER),
        choice(_("Apply for {region}").format(region=catalogue.label_of(asked.region, _.language)), PlaceChoice.APPLY),
    )  # fmt: skip


def languages() -> InlineKeyboardMarkup:
    """Each language named in itself, so that anyone can find theirs."""
    buttons = [button(name, LanguageSet(language=code).pack()) for code, name in LANGUAGE_NAMES.items()]
    return _markup(buttons)


def typed_choice(text: str, shown: Iterable[InlineKeyboardMarkup], *, prefix: bool) -> str | None:
    """The callback data of the one button whose label was typed: any case, any language, accents and
    emoji aside; with `prefix`, the start of a label is enough ("latin america") when only one fits."""
    wanted = _label_key(text)
    labels = {(_label_key(b.text), str(b.callback_data)) for m in shown for row in m.inline_keyboard for b in row}
    exact = {data for label, data in labels if wanted and label == wanted}
    if not exact and prefix and len(wanted) >= MIN_PREFIX:
        exact = {data for label, data in labels if label.startswith(wanted)}
    return exact.pop() if len(exact) == 1 else None


def _label_key(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label.casefold())
    kept = "".join(ch for ch in plain if (ch.isalnum() or ch.isspace()) and not unicodedata.combining(ch))
    return " ".join(kept.split())
