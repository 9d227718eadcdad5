"""/stats: a short text and one chart, readable on a phone."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING

from bot.i18n import Translate
from bot.models import Catalogue, Role
from bot.services.reports import Statistics, joins_by_week
from bot.views.commands import CommandAudience, CommandText
from bot.views.words import fit, labelled, number, role_label

if TYPE_CHECKING:  # imported when a chart is drawn, not at start-up
    from matplotlib.figure import Figure

BARS = "▁▂▃▄▅▆▇█"
ROLE_COLOURS = {Role.LEADER: "#1b5e20", Role.REPRESENTATIVE: "#66bb6a", Role.MEMBER: "#c5e1a5"}


def summary(_: Translate, stats: Statistics, catalogue: Catalogue, now: datetime, scoped: bool) -> str:
    figures = stats.figures
    active = sum(t.members for t in stats.taskforces)
    pending = sum(t.pending for t in stats.taskforces)
    leaders_open = [t.code for t in stats.taskforces if t.leader_open]
    seats = stats.regions * len(stats.taskforces)
    filled = sum(t.representatives for t in stats.taskforces)
    weeks = joins_by_week(stats, now)
    heading = _("<b>Statistics</b> · your Task Forces") if scoped else _("<b>Statistics</b> · all Task Forces")
    lines = [
        heading,
        "",
        labelled(_, _("People"), number(_, figures.people)),
        labelled(
            _,
            _("Places held"),
            ", ".join(
                (
                    _.ngettext("{count} active", "{count} active", active).format(count=number(_, active)),
                    _.ngettext("{count} application waiting", "{count} applications waiting", pending).format(
                        count=number(_, pending)
                    ),
                )
            ),
        ),
        labelled(_, _("Unreachable (blocked the bot)"), number(_, figures.unreachable)),
        labelled(
            _,
            _("Global Leader seats"),
            _("{filled} of {seats} filled").format(
                filled=number(_, len(stats.taskforces) - len(leaders_open)), seats=number(_, len(stats.taskforces))
            )
            + (" · " + _("open: {codes}").format(codes=", ".join(leaders_open)) if leaders_open else ""),
        ),
        labelled(
            _,
            _("Regional Representative seats"),
            _("{filled} of {seats} filled").format(filled=number(_, filled), seats=number(_, seats)),
        ),
        "",
        labelled(_, _("By region"), _counts(_, figures.by_region, catalogue)),
        labelled(_, _("By stakeholder type"), _counts(_, figures.by_type, catalogue)),
        labelled(
            _,
            _("Joins per week"),
            "".join(_bar(count, max(c for _w, c in weeks) or 1) for _w, count in weeks)
            + " "
            + _("(last {weeks} weeks; this week {count})").format(weeks=len(weeks), count=number(_, weeks[-1][1])),
        ),
        "",
        _(
            "<b>Per Task Force</b> (active Leader · Representatives · Team Members / waiting / left, withdrawn "
            "or not accepted)"
        ),
    ]
    lines += [
        labelled(
            _,
            t.code,
            f"{t.active[Role.LEADER]} · {t.active[Role.REPRESENTATIVE]} · {number(_, t.active[Role.MEMBER])}"
            f" / {number(_, t.pending)} / {number(_, t.ended)}",
        )
        for t in stats.taskforces
    ]
    return fit("\n".join(lines))


def export_preparing(_: Translate, count: int) -> str:
    """Said before the files, which take a while at many thousands of registrations."""
    return _.ngettext(
        "Preparing the export of {count} registration…", "Preparing the export of {count} registrations…", count
    ).format(count=number(_, count))


def people_caption(_: Translate) -> str:
    return _("One row per person.")


def workbook_caption(_: Translate) -> str:
    return _("Registrations, profiles and decisions.")


def _counts(_: Translate, pairs: list[tuple[str, int]], catalogue: Catalogue) -> str:
    return " · ".join(f"{catalogue.label_of(name, _.language)} {number(_, count)}" for name, count in pairs) or "—"


def _bar(count: int, most: int) -> str:
    return BARS[min(len(BARS) - 1, round(count / most * (len(BARS) - 1)))] if count else " "


def chart(_: Translate, stats: Statistics) -> bytes:
    """The chart as a PNG (`chart_figure`)."""
    out = io.BytesIO()
    chart_figure(_, stats).savefig(out, format="png")
    return out.getvalue()


def chart_figure(_: Translate, stats: Statistics) -> Figure:
    """Members per task force stacked by role, open Leader seats marked.

    The count axis has whole numbers only: with a few members matplotlib would mark 0.5, 1.5, and
    nobody is half a member. matplotlib is imported here, on first use: it costs half a second of
    every start-up otherwise. Only its object API is used (no pyplot), which is safe off the event loop.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    taskforces = list(reversed(stats.taskforces))  # A1 at the top
    codes = [t.code for t in taskforces]
    figure = Figure(figsize=(6, max(3.0, 0.32 * len(codes) + 1.6)), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    left = [0] * len(codes)
    for role in Role:
        values = [t.active[role] for t in taskforces]
        axes.barh(codes, values, left=left, color=ROLE_COLOURS[role], label=role_label(_, role))
        left = [a + b for a, b in zip(left, values, strict=True)]
    widest = max(left) if left and max(left) > 0 else 1
    for index, item in enumerate(taskforces):
        if item.leader_open:
            axes.text(
                left[index] + widest * 0.01, index, "○ " + _("no Leader"), va="center", fontsize=7, color="#b71c1c"
            )
    axes.set_xlim(0, widest * 1.25)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.01)
    axes.set_title(_("Members per Task Force, by role"), fontsize=11, pad=24)
    axes.tick_params(axis="y", labelsize=8)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def reports_commands(_: Translate) -> list[CommandText]:
    """The facilitators' and the Secretariat's files and figures."""
    return [
        CommandText(
            "export",
            CommandAudience.FACILITATORS,
            _("Registrations as CSV and XLSX"),
            _("/export · registrations and profiles as CSV and XLSX"),
        ),
        CommandText(
            "stats",
            CommandAudience.FACILITATORS,
            _("Figures and a chart"),
            _("/stats · figures and a chart of the Task Forces"),
        ),
    ]
