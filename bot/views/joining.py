"""The words and keyboards of joining task forces: each step of the join flow, its summary and outcome."""

from __future__ import annotations

from html import escape
from typing import Literal

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup

from bot.i18n import Translate
from bot.models import Catalogue, Goal, Objective, Profile, RegistrationStatus, Role
from bot.services import joining
from bot.services.authority import Decider
from bot.services.errors import Refused
from bot.services.fields import MOTIVATION_LIMIT, ProfileField
from bot.services.joining import EditPart, JoinDraft, Joined, RoleOffer, Stage, Step, StepKind
from bot.views.buttons import Button, button, keyboard, rows_of
from bot.views.callbacks import Buttons, ChoiceValue, Code, GoalLetter
from bot.views.commands import CommandAudience, CommandText
from bot.views.fields import field_label, profile_choices, profile_lines, profile_question, shown_value
from bot.views.words import (
    common_refusals,
    first_tasks,
    fit,
    goal_label,
    goal_name,
    labelled,
    quoted,
    refusal,
    role_for,
    role_label,
    status_label,
)

# ---------------------------------------------------------------- its buttons


class JoinFrom(Buttons, prefix="jg"):
    """Start a join: from the menu (no code), or under an objective's page."""

    code: Code | None = None


class JoinResume(Buttons, prefix="jr"):
    pass


class JoinOver(Buttons, prefix="jo"):
    """Start over, from a task force's page (its code) or from nothing."""

    code: Code | None = None


class JoinToggle(Buttons, prefix="jt"):
    code: Code


class JoinGoal(Buttons, prefix="jv"):
    """The list of task forces: a goal's objectives, or (no letter) the goals again."""

    goal: GoalLetter | None = None


class JoinTargets(Buttons, prefix="jy"):
    """The open goal's objectives with their targets for 2030 and 2050, or without."""

    shown: Literal["on", "off"]


class JoinDone(Buttons, prefix="jd"):
    pass


class JoinChoice(Buttons, prefix="jf"):
    """A profile question answered by a button: a region, a stakeholder type, a member status, Skip."""

    field: ProfileField
    value: ChoiceValue


class JoinRole(Buttons, prefix="jl"):
    code: Code
    role: Role


class JoinConfirm(Buttons, prefix="jc"):
    pass


class JoinEdit(Buttons, prefix="je"):
    part: EditPart


class JoinCancel(Buttons, prefix="jx"):
    pass


class JoinBack(Buttons, prefix="jb"):
    pass


class JoinKeep(Buttons, prefix="jk"):
    """Answer with what was given before."""


class JoinPick(Buttons, prefix="jp"):
    """From the summary: change this profile field."""

    field: ProfileField


# Every press that answers the open question of a join.
JOIN_STEPS = (
    JoinToggle,
    JoinGoal,
    JoinTargets,
    JoinDone,
    JoinChoice,
    JoinRole,
    JoinConfirm,
    JoinEdit,
    JoinCancel,
    JoinBack,
    JoinKeep,
    JoinPick,
)


def step_question(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, cap: int, offer: RoleOffer) -> str:
    """The text of whatever the join flow asks next, under a line saying what is joined and how far it is."""
    progress = _progress_line(_, step, draft, catalogue)
    return fit(f"<i>{progress}</i>\n\n{_question(_, step, draft, catalogue, cap, offer)}")


def _progress_line(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue) -> str:
    """ "Step 2 of 4 · your profile, question 3 of 7": the four parts of every join, and the questions of the
    profile, each a total that does not move."""
    values = {"n": joining.stage(step).value, "m": len(Stage), "part": _stage_name(_, step, draft)}
    if not draft.selection_done or not draft.selected:
        return _("Step {n} of {m} · {part}").format(**values)
    objective = catalogue.objective(draft.selected[0]) if len(draft.selected) == 1 else None
    what = f"{objective.code} · {escape(objective.title(_.language))}" if objective else ", ".join(draft.selected)
    return _("Joining {what} · step {n} of {m} · {part}").format(what=what, **values)


def _stage_name(_: Translate, step: Step, draft: JoinDraft) -> str:
    number_ = joining.profile_question_number(draft, step)
    if number_ is not None:
        return _("your profile, question {n} of {m}").format(n=number_, m=len(ProfileField))
    return {
        Stage.TASKFORCES: _("Task Forces"),
        Stage.PROFILE: _("your profile"),
        Stage.ROLES: _("your roles"),
        Stage.CHECK: _("check and confirm"),
    }[joining.stage(step)]


