"""Every sentence a person reads, built through the translation function `_`.

Catalogue and user text are HTML-escaped here, since messages are sent as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from html import escape

from babel.dates import format_datetime
from babel.numbers import format_decimal

from bot.i18n import Translate
from bot.models import Catalogue, Goal, Objective, Person, Profile, Registration, RegistrationStatus, Role
from bot.services.accounts import FieldSaved, PlaceChoice, PlaceQuestion
from bot.services.errors import Refused
from bot.services.fields import MOTIVATION_LIMIT, TYPED_LIMITS, ProfileField
from bot.services.joining import JoinDraft, Joined, RoleOffer, Step, StepKind, progress
from bot.views.commands import CommandAudience, CommandText
from bot.views.shown import cut, plain, shown

MESSAGE_LIMIT = 4096
ALERT_LIMIT = 200  # an alert (answerCallbackQuery) is plain text


# What fit() steps over whole: a tag (Telegram shows nothing of it), an entity (one character), one character.
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>|&#?\w+;|.", re.DOTALL)
_MARK = "\n…"
RAW_LIMIT = 1 << 15  # bytes of HTML the Bot API takes at all, whatever it shows


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The Bot API refuses longer messages: cut at the last line break that fits (within the last line
    if that would drop more than half), with a mark. Counts what Telegram counts (the characters shown,
    not the markup); never cuts inside a tag or an entity, and closes the tags still open there, or
    Telegram would refuse the cut message."""
    if len(text) <= limit:
        return text
    tokens = list(_TOKEN.finditer(text))
    if sum(not token.group(2) for token in tokens) <= limit and len(text.encode()) <= RAW_LIMIT:
        return text
    open_tags: list[str] = []
    shown = size = closers = 0  # characters shown, bytes so far, bytes needed to close the open tags
    line_cut: tuple[int, list[str]] | None = None
    line_shown = 0
    any_cut: tuple[int, list[str]] = (0, [])
    for token in tokens:
        if shown + len(_MARK) > limit or size + closers + len(_MARK.encode()) > RAW_LIMIT:
            break
        any_cut = (token.start(), list(open_tags))
        if token.group() == "\n" and token.start() > 0:
            line_cut = any_cut
            line_shown = shown
        size += len(token.group().encode())
        if not token.group(2):
            shown += 1
            continue
        name = token.group(2).lower()
        if not token.group(1):
            open_tags.append(name)
            closers += len(name) + 3
        elif open_tags and open_tags[-1] == name:
            open_tags.pop()
            closers -= len(name) + 3
    if line_cut is not None and line_shown < limit // 2:
        line_cut = None  # a long last line: better cut within it than drop it whole
    position, still_open = line_cut or any_cut
    return text[:position] + "".join(f"</{name}>" for name in reversed(still_open)) + _MARK


def when(_: Translate, moment: datetime) -> str:
    """A moment in the reader's locale, always in UTC (people are in every time zone)."""
    return format_datetime(moment, "medium", tzinfo=UTC, locale=_.language) + " UTC"


def number(_: Translate, value: int) -> str:
    """A count written as the reader's locale writes numbers (1,234 / 1 234 / 1.234)."""
    return format_decimal(value, locale=_.language)


def role_label(_: Translate, role: Role) -> str:
    return {
        Role.LEADER: _("Global Leader"),
        Role.REPRESENTATIVE: _("Regional Representative"),
        Role.MEMBER: _("Team Member"),
    }[role]


def place_label(_: Translate, registration: Registration, catalogue: Catalogue) -> str:
    """A place's role; a Representative's with the region the place is for (its own, not the profile's)."""
    region = registration.region_held
    if region is None:
        return role_label(_, registration.role)
    return _("Regional Representative for {region}").format(region=escape(catalogue.label_of(region, _.language)))


def status_label(_: Translate, status: RegistrationStatus) -> str:
    return {
        RegistrationStatus.ACTIVE: _("active"),
        RegistrationStatus.PENDING: _("pending the facilitator's decision"),
        RegistrationStatus.REJECTED: _("not accepted"),
        RegistrationStatus.WITHDRAWN: _("withdrawn"),
    }[status]


