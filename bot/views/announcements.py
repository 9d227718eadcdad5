"""Texts and keyboards of announcements (writing, audience, preview, progress) and of /settings."""

from __future__ import annotations

from html import escape
from typing import Annotated, Literal

from pydantic import StringConstraints
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import SUPPORTED, Translate, translator
from bot.models import Audience, Broadcast, BroadcastState, Catalogue, ContentType, Role
from bot.services.announcements import Progress, effective
from bot.services.errors import Refused
from bot.storage.announcements import Reach
from bot.views.buttons import button, keyboard
from bot.views.callbacks import Buttons, Longest, RowId
from bot.views.commands import CommandAudience, CommandText
from bot.views.shown import plain, shown
from bot.views.words import fit, labelled, number, role_label, when

# ---------------------------------------------------------------- its buttons


AudienceValue = Annotated[
    str, StringConstraints(pattern=r"^([A-Z][1-9]|leader|representative|member|[0-9]{1,2})$"), Longest("representative")
]


# A criterion of an announcement's audience: task forces, roles, regions, stakeholder types.
Criterion = Literal["tf", "ro", "rg", "ty"]


AudienceScreen = Literal["main"] | Criterion  # the draft's main page, or one criterion's values


AudiencePart = Literal["all"] | Criterion  # `all`: everyone


DraftChoice = Literal["preview", "send", "change", "cancel"]


Steering = Literal["pause", "resume", "cancel"]  # a sending announcement's


class AudiencePage(Buttons, prefix="ag"):
    broadcast: RowId
    page: AudienceScreen


class AudienceToggle(Buttons, prefix="at"):
    """One value of a criterion on or off; `all` (no value) clears every criterion: everyone."""

    broadcast: RowId
    part: AudiencePart
    value: AudienceValue | None = None


class DraftAction(Buttons, prefix="da"):
    broadcast: RowId
    action: DraftChoice


class SendingAction(Buttons, prefix="sa"):
    broadcast: RowId
    action: Steering


class AnnouncementsSetting(Buttons, prefix="st"):
    on: Literal["on", "off"]


Rows = list[list[InlineKeyboardButton]]
PARTS: dict[Criterion, str] = {"tf": "taskforces", "ro": "roles", "rg": "regions", "ty": "types"}


def ask_content(_: Translate) -> str:
    return _(
        "Send me the announcement: a text (its formatting is kept), or one photo or one document with a caption. "
        "/cancel stops."
    )


def content_expected(_: Translate) -> str:
    return _("An announcement is a text, or one photo or one document with a caption. Please send one, or /cancel.")


def signature(_: Translate, author_name: str, scope: list[str] | None) -> str:
    """Every announcement says who sent it and how to stop them."""
    name = escape(author_name)  # the name Telegram shows: "R&D <3" is text, not markup
    if scope is None:
        who = _("{name}, Executive Secretariat").format(name=name)
    else:
        who = _("{name}, facilitator of {codes}").format(name=name, codes=", ".join(scope))
    return _("Announcement from {who}. /settings turns announcements off.").format(who=who)


def _signed(_: Translate, author_name: str, scope: list[str] | None) -> str:
    return f"\n\n<i>— {signature(_, author_name, scope)}</i>"


def announcement(_: Translate, broadcast: Broadcast) -> str:
    """The text, or the caption, exactly as people get it."""
    return broadcast.content.html + _signed(_, broadcast.author_name, broadcast.author_scope)


def footer_room(author_name: str, scope: list[str] | None) -> int:
    """Characters the footer adds to an announcement as Telegram counts them (after parsing), in the
    language where it is longest: what the author's text must leave free of Telegram's limit."""
    return max(len(plain(_signed(translator(language), author_name, scope))) for language in SUPPORTED)


def audience_lines(_: Translate, audience: Audience, catalogue: Catalogue) -> list[str]:
    if audience.everyone:
        return [_("Everyone registered")]
    anything = _("any")
    return [
        labelled(_, _("Task Forces"), ", ".join(audience.taskforces) or anything),
        labelled(_, _("Roles"), ", ".join(role_label(_, r) for r in audience.roles) or anything),
        labelled(_, _("Regions"), ", ".join(catalogue.label_of(r, _.language) for r in audience.regions) or anything),
        labelled(
            _, _("Stakeholder types"), ", ".join(catalogue.label_of(t, _.language) for t in audience.types) or anything
        ),
    ]


def audience_page(_: Translate, broadcast: Broadcast, reach: Reach, catalogue: Catalogue) -> str:
    audience = effective(broadcast.audience, broadcast.author_scope)
    lines = [_("<b>Who should get it?</b>"), "", *audience_lines(_, audience, catalogue), ""]
    lines.append(reach_line(_, reach))
    return "\n".join(lines)