def _question(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, cap: int, offer: RoleOffer) -> str:
    if step.kind is StepKind.SELECT:
        return selection(_, draft, catalogue, cap)
    if step.kind is StepKind.PROFILE and step.field is not None:
        return profile_question(_, step.field, draft.ask_profile and not draft.editing)
    if step.kind is StepKind.PICK_FIELD:
        return _("Which part of your profile should change? Tap it; the rest stays as it is.")
    objective = catalogue.objective(step.code or "")
    if step.kind is StepKind.ROLE and objective is not None:
        return role_question(_, objective, offer)
    if step.kind is StepKind.MOTIVATION and objective is not None:
        return motivation_question(_, objective, draft.roles[objective.code])
    return summary(_, draft, catalogue)


def selection(_: Translate, draft: JoinDraft, catalogue: Catalogue, cap: int) -> str:
    """The list of task forces, a goal at a time, so that it fits a phone: the goals with what is chosen in
    each, or one goal's objectives (with their targets when asked)."""
    goal = catalogue.goal(draft.goal or "")
    lines = _goal_objectives(_, draft, catalogue, goal, cap) if goal is not None else _goals_intro(_, cap)
    chosen = len(draft.held) + len(draft.selected)
    lines += ["", _("Chosen: {count} of at most {cap}.").format(count=chosen, cap=cap)]
    marked = [("✅", draft.selected), ("☑️", draft.held)]
    if goal is None and chosen:
        lines.append(" · ".join(f"{mark} {', '.join(codes)}" for mark, codes in marked if codes))
    if draft.held:
        lines += ["", _("☑️ marks the Task Forces you are already in.")]
    return fit("\n".join(lines))


def _goals_intro(_: Translate, cap: int) -> list[str]:
    return [
        _("<b>Which Task Forces do you want to join?</b>"),
        _(
            "One Task Force works on each objective of the Strategic Plan. Choose a goal to see its objectives, "
            "and pick a manageable number: at most {cap} in all."
        ).format(cap=cap),
    ]


def _goal_objectives(_: Translate, draft: JoinDraft, catalogue: Catalogue, goal: Goal, cap: int) -> list[str]:
    lines = [f"<b>{escape(goal_name(_, goal))}</b>", escape(goal.headline(_.language)), ""]
    for objective in catalogue.objectives_of(goal.code):
        lines.append(f"{_mark(draft, objective.code)}<b>{objective.code}</b> {escape(objective.title(_.language))}")
        if draft.targets:
            lines += [
                labelled(_, _("<b>Target 2030</b>"), escape(objective.target_2030(_.language))),
                labelled(_, _("<b>Target 2050</b>"), escape(objective.target_2050(_.language))),
                "",  # with its targets, each objective is a paragraph
            ]
    if lines[-1]:
        lines.append("")
    lines.append(
        _("Tap to select or unselect, then press Continue. You may hold at most {cap} in all.").format(cap=cap)
    )
    return lines


def _mark(draft: JoinDraft, code: str) -> str:
    """✅ chosen in this join, ☑️ already held."""
    return "✅ " if code in draft.selected else ("☑️ " if code in draft.held else "")


def role_question(_: Translate, objective: Objective, offer: RoleOffer) -> str:
    lines = [
        _("<b>Task Force {code} · {title}</b>: which role suits you?").format(
            code=objective.code, title=escape(objective.title(_.language))
        ),
        "",
        _(
            "<b>Global Leader</b>: organises the inter-regional consultative process, supervises activities and reports to the Forum of Partners."
        ),
        _(
            "<b>Regional Representative</b>: finds partners in the region, organises the regional consultative process, liaises with the Global Leader and the authorities."
        ),
        _(
            "<b>Team Member</b>: provides information on on-going actions and projects, contributes to the implementation strategy and the consultations."
        ),
    ]
    if not offer.may_lead:
        lines += ["", refusal(_, Refused("role_reserved"), common_refusals(_))]
    for role, holder in offer.taken.items():
        lines += ["", _("{role} of this Task Force is held by {name}; to help with it, write to its Facilitators.").format(
            role=role_label(_, role), name=escape(holder)
        )]  # fmt: skip
    return "\n".join(lines)


def motivation_question(_: Translate, objective: Objective, role: Role) -> str:
    return _(
        "In a few sentences, why do you apply as <b>{role}</b> of Task Force {code}? (at most {limit} characters)"
    ).format(role=role_label(_, role), code=objective.code, limit=MOTIVATION_LIMIT)