def field_label(_: Translate, field: ProfileField) -> str:
    return {
        ProfileField.NAME: _("Name"),
        ProfileField.ORGANISATION: _("Organisation"),
        ProfileField.COUNTRY: _("Country"),
        ProfileField.REGION: _("Region"),
        ProfileField.STAKEHOLDER_TYPE: _("Stakeholder type"),
        ProfileField.MEMBER_STATUS: _('Member of "4 per 1000"'),
        ProfileField.EMAIL: _("E-mail"),
    }[field]


def refusal(_: Translate, refused: Refused, sentences: Mapping[str, str]) -> str:
    """A rule's no, as a sentence in an HTML message: what it echoes is escaped.

    `sentences` are the common ones and every feature's (reason → sentence); an unknown reason
    reads as a stale button's."""
    return _sentence(refused, sentences).format(**_shown_params(_, refused, shown))


def refusal_alert(_: Translate, refused: Refused, sentences: Mapping[str, str]) -> str:
    """The same sentence for an alert on a button, which Telegram shows as plain text: markup
    would show literally, so nothing is escaped ("Fran <3", not "Fran &lt;3"); cut to an alert's size."""
    return alert(plain(_sentence(refused, sentences)).format(**_shown_params(_, refused, cut)))


def _sentence(refused: Refused, sentences: Mapping[str, str]) -> str:
    return sentences.get(refused.reason) or sentences["stale"]


def alert(text: str) -> str:
    """An alert's text (answerCallbackQuery): plain, at most 200 characters."""
    return cut(text, ALERT_LIMIT)


def common_refusals(_: Translate) -> dict[str, str]:
    """The refusals every feature may meet; each feature adds its own (`Feature.refusals`)."""
    return {
        "empty": _("Please write something."),
        "too_long": _("That is too long: at most {limit} characters, yours has {length}. Please shorten it."),
        "bad_email": _("That does not look like an e-mail address. Please try again."),
        "unknown_code": _("There is no Task Force {code}. /taskforces lists the 24 objectives."),
        "already_joined": _("You are already registered in Task Force {code}. /mytaskforces shows your registrations."),
        "use_buttons": _("Please answer with the buttons of the last question."),
        "stale": _("This button is no longer valid. Nothing was changed."),
        "role_reserved": _(
            'Global Leader and Regional Representative are reserved for people whose organisation is a member or partner of "4 per 1000". You are very welcome as a Team Member!'
        ),
        "no_profile": _("You have no profile yet: join a Task Force first with /join."),
        "admins_only": _("This command is for the Executive Secretariat."),
        "not_a_facilitator": _("This command is for facilitators of a Task Force."),
        "not_your_taskforce": _("Only the facilitators of Task Force {code} and the Secretariat can do this."),
        "file_too_large": _("That file is too large to send on: at most {megabytes} MB."),
    }


def number_range(_: Translate, low: float | None, high: float | None) -> str:
    """ " from 0 to 100": what a Delphi number question takes, to follow "a number"."""
    if low is not None and high is not None:
        return _(" from {low} to {high}").format(low=f"{low:g}", high=f"{high:g}")
    if low is not None:
        return _(" of at least {low}").format(low=f"{low:g}")
    if high is not None:
        return _(" of at most {high}").format(high=f"{high:g}")
    return ""


def right_names(_: Translate, missing: list[str]) -> str:
    """The group rights the bot lacks, as Telegram's group settings name them."""
    names = {"admin": _("be an administrator"), "invite": _("invite users via link"), "ban": _("ban users")}
    return ", ".join(names[right] for right in missing)


def _shown_params(_: Translate, refused: Refused, show: Callable[[str], str]) -> dict[str, object]:
    """A refusal often echoes what the person typed (a code, a name): always cut, and escaped for HTML, here."""
    if refused.reason == "group_rights":
        return {"rights": right_names(_, list(refused.params.get("rights", [])))}
    if refused.reason in ("number_expected", "number_outside"):
        return {"range": number_range(_, refused.params.get("low"), refused.params.get("high"))}
    return {
        key: when(_, value) if isinstance(value, datetime) else show(value) if isinstance(value, str) else value
        for key, value in refused.params.items()
    }


