"""A Delphi question drawn: a panel per round, every panel on the same axes, every label whole and plain text.

The panels share both axes so that rounds compare by eye: each option in the same place, the share
of answers on the same scale (a bar twice as long is twice the share, whichever round it is in).
Labels are wrapped, never cut: an option reads "Latin America and the Caribbean" to its end. Every
text is the round file's or the panel's and is drawn with `parse_math=False`, since matplotlib would
read "$5M … or $2M" as TeX and fail. matplotlib is imported when a chart is drawn, not when the bot starts.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.delphi_models import Question, QuestionType
from bot.i18n import Translate
from bot.services.delphi_results import QuestionResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from PIL import Image

PLAIN: dict[str, Any] = {"parse_math": False}
LABEL_WIDTH = 30  # characters on a line of a bar's label
COLUMNS = 3  # panels on a row; a fourth round begins a second row
SHARE_STEP = 10  # percentage points: the shared axis ends at the first multiple above the largest share
WIDTH, DPI = 7.2, 150  # inches: the width of an A4 page's text; sharp in print and on a screen
LABEL_SIZE, TITLE_SIZE = 7, 8  # points
# Inches. The layout is computed, not found by drawing twice (tight_layout): a drawing is most of a chart's time.
LABEL_LINE, TITLE_LINE = LABEL_SIZE * 1.2 / 72, TITLE_SIZE * 1.2 / 72
BAR = 0.28  # the least room of a bar and its label
TICKS = 0.12  # from a label to its axis: the tick and its padding
EDGE, RIGHT, GAP = 0.08, 0.2, 0.3  # around the figure; after the last panel (its last tick label); between panels
TITLE_ROOM, AXIS_ROOM = 0.12, 0.48  # above a panel's axes, beside its title; below them: tick labels and axis label
MEASURED = 1.05  # a line measured from its font's outlines is drawn a little wider at small sizes (hinting)
GREEN, RED = "#558b2f", "#b71c1c"


def drawable(result: QuestionResult) -> bool:
    """A scale or a choice that someone answered: the questions that get a picture."""
    return result.question.type in (QuestionType.LIKERT, QuestionType.CHOICE) and bool(result.whole.count)


def categories(_: Translate, question: Question) -> list[str]:
    """What each bar stands for, whole: a scale's points (the end labels beside theirs) or a choice's options."""
    if question.type is QuestionType.CHOICE:
        return [option(_.language) for option in question.options]
    points = range(1, (question.scale or 0) + 1)
    return [f"{point} {question.label(point, _.language)}".rstrip() for point in points]


def shares(result: QuestionResult) -> list[float]:
    """The percentage of the round's answers each bar holds."""
    count = result.whole.count
    return [100 * part / count if count else 0.0 for part in result.whole.counts]


def share_limit(results: Sequence[QuestionResult]) -> float:
    """Where the shared axis ends: the first multiple of SHARE_STEP above the largest share of any round."""
    top = max((share for result in results for share in shares(result)), default=0.0)
    return float(min(100, SHARE_STEP * (math.floor(top / SHARE_STEP) + 1)))


def wrapped(text: str, width: int) -> str:
    """On lines of at most `width` characters, nothing left out (a word longer than a line is split)."""
    return "\n".join(textwrap.wrap(text, width)) or text


def line_width(text: str, size: float) -> float:
    """The width, in inches, of a line of text as matplotlib draws it in its default font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _height, _descent = text_to_path.get_text_width_height_descent(text, FontProperties(size=size), False)
    return float(width) * MEASURED / 72


def fitted(text: str, inches: float, size: float) -> str:
    """The text wrapped on lines no wider than `inches`, nothing left out."""
    characters = max(1, int(inches * 72 / (size * 0.5)))
    while True:
        lines = textwrap.wrap(text, characters) or [text]
        if characters == 1 or max(line_width(line, size) for line in lines) <= inches:
            return "\n".join(lines)
        characters = max(1, characters * 9 // 10)


def rounds_figure(_: Translate, panels: Sequence[tuple[str, QuestionResult]]) -> Figure:
    """One question's answers: a panel per (heading, result), COLUMNS to a row, all on the first panel's axes; the
    median of a scale dashed. Every text is placed where it fits whole. The object API only: any thread draws it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [wrapped(label, LABEL_WIDTH) for label in categories(_, panels[0][1].question)]
    columns = min(len(panels), COLUMNS)
    left = EDGE + TICKS + max(line_width(line, LABEL_SIZE) for label in labels for line in label.split("\n"))
    panel_width = (WIDTH - left - RIGHT - GAP * (columns - 1)) / columns
    headings = [fitted(heading, panel_width + GAP / 2, TITLE_SIZE) for heading, _result in panels]
    above = TITLE_LINE * max(heading.count("\n") + 1 for heading in headings) + TITLE_ROOM
    tallest = max(label.count("\n") + 1 for label in labels)
    axes_height = len(labels) * max(BAR, LABEL_LINE * (tallest + 0.5))
    row_height = above + axes_height + AXIS_ROOM
    height = math.ceil(len(panels) / columns) * row_height + 2 * EDGE
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    limit = share_limit([result for _heading, result in panels])
    first: Axes | None = None
    for place, (heading, (_heading, result)) in enumerate(zip(headings, panels, strict=True)):
        row, column = divmod(place, columns)
        bottom = height - EDGE - row * row_height - above - axes_height
        box = (left + column * (panel_width + GAP)) / WIDTH, bottom / height, panel_width / WIDTH, axes_height / height
        axes = figure.add_axes(box, sharex=first, sharey=first)
        _draw(_, axes, labels, heading, result, limit)
        axes.tick_params(labelleft=column == 0)
        first = first or axes
    return figure


def _draw(_: Translate, axes: Axes, labels: list[str], heading: str, result: QuestionResult, limit: float) -> None:
    """Bars at 0…n-1 from the top (the median's line is placed on them)."""
    places = range(len(labels))
    axes.barh(places, shares(result), color=GREEN)
    axes.set_yticks(places, labels, **PLAIN)
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.set_xlim(0, limit)
    spread = result.whole.figures
    if spread is not None and result.question.type is QuestionType.LIKERT:
        axes.axhline(spread.median - 1, color=RED, linestyle="--", linewidth=1)
    axes.set_title(heading, fontsize=TITLE_SIZE, **PLAIN)
    axes.set_xlabel(_("% of answers"), fontsize=LABEL_SIZE, **PLAIN)
    axes.tick_params(labelsize=LABEL_SIZE)
    axes.spines[["top", "right"]].set_visible(False)


def png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def pixels(figure: Figure) -> Image.Image:
    """The figure drawn, as a picture for a PDF: its raw pixels, no PNG written and read back."""
    from PIL import Image

    out = io.BytesIO()
    figure.savefig(out, format="rgba")
    return Image.frombytes("RGBA", figure.canvas.get_width_height(physical=True), out.getvalue()).convert("RGB")
