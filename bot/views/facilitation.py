"""The words and keyboards of facilitation: prompts, decisions, digests, member lists and balances, and the
facilitators' commands; a member's card of a task force too."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from html import escape
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translate
from bot.models import Catalogue, KnownUser, Person, RegistrationStatus, Role
from bot.services.accounts import TaskforceCard
from bot.services.applications import Application
from bot.services.facilitation import Balance, Verdict, Withdrawal
from bot.services.fields import ProfileField
from bot.storage.groups import GroupLink
from bot.storage.membership import Member
from bot.views.buttons import keyboard
from bot.views.callbacks import Buttons, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.exports import neutralised
from bot.views.fields import field_label
from bot.views.words import (
    first_tasks,
    fit,
    labelled,
    number,
    place_label,
    role_label,
    status_label,
    when,
)

# ---------------------------------------------------------------- its buttons


ApplicationChoice = Literal["ok", "no", "nm", "skip", "stay"]
WithdrawChoice = Literal["go", "no", "skip"]


class ApplicationPress(Buttons, prefix="ap"):
    """A decision prompt's buttons; `no` asks for a reason, `skip` gives none, `stay` is the applicant's."""

    choice: ApplicationChoice
    registration: RowId


class WithdrawPress(Buttons, prefix="wd"):
    """/withdraw's question: `go` asks for the reason, `no` keeps the place, `skip` withdraws without a reason."""

    choice: WithdrawChoice
    registration: RowId


def chat_link(telegram_id: int, name: str) -> str:
    """The name as a link that opens a chat with the person: how facilitators reach people."""
    return f'<a href="tg://user?id={telegram_id}">{escape(name)}</a>'


def user_link(user: KnownUser) -> str:
    return chat_link(user.telegram_id, user.full_name)


def _taskforce(_: Translate, code: str, catalogue: Catalogue) -> str:
    objective = catalogue.objective(code)
    return f"{code} · {escape(objective.title(_.language))}" if objective else code


def application_text(_: Translate, facts: Application, catalogue: Catalogue) -> str:
    registration, person = facts.registration, facts.applicant
    declared = registration.declared_status or person.member_status  # as the decider saw it, once decided
    status = catalogue.member_status(declared)
    claim = status.label(_.language) if status else declared
    lines = [
        _("<b>Application: {role} of Task Force {taskforce}</b>").format(
            role=place_label(_, registration, catalogue), taskforce=_taskforce(_, registration.taskforce, catalogue)
        ),
        "",
        _("Name: {value}").format(value=chat_link(person.telegram_id, person.name)),
        _("Organisation: {value}").format(value=escape(person.organisation)),
        _("Country: {value}").format(value=escape(person.country)),
        _("Region: {value}").format(
            value=escape(catalogue.label_of(registration.region_held or person.region, _.language))
        ),
        _("Stakeholder type: {value}").format(value=escape(catalogue.label_of(person.stakeholder_type, _.language))),
        _('Member of "4 per 1000": {value}').format(value=escape(claim)),
        _("Motivation: “{value}”").format(value=escape(registration.motivation or "")),
    ]
    if person.email:  # facilitators may write outside Telegram too; the profile question says so
        lines.insert(-1, labelled(_, field_label(_, ProfileField.EMAIL), escape(person.email)))
    if facts.moved_from is not None:
        lines.append(_("Gives up for it: {place}").format(place=place_label(_, facts.moved_from, catalogue)))
    if facts.others:
        held = ", ".join(
            f"{r.taskforce} {place_label(_, r, catalogue)} ({status_label(_, r.status)})" for r in facts.others
        )
        lines.append(_("Other registrations: {value}").format(value=held))
    lines.append(_("Applied: {value}").format(value=when(_, registration.created_at)))
    return fit("\n".join(lines))


def prompt(_: Translate, facts: Application, catalogue: Catalogue, kind: str = "approval_prompt") -> str:
    """The decider's message; reminders and escalations say why they come again."""
    heading = {
        "decision_reminder": _("⏰ This application is still waiting for your decision."),
        "decision_escalation": _(
            "⚠️ No facilitator decided on this application after three reminders. Please decide, "
            "or assign a facilitator with /facilitator."
        ),
    }.get(kind)
    body = application_text(_, facts, catalogue)
    if facts.verdict != "pending":
        return body + "\n\n" + decided_line(_, facts)
    return f"{heading}\n\n{body}" if heading else body