def reach_line(_: Translate, reach: Reach) -> str:
    line = _("Recipients: <b>{count}</b>.").format(count=number(_, reach.recipients))
    if reach.turned_off or reach.unreachable:
        off = _.ngettext("{count} turned announcements off", "{count} turned announcements off", reach.turned_off)
        gone = _.ngettext("{count} cannot be reached", "{count} cannot be reached", reach.unreachable)
        parts = [off.format(count=number(_, reach.turned_off)), gone.format(count=number(_, reach.unreachable))]
        line += " " + _("Left out: {parts}.").format(parts=", ".join(parts))
    return line


def audience_keyboard(
    _: Translate, broadcast: Broadcast, page: AudienceScreen, catalogue: Catalogue
) -> InlineKeyboardMarkup:
    """The main page opens one criterion at a time; a criterion's page toggles its values."""
    bid = broadcast.id
    if page == "main":
        rows: Rows = [
            [
                button(_("Task Forces ›"), AudiencePage(broadcast=bid, page="tf").pack()),
                button(_("Roles ›"), AudiencePage(broadcast=bid, page="ro").pack()),
            ],
            [
                button(_("Regions ›"), AudiencePage(broadcast=bid, page="rg").pack()),
                button(_("Types ›"), AudiencePage(broadcast=bid, page="ty").pack()),
            ],
            [button(_("Everyone"), AudienceToggle(broadcast=bid, part="all").pack())],
            [
                button(_("Preview ▶"), DraftAction(broadcast=bid, action="preview").pack()),
                button(_("Cancel"), DraftAction(broadcast=bid, action="cancel").pack()),
            ],
        ]
        return keyboard(*rows)
    chosen = {str(v) for v in getattr(effective(broadcast.audience, broadcast.author_scope), PARTS[page])}

    def toggle(label: str, stored: str, value: str) -> InlineKeyboardButton:
        return button(
            ("✅ " if stored in chosen else "") + label, AudienceToggle(broadcast=bid, part=page, value=value).pack()
        )

    if page == "tf":
        codes = broadcast.author_scope or [o.code for o in catalogue.objectives]
        options = [toggle(code, code, code) for code in codes]
        width = 4
    elif page == "ro":
        options = [toggle(role_label(_, role), role.value, role.value) for role in Role]
        width = 1
    else:
        names = catalogue.region_names if page == "rg" else catalogue.stakeholder_type_names
        options = [toggle(catalogue.label_of(name, _.language), name, str(i)) for i, name in enumerate(names)]
        width = 1
    rows = [options[i : i + width] for i in range(0, len(options), width)]
    rows.append([button(_("« Done"), AudiencePage(broadcast=bid, page="main").pack())])
    return keyboard(*rows)


def confirm(_: Translate, broadcast: Broadcast, reach: Reach, catalogue: Catalogue) -> str:
    lines = [_("<b>Above is the announcement as people will get it.</b>"), ""]
    lines += audience_lines(_, effective(broadcast.audience, broadcast.author_scope), catalogue)
    lines += ["", reach_line(_, reach)]
    return "\n".join(lines)


def confirm_keyboard(_: Translate, broadcast_id: int) -> InlineKeyboardMarkup:
    def action(label: str, action: DraftChoice) -> InlineKeyboardButton:
        return button(label, DraftAction(broadcast=broadcast_id, action=action).pack())

    return keyboard(
        [action(_("Send"), "send")], [action(_("Change audience"), "change"), action(_("Cancel"), "cancel")]
    )


def state_label(_: Translate, state: BroadcastState) -> str:
    return {
        BroadcastState.DRAFT: _("draft"),
        BroadcastState.SENDING: _("sending"),
        BroadcastState.PAUSED: _("paused"),
        BroadcastState.CANCELLED: _("cancelled"),
        BroadcastState.DONE: _("done"),
    }[state]


def progress(_: Translate, item: Progress, rate: float) -> str:
    """Sent / total, unreachable, failed and, while sending, about how long is left."""
    broadcast, counts = item.broadcast, item.counts
    lines = [
        _("<b>Announcement #{id}</b> · {state}").format(id=broadcast.id, state=state_label(_, broadcast.state)),
        _("Sent {sent} of {total} · unreachable {unreachable} · failed {failed}").format(
            sent=number(_, counts.sent),
            total=number(_, broadcast.total),
            unreachable=number(_, counts.unreachable),
            failed=number(_, counts.failed),
        ),
    ]
    if counts.turned_off:
        lines.append(_("Turned announcements off meanwhile: {count}").format(count=number(_, counts.turned_off)))
    if broadcast.state is BroadcastState.SENDING and counts.waiting:
        lines.append(_("About {minutes} min left").format(minutes=max(1, round(counts.waiting / rate / 60))))
    if broadcast.state is BroadcastState.CANCELLED and counts.waiting == 0:
        left = broadcast.total - counts.sent - counts.unreachable - counts.failed - counts.turned_off
        unsent = max(left, 0)
        cancelled = _.ngettext("Cancelled: {count} not sent.", "Cancelled: {count} not sent.", unsent)
        lines.append(cancelled.format(count=number(_, unsent)))
    if broadcast.started_at is not None:
        lines.append(labelled(_, _("Started"), when(_, broadcast.started_at)))
    if broadcast.finished_at is not None:
        lines.append(labelled(_, _("Finished"), when(_, broadcast.finished_at)))
    return "\n".join(lines)