def slow_down(_: Translate) -> str:
    return _(
        "You are sending faster than I can read: I skip what comes in the next few seconds. "
        "Please wait a moment, then carry on."
    )


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


def first_tasks(_: Translate) -> str:
    """The page's three initial tasks: in the welcome, and on every task force's card."""
    return _(
        "1. to map relevant on-going actions and projects, for a shared view of the point of departure;\n"
        "2. to elaborate implementation strategies that reach the targets for 2030 and 2050;\n"
        "3. to outline action and project plans for future activities."
    )


def goals_page(_: Translate, catalogue: Catalogue) -> str:
    lines = [_("<b>The goals of the Strategic Plan</b>"), ""]
    lines += [
        labelled(_, f"<b>{escape(goal_name(_, goal))}</b>", escape(goal.headline(_.language)))
        for goal in catalogue.goals
    ]
    lines += ["", _("Choose a goal to see its objectives.")]
    return fit("\n".join(lines))


def goal_name(_: Translate, goal: Goal) -> str:
    name = _("Goal {code}").format(code=goal.code)
    return f"{name} · {goal.title(_.language)}" if goal.title else name


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


def selection(_: Translate, draft: JoinDraft, catalogue: Catalogue, cap: int) -> str:
    lines = [
        _("<b>Which Task Forces do you want to join?</b>"),
        _("Tap to select or unselect, then press Continue. You may hold at most {cap} in all.").format(cap=cap),
        "",
    ]
    for objective in catalogue.objectives:
        mark = "✅ " if objective.code in draft.selected else ("☑️ " if objective.code in draft.held else "")
        lines.append(f"{mark}<b>{objective.code}</b> {escape(objective.title(_.language))}")
    chosen = len(draft.held) + len(draft.selected)
    lines += ["", _("Chosen: {count} of at most {cap}.").format(count=chosen, cap=cap)]
    if draft.held:
        lines += ["", _("☑️ marks the Task Forces you are already in.")]
    return fit("\n".join(lines))


def profile_question(_: Translate, field: ProfileField, first_time: bool) -> str:
    limit = TYPED_LIMITS.get(field)
    questions = {
        ProfileField.NAME: _("What is your full name?"),
        ProfileField.ORGANISATION: _("Which organisation do you belong to?"),
        ProfileField.COUNTRY: _("In which country are you based?"),
        ProfileField.REGION: _('In which region of "4 per 1000" do you work?'),
        ProfileField.STAKEHOLDER_TYPE: _("Which kind of stakeholder is your organisation?"),
        ProfileField.MEMBER_STATUS: _(
            "Is your organisation a member (Consortium of Members) or a partner (Forum of Partners) "
            'of "4 per 1000"? Only members and partners may be Global Leader or Regional Representative.'
        ),
        ProfileField.EMAIL: _(
            "Your e-mail address, so that the Facilitator can reach you outside Telegram (optional). "
            "Only the Facilitators of your Task Forces and the Executive Secretariat see it."
        ),
    }
    header = _("<b>Your profile</b> (asked once, editable later with /profile)") if first_time else ""
    text = questions[field]
    if limit:
        text += "\n" + _("(at most {limit} characters)").format(limit=limit)
    return "\n\n".join(part for part in (header, text) if part)


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


def labelled(_: Translate, label: str, value: str) -> str:
    """ "Label: value" with the colon each language writes: French puts a space before it."""
    return _("{label}: {value}").format(label=label, value=value)


def shown_value(_: Translate, profile: Profile, field: ProfileField, catalogue: Catalogue) -> str:
    """A profile answer as the person reads it (not escaped): in their language, "—" when missing."""
    value = getattr(profile, field.value)
    if field is ProfileField.EMAIL:
        return value or _("(none)")
    if value is None:
        return "—"
    if field is ProfileField.MEMBER_STATUS:
        status = catalogue.member_status(value)
        return status.label(_.language) if status else "—"
    if field in (ProfileField.REGION, ProfileField.STAKEHOLDER_TYPE):
        return catalogue.label_of(value, _.language)
    return str(value)


def profile_lines(_: Translate, profile: Profile, catalogue: Catalogue) -> list[str]:
    return [
        labelled(_, field_label(_, field), escape(shown_value(_, profile, field, catalogue))) for field in ProfileField
    ]