def decided_line(_: Translate, facts: Application) -> str:
    who = escape(facts.decider.full_name) if facts.decider else "—"  # the decider has deleted their data
    at = when(_, facts.registration.decided_at) if facts.registration.decided_at else ""
    reason = facts.registration.reason
    lines = {
        "approved": _("✅ Approved by {who} on {when}."),
        "rejected": _("❌ Rejected by {who} on {when}."),
        "not_member": _("❌ Member status not confirmed by {who} on {when}: Team Member."),
        "withdrawn": _("The applicant withdrew or is now a Team Member."),
        "withdrawn_by_admin": _("Withdrawn by {who} (Executive Secretariat) on {when}."),
    }
    text = lines.get(facts.verdict, lines["withdrawn"]).format(who=who, when=at)
    if reason:
        text += "\n" + _("Reason: “{reason}”").format(reason=escape(reason))
    return text


def prompt_forgotten(_: Translate) -> str:
    """Replaces a prompt whole: it showed the data the applicant asked to delete."""
    return _("This application was withdrawn: the applicant deleted their data from the bot.")


def prompt_keyboard(_: Translate, registration_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [_choice(_("✅ Approve"), "ok", registration_id), _choice(_("❌ Reject"), "no", registration_id)],
        [_choice(_("Not a member or partner"), "nm", registration_id)],
    )


def _choice(label: str, choice: ApplicationChoice, registration_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=ApplicationPress(choice=choice, registration=registration_id).pack()
    )


def decision(_: Translate, facts: Application, catalogue: Catalogue) -> str:
    """What the applicant is told; a reason is passed on as the facilitator wrote it."""
    registration = facts.registration
    values = {
        "role": place_label(_, registration, catalogue),
        "taskforce": _taskforce(_, registration.taskforce, catalogue),
    }
    texts = {
        "approved": _("🎉 Your application was approved: you are now {role} of Task Force {taskforce}."),
        "rejected": _(
            "Your application as {role} of Task Force {taskforce} was not accepted. "
            "You are welcome to stay in the Task Force as a Team Member."
        ),
        "not_member": _(
            'Your organisation could not be confirmed as a member or partner of "4 per 1000", '
            "so you are a Team Member of Task Force {taskforce}, and in your other Task Forces."
        ),
    }
    if facts.verdict == "rejected" and any(r.taskforce == registration.taskforce for r in facts.others):
        # Given up a place of another region to apply: still in the task force.
        texts["rejected"] = _(
            "Your application as {role} of Task Force {taskforce} was not accepted. "
            "You stay in the Task Force as a Team Member."
        )
    text = texts.get(facts.verdict, texts["rejected"]).format(**values)
    if registration.reason:
        text += "\n" + _("Reason: “{reason}”").format(reason=escape(registration.reason))
    return text


def withdrawn(_: Translate, facts: Application, catalogue: Catalogue, reason: str | None) -> str:
    """What the person withdrawn is told; the Secretariat's reason passed on as written."""
    text = _(
        "The Executive Secretariat has withdrawn your registration as {role} of Task Force {taskforce}. "
        "/mytaskforces shows your registrations."
    ).format(
        role=place_label(_, facts.registration, catalogue),
        taskforce=_taskforce(_, facts.registration.taskforce, catalogue),
    )
    return text + ("\n" + _("Reason: “{reason}”").format(reason=escape(reason)) if reason else "")


def _withdrawn_named(withdrawal: Withdrawal) -> str:
    """The person by the name they registered with, as a link to write to them."""
    return chat_link(withdrawal.person.telegram_id, withdrawal.person.name)


def withdraw_question(_: Translate, withdrawal: Withdrawal, catalogue: Catalogue) -> tuple[str, InlineKeyboardMarkup]:
    registration = withdrawal.registration
    text = _(
        "Withdraw {name} ({role}, {status}) from Task Force {taskforce}? They are told, with the reason you give."
    ).format(
        name=_withdrawn_named(withdrawal),
        role=place_label(_, registration, catalogue),
        status=status_label(_, registration.standing),
        taskforce=_taskforce(_, registration.taskforce, catalogue),
    )
    return text, keyboard(
        [_withdraw(_("Withdraw"), "go", registration.id), _withdraw(_("Cancel"), "no", registration.id)]
    )


def withdraw_reason_question(_: Translate, withdrawal: Withdrawal) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Why is {name} withdrawn? Your words are sent to them as you write them. Or press Skip.").format(
        name=_withdrawn_named(withdrawal)
    )
    return text, keyboard([_withdraw(_("Skip"), "skip", withdrawal.registration.id)])