def steering(_: Translate, broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    bid = broadcast.id
    if broadcast.state is BroadcastState.SENDING:
        first = button(_("Pause"), SendingAction(broadcast=bid, action="pause").pack())
    elif broadcast.state is BroadcastState.PAUSED:
        first = button(_("Resume"), SendingAction(broadcast=bid, action="resume").pack())
    else:
        return None
    return keyboard([first, button(_("Cancel sending"), SendingAction(broadcast=bid, action="cancel").pack())])


def recent(_: Translate, items: list[Progress], rates: list[float]) -> str:
    if not items:
        return _("No announcements yet. /broadcast writes one.")
    return fit("\n\n".join(progress(_, item, rate) for item, rate in zip(items, rates, strict=True)))


def recent_keyboard(_: Translate, items: list[Progress]) -> InlineKeyboardMarkup | None:
    rows: Rows = []
    for item in items:
        markup = steering(_, item.broadcast)
        if markup is not None:
            rows += [
                [button(f"#{item.broadcast.id} · {b.text}", str(b.callback_data)) for b in row]
                for row in markup.inline_keyboard
            ]
    return keyboard(*rows) if rows else None


def preview_failed(_: Translate, refused: Refused) -> str:
    """Telegram would not show the announcement: what is wrong, in plain words, and what to do."""
    if refused.reason == "file_gone":
        if refused.params.get("kind") == ContentType.DOCUMENT.value:
            problem = _("The document of this announcement is no longer available on Telegram, so it cannot be sent.")
            fix = _("Please send the document again, with its caption.")
        else:
            problem = _("The photo of this announcement is no longer available on Telegram, so it cannot be sent.")
            fix = _("Please send the photo again, with its caption.")
    elif refused.reason == "text_unreadable":
        problem = _("Telegram could not show the text of this announcement: {reason}.").format(
            reason=shown(str(refused.params.get("detail", "")), 200)
        )
        near = str(refused.params.get("near", ""))
        if near:
            problem += "\n" + _("The problem is around: <code>{near}</code>").format(near=shown(near, 100))
        fix = _("Please send the text again, corrected.")
    elif refused.reason == "text_too_long":
        problem = _("Telegram found this announcement too long once it is signed.")
        fix = _("Please send a shorter text.")
    else:
        problem = _("Telegram refused to show this announcement: {reason}.").format(
            reason=shown(str(refused.params.get("detail", "")), 200)
        )
        fix = _("Please send the announcement again.")
    keep = _("The audience you chose is kept; /cancel drops the announcement.")
    return f"{problem}\n\n{fix} {keep}"


def draft_cancelled(_: Translate) -> str:
    return _("Cancelled: the announcement was not sent.")


def settings_page(_: Translate, on: bool) -> str:
    state = _("on") if on else _("off")
    return "\n".join(
        [
            _("<b>Settings</b>"),
            "",
            labelled(_, _("Announcements from the Secretariat and the facilitators"), f"<b>{state}</b>"),
            _(
                "Messages about your own applications, your Task Forces' decisions and Delphi questions "
                "reach you either way."
            ),
        ]
    )


def settings_keyboard(_: Translate, on: bool) -> InlineKeyboardMarkup:
    label = _("Turn announcements off") if on else _("Turn announcements on")
    return keyboard([button(label, AnnouncementsSetting(on="off" if on else "on").pack())])


def announcements_commands(_: Translate) -> list[CommandText]:
    """Everyone may turn announcements off; facilitators and the Secretariat write and steer them."""
    return [
        CommandText(
            "settings", CommandAudience.EVERYONE, _("Announcements on or off"), _("/settings · announcements on or off")
        ),
        CommandText(
            "broadcast",
            CommandAudience.FACILITATORS,
            _("Send an announcement"),
            _("/broadcast · an announcement to the members of your Task Forces"),
            help_for_admins=_(
                "/broadcast · an announcement to everyone, or to chosen Task Forces, roles, regions, types"
            ),
        ),
        CommandText(
            "broadcasts",
            CommandAudience.FACILITATORS,
            _("Announcements sent: progress, pause, cancel"),
            _("/broadcasts · recent announcements: progress, pause, cancel"),
        ),
    ]


def announcements_refusals(_: Translate) -> dict[str, str]:
    """The refusals only writing and sending announcements meet."""
    return {
        "broadcast_not_allowed": _("Announcements are sent by the Executive Secretariat and the facilitators."),
        "no_recipients": _("Nobody would get it: this audience has no one who can receive announcements."),
        "broadcast_over": _("This announcement has finished; nothing was changed."),
    }