def summary(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> str:
    lines = [_("<b>Please check before you confirm.</b>"), ""]
    lines += profile_lines(_, draft.profile, catalogue)
    lines.append("")
    for code in draft.selected:
        objective = catalogue.objective(code)
        title = escape(objective.title(_.language)) if objective else ""
        lines.append(labelled(_, f"<b>{code}</b> {title}", role_label(_, draft.roles[code])))
        if code in draft.motivations:
            lines.append(f"  “{escape(draft.motivations[code])}”")
    lines += ["", _("Nothing is saved until you press Confirm.")]
    return fit("\n".join(lines))


def joined(_: Translate, results: list[Joined], catalogue: Catalogue, details: dict[str, list[str]]) -> str:
    """The outcome of a join, each task force with its `details` (its facilitators, its members)."""
    lines = [_joined_heading(_, results), ""]
    for result in results:
        objective = catalogue.objective(result.code)
        title = escape(objective.title(_.language) if objective else "")
        role = f"{role_label(_, result.role)} ({status_label(_, result.status)})"
        lines.append(labelled(_, f"<b>{result.code}</b> {title}", role))
        lines += details.get(result.code, [])
    lines.append("")
    if any(r.status is RegistrationStatus.ACTIVE for r in results):
        lines.append(_("As a Team Member you are in at once; the Task Force Facilitator will guide you."))
    if any(r.status is RegistrationStatus.PENDING for r in results):
        lines.append(
            _(
                "Leaders and Regional Representatives are selected by the Executive Secretariat through a "
                "consultative process: the Facilitator will review your application and you will be told the decision here."
            )
        )
    lines += ["", _("<b>What the Task Force does first</b>"), first_tasks(_), ""]
    lines.append(_("/mytaskforces shows your registrations at any time."))
    return fit("\n".join(lines))


def _joined_heading(_: Translate, results: list[Joined]) -> str:
    """A Leader or Representative application is an application, never a registration."""
    pending = [r for r in results if r.status is RegistrationStatus.PENDING]
    if not pending:
        return _("<b>Thank you, you are registered.</b>")
    if len(pending) == len(results):
        return _("<b>Thank you, your application is sent; the Facilitator will decide.</b>")
    return _("<b>Thank you: you are registered as Team Member, and your applications are sent.</b>")


def my_registrations(_: Translate, registrations: list[Registration], catalogue: Catalogue) -> str:
    if not registrations:
        return _("You have not joined any Task Force yet. /taskforces shows the objectives; /join starts joining.")
    lines = [_("<b>Your Task Forces</b>"), ""]
    for item in registrations:
        objective = catalogue.objective(item.taskforce)
        lines.append(
            f"<b>{item.taskforce}</b> {escape(objective.title(_.language) if objective else '')} · "
            f"{place_label(_, item, catalogue)} · {status_label(_, item.status)}"
        )
    return fit("\n".join(lines))


def profile_page(_: Translate, person: Person, catalogue: Catalogue) -> str:
    lines = [_("<b>Your profile</b>"), "", *profile_lines(_, person.as_profile(), catalogue)]
    lines += ["", _("Choose what to change.")]
    return "\n".join(lines)


def field_cleared(_: Translate, field: ProfileField) -> str:
    return _("Removed: {field}.").format(field=field_label(_, field))


def field_saved(_: Translate, field: ProfileField, saved: FieldSaved) -> str:
    text = _("Saved: {field}.").format(field=field_label(_, field))
    if saved.demoted:
        text += "\n" + _(
            "Since your organisation is no longer a member or partner, you are now a Team Member in: {codes}."
        ).format(codes=", ".join(saved.demoted))
    if saved.asked:
        text += "\n" + _(
            "A Regional Representative place stays with the region it is for. "
            "I ask you next what to do with yours in: {codes}."
        ).format(codes=", ".join(saved.asked))
    return text


def place_question(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> str:
    """Asked after a move to another region, once for each Representative place (active or applied for)."""
    values = _place_values(_, asked, catalogue)
    if asked.place.status is RegistrationStatus.PENDING:
        held = _("In Task Force {code} you applied to be the Regional Representative for {old}.")
    else:
        held = _("In Task Force {code} you are the Regional Representative for {old}.")
    return "\n".join(
        [
            _("Your region is now {region}.").format(**values),
            held.format(**values),
            _(
                "That place stays with {old}. Keep it, become a Team Member of the Task Force, or apply "
                "to be the Regional Representative for {region} (the facilitators decide)."
            ).format(**values),
        ]
    )


def _place_values(_: Translate, asked: PlaceQuestion, catalogue: Catalogue) -> dict[str, str]:
    """The new region, the region the place is for, and its task force, as the place's texts name them."""
    return {
        "region": escape(catalogue.label_of(asked.region, _.language)),
        "old": escape(catalogue.label_of(asked.place.region or "", _.language)),
        "code": asked.place.taskforce,
    }


def place_chosen(_: Translate, choice: PlaceChoice, chosen: PlaceQuestion, catalogue: Catalogue) -> str:
    values = _place_values(_, chosen, catalogue)
    if choice is PlaceChoice.APPLY and chosen.place.status is RegistrationStatus.PENDING:
        return _(
            "Your application as Regional Representative for {region} of Task Force {code} is sent to its "
            "facilitators, in place of your application for {old}."
        ).format(**values)
    return {
        PlaceChoice.KEEP: _("Nothing changed: your place in Task Force {code} stays with {old}."),
        PlaceChoice.MEMBER: _("You are now a Team Member of Task Force {code}."),
        PlaceChoice.APPLY: _(
            "Your application as Regional Representative for {region} of Task Force {code} is sent to its "
            "facilitators. Your place for {old} is given up; if they do not approve, you stay in the Task Force "
            "as a Team Member."
        ),
    }[choice].format(**values)


def leave_question(_: Translate, code: str) -> str:
    return _("Do you really want to leave Task Force {code}?").format(code=code)


def stayed_in(_: Translate, code: str) -> str:
    return _("Nothing changed: you stay in Task Force {code}.").format(code=code)


def data_kept(_: Translate) -> str:
    return _("Nothing changed: your data is kept.")


def left(_: Translate, code: str) -> str:
    return _("You have left Task Force {code}. You can join again at any time.").format(code=code)


def forget_question(_: Translate) -> str:
    return _(
        "This deletes your profile and withdraws all your registrations. The history of decisions is "
        "kept without your name or anything you wrote. Delete your data?"
    )


def forgotten(_: Translate) -> str:
    return _("Your data has been deleted. Thank you for your interest; /start whenever you want to come back.")


def privacy(_: Translate) -> str:
    return (
        _(
            "<b>Privacy</b>\n"
            'The Executive Secretariat of the "4 per 1000" Initiative runs this bot to form and run its Task Forces.\n\n'
            "<b>What is stored</b>: your Telegram id, the profile you give (name, organisation, country, region, "
            "stakeholder type, member status, optional e-mail), your language, your registrations and the "
            "decisions on them, and the answers you give in the bot.\n"
            "<b>Why</b>: to form balanced Task Forces, select their Leaders and Regional Representatives, and "
            "keep members informed.\n"
            "<b>Who sees it</b>: the Executive Secretariat, and the Facilitators of the Task Forces you join. "
            "It is not sold or given to anyone else.\n"
            "<b>Your rights</b>: /profile shows and changes your data; /forget deletes it."
        )
        + "\n"
        + _(
            "<b>Delphi study</b>: your answers and comments are seen by the Executive Secretariat only, under a "
            "pseudonym (a code that does not reveal who you are); what the group sees is anonymous. Facilitators do "
            "not see individual answers."
        )
        + "\n"
        + _(
            "<b>For how long</b>: as long as you take part. /forget deletes at once your profile, your Telegram id "
            "and everything you wrote, also from the messages facilitators received, and your Delphi answers and "
            "comments. What stays is anonymous: that a "
            "place in a Task Force was held, applied for or decided (without who, and without any motivation or "
            "reason), and the history of actions without names. The bot's logs hold no names and nothing you wrote."
        )
    )


def cancelled(_: Translate) -> str:
    return _("Cancelled. Nothing was saved. /start shows the menu.")


def nothing_to_cancel(_: Translate) -> str:
    return _("There is nothing to cancel. /help lists what I can do.")


def unknown_command(_: Translate) -> str:
    return _("I do not know that command. /help lists what I can do.")


def unexpected_text(_: Translate) -> str:
    return _("I did not expect a message here. /help lists what I can do.")


def private_only(_: Translate) -> str:
    return _("Please talk to me in a private chat: open my profile and press Start.")


def join_reminder(_: Translate) -> str:
    return _(
        'You began joining the "4 per 1000" Task Forces but did not finish. '
        "Press Continue to carry on where you left off, or /cancel."
    )


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


def no_flow(_: Translate) -> str:
    return _("That joining was already finished or cancelled. /join starts a new one.")


def apology(_: Translate) -> str:
    return _("Sorry, something went wrong on our side. The Secretariat has been told. Please try again later.")


def leave_usage(_: Translate) -> str:
    return _("Which Task Force? Write for example /leave B3, or use the buttons of /mytaskforces.")


def step_question(_: Translate, step: Step, draft: JoinDraft, catalogue: Catalogue, cap: int, offer: RoleOffer) -> str:
    """The text of whatever the join flow asks next, under a line saying what is joined and how far it is."""
    return fit(f"<i>{_progress_line(_, draft, catalogue)}</i>\n\n{_question(_, step, draft, catalogue, cap, offer)}")


def _progress_line(_: Translate, draft: JoinDraft, catalogue: Catalogue) -> str:
    number_, total = progress(draft)
    if not draft.selection_done or not draft.selected:
        return _("Step {n} of {m}").format(n=number_, m=total)
    objective = catalogue.objective(draft.selected[0]) if len(draft.selected) == 1 else None
    what = f"{objective.code} · {escape(objective.title(_.language))}" if objective else ", ".join(draft.selected)
    return _("Joining {what} · step {n} of {m}").format(what=what, n=number_, m=total)


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


def language_question(_: Translate) -> str:
    return _("Which language should I use? (English, Français, Español)")


def language_set(_: Translate) -> str:
    return _("From now on I write to you in English.")


# ---------------------------------------------------------------- each feature's commands and refusals


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


def profile_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "profile",
            CommandAudience.EVERYONE,
            _("See and edit your profile"),
            _("/profile · see and edit your profile"),
        ),
    ]