def _withdraw(label: str, choice: WithdrawChoice, registration_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=WithdrawPress(choice=choice, registration=registration_id).pack())


def withdrew(_: Translate, withdrawal: Withdrawal) -> str:
    return _("{name} is withdrawn from Task Force {code} and told so.").format(
        name=_withdrawn_named(withdrawal), code=withdrawal.registration.taskforce
    )


def withdraw_kept(_: Translate, withdrawal: Withdrawal) -> str:
    return _("Nothing changed: {name} stays in Task Force {code}.").format(
        name=_withdrawn_named(withdrawal), code=withdrawal.registration.taskforce
    )


def withdraw_usage(_: Translate) -> str:
    return _("Write /withdraw &lt;user id or @username&gt; &lt;CODE&gt;.")


def stay_keyboard(_: Translate, registration_id: int) -> InlineKeyboardMarkup:
    return keyboard([_choice(_("Stay as Team Member"), "stay", registration_id)])


def ask_reason(_: Translate, registration_id: int) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Why is it rejected? Your words are sent to the applicant as you write them. Or press Skip.")
    markup = keyboard([_choice(_("Skip"), "skip", registration_id)])
    return text, markup


def reason_as_text(_: Translate) -> str:
    """Said to a sticker, photo or file sent where the reason for a rejection or a withdrawal is awaited."""
    return _("Please type the reason as a text message, or press Skip.")


def decided(_: Translate, verdict: Verdict) -> str:
    return {
        Verdict.APPROVE: _("Approved. The applicant and the other facilitators are told."),
        Verdict.REJECT: _("Rejected. The applicant and the other facilitators are told."),
        Verdict.NOT_MEMBER: _("Member status not confirmed: the person is a Team Member everywhere."),
    }[verdict]


def facilitator_welcome(_: Translate, codes: list[str], catalogue: Catalogue) -> str:
    return _(
        "You are now a facilitator of: {taskforces}.\n\n"
        "You will get a message with Approve / Reject buttons for every Global Leader and Regional "
        "Representative application, and once a day a list of new Team Members to guide.\n"
        "/pending · applications waiting for you\n"
        "/members CODE · the members (a CSV file when long)\n"
        "/balance CODE · members by region and stakeholder type, to see whom to recruit"
    ).format(taskforces=", ".join(_taskforce(_, code, catalogue) for code in codes))


def facilitator_added(_: Translate, code: str, catalogue: Catalogue) -> str:
    """For someone welcomed already: the welcome's commands work for this task force too."""
    return _("You now also facilitate Task Force {taskforce}.").format(taskforce=_taskforce(_, code, catalogue))


@dataclass(frozen=True)
class Digested:
    """A digest's people as they are when it goes."""

    joined: list[Person]
    leavers: list[Person]
    withdrawn: list[Person]
    unfacilitated: bool  # to the Secretariat: the task force has no facilitator
    grouped: bool = False  # the task force has a group, which those who left have left too

    @property
    def anyone(self) -> bool:
        return bool(self.joined or self.leavers or self.withdrawn)


def digest(_: Translate, code: str, found: Digested, catalogue: Catalogue) -> str:
    """New Team Members to greet; who left the task force (and so its group), and whom the Secretariat withdrew."""
    lines = [f"<b>{_taskforce(_, code, catalogue)}</b>"]
    if found.unfacilitated:
        lines.append(_("This Task Force has no facilitator yet, so its digest comes to the Executive Secretariat."))
    if found.joined:
        lines.append(_("New Team Members:"))
        lines += [
            f"• {escape(p.name)}, {escape(p.organisation)}, {escape(p.country)} "
            f"({escape(catalogue.label_of(p.region, _.language))})"
            for p in found.joined
        ]
        lines.append(_("Say hello and guide them: /members {code}").format(code=code))
    if found.leavers:
        left = (
            _("Left the Task Force, and so its group: {names}.")
            if found.grouped
            else _("Left the Task Force: {names}.")
        )
        lines.append(left.format(names=_names(found.leavers)))
    if found.withdrawn:
        lines.append(_("Withdrawn by the Executive Secretariat: {names}.").format(names=_names(found.withdrawn)))
    return fit("\n".join(lines))


def _names(people: list[Person]) -> str:
    return ", ".join(chat_link(p.telegram_id, p.name) for p in people)