def summary(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> str:
    lines = [_("<b>Please check before you confirm.</b>"), ""]
    lines += profile_lines(_, draft.profile, catalogue)
    lines.append("")
    for code in draft.selected:
        objective = catalogue.objective(code)
        title = escape(objective.title(_.language)) if objective else ""
        region = draft.profile.region
        lines.append(labelled(_, f"<b>{code}</b> {title}", role_for(_, draft.roles[code], region, catalogue)))
        if code in draft.motivations:
            lines.append("  " + quoted(_, escape(draft.motivations[code])))
    lines += ["", _("Nothing is saved until you press Confirm.")]
    return fit("\n".join(lines))


def joined(_: Translate, results: list[Joined], catalogue: Catalogue, details: dict[str, list[str]]) -> str:
    """The outcome of a join, each task force with its `details` (its facilitators, its members) and, for an
    application, who decides it: its facilitators, or the Secretariat when it has none yet."""
    lines = [_joined_heading(_, results), ""]
    for result in results:
        objective = catalogue.objective(result.code)
        title = escape(objective.title(_.language) if objective else "")
        role = f"{role_for(_, result.role, result.region, catalogue)} ({status_label(_, result.status)})"
        lines.append(labelled(_, f"<b>{result.code}</b> {title}", role))
        lines += details.get(result.code, [])
        if result.decider is not None:
            lines.append(_decided_by(_, result.code, result.decider))
    lines.append("")
    if any(r.status is RegistrationStatus.ACTIVE for r in results):
        lines.append(_("As a Team Member you are in at once; the Task Force Facilitator will guide you."))
    if any(r.status is RegistrationStatus.PENDING for r in results):
        lines.append(
            _(
                "Leaders and Regional Representatives are selected through a consultative process that the "
                "Executive Secretariat facilitates; you will be told the decision here."
            )
        )
    lines += ["", _("<b>What the Task Force does first</b>"), first_tasks(_), ""]
    lines.append(_("/mytaskforces shows your registrations at any time."))
    return fit("\n".join(lines))


def _decided_by(_: Translate, code: str, decider: Decider) -> str:
    if decider is Decider.FACILITATORS:
        return _("Your application goes to the Facilitators of Task Force {code}, who decide.").format(code=code)
    return _(
        "Until Task Force {code} has a Facilitator, the Executive Secretariat decides on your application."
    ).format(code=code)


def _joined_heading(_: Translate, results: list[Joined]) -> str:
    """A Leader or Representative application is an application, never a registration."""
    pending = [r for r in results if r.status is RegistrationStatus.PENDING]
    if not pending:
        return _("<b>Thank you, you are registered.</b>")
    if len(pending) == len(results):
        return _.ngettext(
            "<b>Thank you, your application is sent.</b>", "<b>Thank you, your applications are sent.</b>", len(pending)
        )
    return _("<b>Thank you: you are registered as Team Member, and your applications are sent.</b>")


def join_in_progress(_: Translate, codes: list[str]) -> str:
    return _("You already began joining Task Forces ({codes}). Carry on where you left off, or start over?").format(
        codes=", ".join(codes) or "—"
    )


def text_expected(_: Translate, step: Step) -> str:
    """A photo, sticker or voice where text is expected: say what to type."""
    if step.kind is StepKind.MOTIVATION:
        return _("Please type your motivation: text is expected here.")
    if step.kind is StepKind.PROFILE and step.field is not None and step.field.typed:
        return _("Please type your {field}: text is expected here.").format(field=field_label(_, step.field).lower())
    return refusal(_, Refused("use_buttons"), common_refusals(_))


def join_reminder(_: Translate) -> str:
    return _(
        'You began joining the "4 per 1000" Task Forces but did not finish. '
        "Press Continue to carry on where you left off, or /cancel."
    )


def no_flow(_: Translate) -> str:
    return _("That joining was already finished or cancelled. /join starts a new one.")


def cancelled(_: Translate) -> str:
    return _("Cancelled. Nothing was saved. /start shows the menu.")


def joining_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "join",
            CommandAudience.EVERYONE,
            _("Join Task Forces"),
            _("/join · join Task Forces (/join B3 goes straight to B3)"),
        ),
    ]


def joining_refusals(_: Translate) -> dict[str, str]:
    return {
        "cap": _(
            "You can take part in at most {cap} Task Forces at a time: you hold {held} and have selected {selected}. Unselect one, or /leave one first."
        ),
        "nothing_selected": _("Please select at least one Task Force first."),
    }


