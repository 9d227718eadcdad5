"""What the words of every feature share: fitting a message to Telegram's limits, moments and numbers
in the reader's locale, the labels of roles, places and statuses, and refusals turned into sentences.

Each feature's own texts are in the view module named for it; catalogue and user text are HTML-escaped
there and here, since messages are sent as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from html import escape

from babel.dates import format_datetime
from babel.numbers import format_decimal

from bot.i18n import Translate
from bot.models import Catalogue, Goal, Registration, RegistrationStatus, Role, Standing, standing
from bot.services.errors import Refused
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


# French writes a space before these signs, one that never breaks, or a phone could wrap the sign alone
# onto the next line: a no-break space before ":", a narrow one before ";", "!" and "?".
_SPACE_BEFORE = {"fr": {":": "\u00a0", ";": "\u202f", "!": "\u202f", "?": "\u202f"}}


def sign(_: Translate, mark: str) -> str:
    """A punctuation sign that code puts between parts, with the space the reader's language writes before it:
    the catalogue's texts carry their own, and lines joined in code must read the same."""
    return _SPACE_BEFORE.get(_.language, {}).get(mark, "") + mark


def labelled(_: Translate, label: str, value: str) -> str:
    """ "Label: value" with the colon each language writes (French: "Label\u00a0: value")."""
    return f"{label}{sign(_, ':')} {value}"


def quoted(_: Translate, text: str) -> str:
    """Someone's words quoted with the marks of the reader's language (French: « » with no-break spaces)."""
    return _("“{text}”").format(text=text)


def goal_name(_: Translate, goal: Goal) -> str:
    """ "Goal B · An enabling environment": browsing the plan and choosing task forces name goals alike."""
    name = _("Goal {code}").format(code=goal.code)
    return f"{name} · {goal.title(_.language)}" if goal.title else name


def goal_label(_: Translate, goal: Goal) -> str:
    """A goal on a button: "B · An enabling environment", short enough for a phone's row."""
    return f"{goal.code} · {goal.title(_.language)}" if goal.title else goal_name(_, goal)


def role_label(_: Translate, role: Role) -> str:
    return {
        Role.LEADER: _("Global Leader"),
        Role.REPRESENTATIVE: _("Regional Representative"),
        Role.MEMBER: _("Team Member"),
    }[role]


def place_label(_: Translate, registration: Registration, catalogue: Catalogue) -> str:
    """A place's role; a Representative's with the region the place is for (its own, not the profile's)."""
    return role_for(_, registration.role, registration.region_held, catalogue)


def role_for(_: Translate, role: Role, region: str | None, catalogue: Catalogue) -> str:
    """A role, and for a Representative the region applied for: "Regional Representative for Africa"."""
    if role is not Role.REPRESENTATIVE or region is None:
        return role_label(_, role)
    return _("Regional Representative for {region}").format(region=escape(catalogue.label_of(region, _.language)))


def status_label(_: Translate, status: RegistrationStatus | Standing) -> str:
    """A place's status; a withdrawn one says who ended it (`Registration.standing`): "left" when its person
    did, "withdrawn" only when the Secretariat did. A bare WITHDRAWN status (no one said who) reads "left"."""
    return {
        Standing.ACTIVE: _("active"),
        Standing.PENDING: _("awaiting a decision"),  # the facilitators', or the Secretariat's
        Standing.REJECTED: _("not accepted"),
        Standing.LEFT: _("left"),
        Standing.WITHDRAWN: _("withdrawn by the Secretariat"),
    }[status if isinstance(status, Standing) else standing(status, None)]


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


def first_tasks(_: Translate) -> str:
    """The page's three initial tasks: in the welcome, and on every task force's card."""
    return _(
        "1. to map relevant on-going actions and projects, for a shared view of the point of departure;\n"
        "2. to elaborate implementation strategies that reach the targets for 2030 and 2050;\n"
        "3. to outline action and project plans for future activities."
    )


def private_only(_: Translate) -> str:
    return _("Please talk to me in a private chat: open my profile and press Start.")