def card_details(_: Translate, card: TaskforceCard, catalogue: Catalogue) -> list[str]:
    """Who guides the task force (with a link to write to them) and who is in it, by region."""
    if card.facilitators:
        guides = _("Facilitators: {names}").format(names=", ".join(map(user_link, card.facilitators)))
    else:
        guides = _("Facilitators: none named yet; the Executive Secretariat will name them.")
    regions = ", ".join(f"{escape(catalogue.label_of(region, _.language))} {count}" for region, count in card.regions)
    members = _("Members: {count}").format(count=card.members) + (f" ({regions})" if regions else "")
    return [guides, members, *([group_line(_, card.group)] if card.group else [])]


def group_line(_: Translate, group: GroupLink) -> str:
    """Where a task force talks: on its members' cards and in its facilitators' /members."""
    return _("Group chat: {link}").format(link=escape(group.invite_link or ""))


def taskforce_card(_: Translate, card: TaskforceCard, catalogue: Catalogue) -> str:
    """A member's card of one task force, from /mytaskforces."""
    registration = card.registration
    lines = [
        f"<b>{_taskforce(_, registration.taskforce, catalogue)}</b>",
        _("Your role: {role} ({status})").format(
            role=place_label(_, registration, catalogue), status=status_label(_, registration.status)
        ),
        *card_details(_, card, catalogue),
        "",
        _("<b>What the Task Force does first</b>"),
        first_tasks(_),
    ]
    return fit("\n".join(lines))


def facilitator_list(_: Translate, pairs: list[tuple[str, KnownUser]], catalogue: Catalogue) -> str:
    if not pairs:
        return _(
            "No facilitators are assigned yet. Assign one with /facilitator &lt;user id or @username&gt; &lt;CODE&gt;."
        )
    lines = [_("<b>Facilitators</b>")]
    lines += [
        labelled(_, _taskforce(_, code, catalogue), f"{user_link(user)} ({user.telegram_id})") for code, user in pairs
    ]
    return fit("\n".join(lines))


def member_lines(_: Translate, members: list[Member], catalogue: Catalogue) -> list[str]:
    return [
        f"{chat_link(m.telegram_id, m.name)} · {role_label(_, m.role)} · {status_label(_, m.status)} · "
        f"{escape(m.organisation)} · {escape(m.country)} · {escape(catalogue.label_of(m.region, _.language))}"
        + (f" · {escape(m.email)}" if m.email else "")
        for m in members
    ]


def members_text(
    _: Translate, code: str, members: list[Member], catalogue: Catalogue, group: GroupLink | None = None
) -> str:
    header = _("<b>Members of Task Force {taskforce}</b> ({count})").format(
        taskforce=_taskforce(_, code, catalogue), count=number(_, len(members))
    )
    where = [group_line(_, group)] if group else []
    return "\n".join([header, *where, "", *member_lines(_, members, catalogue)])


