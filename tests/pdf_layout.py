"""Where a PDF's text stands on its pages, read back as a viewer would.

pypdf gives each piece of text drawn, with its font, size and starting point; its width is measured here
from the embedded font's own advance widths (fontTools reads DejaVu Sans, the file the bot embeds), not by
fpdf2 nor by the code that wrapped the lines, so a line measured wrong by the bot is seen wider than it
said.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from fontTools.ttLib import TTFont
from pypdf import PdfReader

POINTS_PER_MM = 72 / 25.4
SLACK = 0.01  # points: rounding of the positions fpdf2 writes


@dataclass(frozen=True)
class Drawn:
    page: int
    text: str
    left: float  # points from the page's left edge
    right: float


@cache
def _advances(bold: bool) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    """A font file's characters to glyphs, glyphs to advance widths, and its units per em."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)
    return font.getBestCmap(), dict(font["hmtx"].metrics), font["head"].unitsPerEm


def text_width(text: str, bold: bool, size: float) -> float:
    """Points wide, as a viewer draws it in DejaVu Sans (a character the font lacks drawn as its .notdef)."""
    glyphs, widths, units = _advances(bold)
    return sum(widths[glyphs.get(ord(character), ".notdef")][0] for character in text) * size / units


def drawn(pdf: bytes) -> list[Drawn]:
    """Every piece of text on every page, in the order drawn."""
    found: list[Drawn] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):

        def seen(text: str, cm: list[float], tm: list[float], font: Any, size: float, number: int = number) -> None:
            if font is None or not text.strip("\n"):
                return
            text = text.rstrip("\n")
            left = tm[4] * cm[0] + cm[4]
            bold = "Bold" in str(font.get("/BaseFont", ""))
            found.append(Drawn(number, text, left, left + text_width(text, bold, size * tm[0] * cm[0])))

        page.extract_text(visitor_text=seen)
    return found


def beyond_margins(pdf: bytes, margin_mm: float, page_width_mm: float = 210) -> list[Drawn]:
    """The pieces of text that begin left of the left margin or end right of the right one."""
    margin, width = margin_mm * POINTS_PER_MM, page_width_mm * POINTS_PER_MM
    return [d for d in drawn(pdf) if d.left < margin - SLACK or d.right > width - margin + SLACK]