def profile_refusals(_: Translate) -> dict[str, str]:
    return {
        "region_taken": _(
            "{holder} already holds the Regional Representative place of your new region in Task Force {code}. "
            "Nothing was changed: you may keep your place, or become a Team Member."
        ),
    }


def account_commands(_: Translate) -> list[CommandText]:
    return [
        CommandText(
            "mytaskforces", CommandAudience.EVERYONE, _("Your registrations"), _("/mytaskforces · your registrations")
        ),
        CommandText(
            "leave", CommandAudience.EVERYONE, _("Leave a Task Force"), _("/leave · leave a Task Force (/leave B3)")
        ),
        CommandText(
            "cancel", CommandAudience.EVERYONE, _("Stop what you are doing"), _("/cancel · stop what you are doing")
        ),
        CommandText(
            "language",
            CommandAudience.EVERYONE,
            _("English, Français, Español"),
            _("/language · English, Français, Español"),
        ),
        CommandText(
            "privacy",
            CommandAudience.EVERYONE,
            _("What is stored and who sees it"),
            _("/privacy · what is stored and who sees it"),
        ),
        CommandText("forget", CommandAudience.EVERYONE, _("Delete your data"), _("/forget · delete your data")),
    ]


def account_refusals(_: Translate) -> dict[str, str]:
    return {"not_registered": _("You are not registered in Task Force {code}.")}


# ---------------------------------------------------------------- the system feature: /help and what no feature took


def system_commands(_: Translate) -> list[CommandText]:
    return [CommandText("help", CommandAudience.EVERYONE, _("What I can do"), _("/help · this list"))]


def old_button(_: Translate) -> str:
    """A button made by an earlier version of the bot: not forged, only outdated."""
    return _("This button is from an earlier version of the bot; nothing was changed. /start shows the menu.")