def members_csv(_: Translate, members: list[Member]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Name"), _("Role"), _("Status"), _("Organisation"), _("Country"), _("Region"), _("Stakeholder type"),
         field_label(_, ProfileField.EMAIL), "Telegram"]
    )  # fmt: skip
    roles = {role: role_label(_, role) for role in Role}
    statuses = {status: status_label(_, status) for status in RegistrationStatus}
    for m in members:
        writer.writerow(
            [neutralised(value) for value in (
                m.name, roles[m.role], statuses[m.status], m.organisation, m.country, m.region,
                m.stakeholder_type, m.email or "", f"tg://user?id={m.telegram_id}",
            )]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def balance_text(_: Translate, code: str, balance: Balance, catalogue: Catalogue) -> str:
    """Counts by role and by region × stakeholder type; each gap said once (whom to recruit).

    A region nobody comes from, or a type nobody is of, is named once in its own line, not
    again under every region: with few members that repeated the same list five times.
    """
    lines = [_.ngettext(
        "<b>Balance of Task Force {taskforce}</b> ({count} member)",
        "<b>Balance of Task Force {taskforce}</b> ({count} members)",
        balance.total,
    ).format(taskforce=_taskforce(_, code, catalogue), count=number(_, balance.total))]  # fmt: skip
    if balance.pending:
        lines.append(_("Pending applications, not counted: {count}").format(count=number(_, balance.pending)))
    lines.append(", ".join(labelled(_, role_label(_, role), number(_, balance.roles[role])) for role in Role))

    def label(value: str) -> str:
        return escape(catalogue.label_of(value, _.language))

    kinds = catalogue.stakeholder_type_names
    for region in catalogue.region_names:
        if region in balance.empty_regions:
            continue
        counts = " · ".join(
            f"{label(k)} {number(_, balance.cells[(region, k)])}" for k in kinds if balance.cells[(region, k)]
        )
        line = labelled(_, f"<b>{label(region)}</b>", counts)
        missing = [k for k in kinds if not balance.cells[(region, k)] and k not in balance.empty_types]
        if missing:
            line += "\n  " + _("none yet: {types}").format(types=", ".join(map(label, missing)))
        lines.append(line)
    if balance.empty_regions:
        lines.append(_("No one yet from: {regions}").format(regions=", ".join(map(label, balance.empty_regions))))
    if balance.empty_types:
        lines.append(_("No stakeholders yet of type: {types}").format(types=", ".join(map(label, balance.empty_types))))
    empty_cells = sum(1 for n in balance.cells.values() if n == 0)
    lines.append(_.ngettext(
        "{count} of {all} region × stakeholder type combinations is empty.",
        "{count} of {all} region × stakeholder type combinations are empty.",
        empty_cells,
    ).format(count=number(_, empty_cells), all=number(_, len(balance.cells))))  # fmt: skip
    return fit("\n".join(lines))


def facilitator_usage(_: Translate) -> str:
    return _(
        "Write /facilitator &lt;user id or @username&gt; &lt;CODE&gt;, "
        "or /facilitator remove &lt;user id or @username&gt; &lt;CODE&gt;."
    )


def facilitator_changed(_: Translate, person: KnownUser, code: str, removed: bool, changed: bool = True) -> str:
    if not changed:
        text = _("{name} already facilitates {code}; nothing changed.")
    else:
        text = _("{name} no longer facilitates {code}.") if removed else _("{name} now facilitates {code}.")
    return text.format(name=user_link(person), code=code)


def facilitator_removed(_: Translate, code: str) -> str:
    return _("You no longer facilitate Task Force {code}. Thank you for your work!").format(code=code)


def nothing_pending(_: Translate) -> str:
    return _("No application is waiting for your decision.")


def members_usage(_: Translate) -> str:
    return _("Which Task Force? Write for example /members B3 or /balance B3.")


def members_caption(_: Translate, code: str) -> str:
    return _("Members of Task Force {code}").format(code=code)


def stayed(_: Translate, code: str) -> str:
    return _("You stay in Task Force {code} as a Team Member. Welcome!").format(code=code)


def facilitation_commands(_: Translate) -> list[CommandText]:
    """Deciding and overseeing for facilitators; assigning and withdrawing for the Secretariat."""
    return [
        CommandText(
            "pending",
            CommandAudience.FACILITATORS,
            _("Applications waiting for your decision"),
            _("/pending · applications waiting for your decision"),
        ),
        CommandText(
            "members",
            CommandAudience.FACILITATORS,
            _("Members of a Task Force"),
            _("/members CODE · members of a Task Force (CSV when long)"),
        ),
        CommandText(
            "balance",
            CommandAudience.FACILITATORS,
            _("Members by region and stakeholder type"),
            _("/balance CODE · members by region and stakeholder type"),
        ),
        CommandText(
            "facilitator",
            CommandAudience.ADMINS,
            _("Assign or remove a facilitator"),
            _("/facilitator ID|@username CODE · assign a facilitator (/facilitator remove … to remove)"),
        ),
        CommandText(
            "facilitators",
            CommandAudience.ADMINS,
            _("List the facilitators"),
            _("/facilitators [CODE] · list the facilitators"),
        ),
        CommandText(
            "withdraw",
            CommandAudience.ADMINS,
            _("Withdraw someone from a Task Force"),
            _("/withdraw ID|@username CODE · withdraw someone from a Task Force"),
        ),
    ]


def facilitation_refusals(_: Translate) -> dict[str, str]:
    """The refusals only assigning facilitators, deciding and withdrawing meet."""
    return {
        "not_started": _(
            "{who} has not started this bot yet. A bot cannot write first: ask them to open the bot and press Start."
        ),
        "not_facilitator_of": _("{who} does not facilitate {code}."),
        "own_application": _("You cannot decide on your own application."),
        "withdrawn": _("The applicant has withdrawn this application. Nothing was changed."),
        "not_registered_other": _("{who} is not registered in Task Force {code}."),
        "already_decided": _("Already decided by {who} on {at}. Nothing was changed."),
        "bad_person": _("{who} is neither a Telegram user id (digits) nor a @username."),
        "place_taken": _(
            "{holder} already holds this place in Task Force {code}. They can step down with /leave, or an admin can withdraw them."
        ),
    }