def step_keyboard(
    _: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, offer: RoleOffer
) -> InlineKeyboardMarkup:
    """The buttons of whatever the join flow asks next; Back after the first step, Cancel always."""
    if step.kind is StepKind.SELECT:
        return selection_keyboard(_, draft, catalogue)
    rows: list[list[Button]] = []
    kept = joining.kept_answer(draft, step)
    if step.kind is StepKind.PROFILE and step.field is not None:
        rows = profile_choices(_, step.field, catalogue, _chosen, kept) or _typed_field_buttons(_, step.field, kept)
    elif step.kind is StepKind.ROLE and step.code is not None:
        rows = role_buttons(_, step.code, offer)
    elif step.kind is StepKind.MOTIVATION and kept:
        rows = [[keep_button(_, None, kept)]]
    elif step.kind is StepKind.PICK_FIELD:
        rows = pick_field_buttons(_, draft.profile, catalogue)
    elif step.kind is StepKind.SUMMARY:
        rows = summary_buttons(_)
    back = [button(_("« Back"), JoinBack().pack())] if joining.can_go_back(draft) else []
    return keyboard(*rows, [*back, button(_("Cancel"), JoinCancel().pack())])


def selection_keyboard(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> InlineKeyboardMarkup:
    """The goals, each with how many of its task forces are chosen; or one goal's objectives to tap, its targets,
    and the way back to the goals."""
    goal = catalogue.goal(draft.goal or "")
    if goal is None:
        rows = rows_of([_goal_button(_, draft, catalogue, g) for g in catalogue.goals], 1)
    else:
        codes = [o.code for o in catalogue.objectives_of(goal.code)]
        toggles = [button(_mark(draft, code) + code, JoinToggle(code=code).pack()) for code in codes]
        shown = "off" if draft.targets else "on"
        targets = _("Hide the targets") if draft.targets else _("🎯 Targets 2030 and 2050")
        rows = [*rows_of(toggles, 4), [button(targets, JoinTargets(shown=shown).pack())]]
        rows.append([button(_("« All goals"), JoinGoal().pack())])
    return keyboard(
        *rows,
        [button(_("Continue ▶"), JoinDone().pack()), button(_("Cancel"), JoinCancel().pack())],
    )


def _goal_button(_: Translate, draft: JoinDraft, catalogue: Catalogue, goal: Goal) -> Button:
    """ "✅ 2 · B · An enabling environment": the goal, and how many of its task forces this join chose."""
    label = goal_label(_, goal)
    chosen = sum(1 for o in catalogue.objectives_of(goal.code) if o.code in draft.selected)
    return button(f"✅ {chosen} · {label}" if chosen else label, JoinGoal(goal=goal.code).pack())


def pick_field_buttons(_: Translate, profile: Profile, catalogue: Catalogue) -> list[list[Button]]:
    """The summary's "Edit profile": each field with its current answer, one tap to change it."""
    buttons = []
    for field in ProfileField:
        value = shown_value(_, profile, field, catalogue)
        label = labelled(_, field_label(_, field), value if len(value) <= 30 else value[:29] + "…")
        buttons.append(Button(label, callback_data=JoinPick(field=field).pack()))
    return rows_of(buttons, 1)


def role_buttons(_: Translate, code: str, offer: RoleOffer) -> list[list[Button]]:
    return [[button(role_label(_, role), JoinRole(code=code, role=role).pack())] for role in offer.offered]


def summary_buttons(_: Translate) -> list[list[Button]]:
    return [
        [button(_("✅ Confirm"), JoinConfirm().pack())],
        [
            button(_("Edit Task Forces"), JoinEdit(part=EditPart.TASKFORCES).pack()),
            button(_("Edit profile"), JoinEdit(part=EditPart.PROFILE).pack()),
            button(_("Edit roles"), JoinEdit(part=EditPart.ROLES).pack()),
        ],
    ]


def _chosen(field: ProfileField, value: str) -> str:
    return JoinChoice(field=field, value=value).pack()


def _typed_field_buttons(_: Translate, field: ProfileField, kept: str | None) -> list[list[Button]]:
    """A typed field's question in the join: one tap keeps the earlier answer; the e-mail may be skipped."""
    rows = [[keep_button(_, field, kept)]] if kept else []
    if field is ProfileField.EMAIL:
        rows.append([button(_("Skip"), _chosen(field, "skip"))])
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


def carry_on_or_start_over_keyboard(_: Translate, code: str | None) -> InlineKeyboardMarkup:
    """Start over goes to the task force asked for when it is one a button can name ("/join b3" is B3);
    with anything else it starts from the list, where an unknown code cannot be chosen."""
    try:
        over = JoinOver(code=code.upper() if code else None)
    except ValidationError:
        over = JoinOver()
    return keyboard([button(_("Carry on"), JoinResume().pack())], [button(_("Start over"), over.pack())])


def resume_keyboard(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [button(_("Continue"), JoinResume().pack())],
        [button(_("Cancel"), JoinCancel().pack())],
    )
