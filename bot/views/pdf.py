"""What every PDF the bot writes shares: an A4 page, a font for every language, headings, text, tables, pictures.

The Delphi report and the "Investment opportunities" of the catalogue are both a `Document`. Its headings and
paragraphs are wrapped here, each word measured once per font and size: fpdf2's own wrapping (`multi_cell`)
measures a line again at every character, and 500 pages of long summaries took 15 s with it. A word wider
than a line (a link, a name without spaces) is split where it must be, so no text is cut off or runs into
the margin. Tables are fpdf2's, whose cells wrap the same way and go on across pages. Its built-in fonts
know Latin-1 only, so DejaVu Sans is embedded, for any name, answer or language a page may hold; the
charts' matplotlib ships that font (mpl-data/fonts/ttf), so nothing is installed for it apart. No markup
is read anywhere: the texts are people's, and "**" or "--" in them are what they typed.

fpdf2 and matplotlib (with Pillow and numpy) cost about half a second to import: this module is imported
when a PDF is made, never when the bot starts (tests/test_startup.py checks that no module imports them).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from bot.i18n import Translate
from bot.views.words import labelled

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # each costs a parse of its 6 000 glyphs per PDF
MARGIN = 15  # mm around the text of an A4 page
BODY, TABLE, SMALL = 10, 9, 8  # points
HEADING_SIZES = (18, 13, 11)  # points: the title, a section, a part of a section
LEADING = 0.5  # mm of line per point of text: 5 mm lines for 10-point text
KEEP_WITH_NEXT = 30  # mm: a heading lower on its page goes to the next one, with what it heads
SHRINK = 0.95  # a page's text too long for it is tried again this much smaller, until it fits
NO_BREAK_SPACE = "\u00a0"

Run = tuple[str, str]  # a style ("" or "B") and its text: a paragraph is one run or more, one after the other
Word = tuple[str, str, bool]  # a style, a word, and whether a space comes before it on its line
Fragment = tuple[str, str, float]  # a style, the words of a line in it with their spaces, their width in mm


def font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class Document(FPDF):
    """A document in the reader's language (its /Lang, for screen readers and text extraction; its colons), pages
    numbered "2 / 7"."""

    def __init__(self, _: Translate, title: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        folder = font_folder()
        for style, file in FONT_FILES.items():
            self.add_font(FONT, style, str(folder / file))
        self.set_title(title)
        self.set_lang(_.language)
        self._ = _
        self.c_margin = 0  # a line of text is the text's whole width, as wide as its tables and pictures
        self._widths: dict[tuple[str, float, str], float] = {}
        self._scale = 1.0  # of the text's sizes: smaller on a page that must hold it all (`on_one_page`)
        self._measuring = False  # lines are counted, not drawn
        self._one_page = False  # what is written stays on this page (`on_one_page`)
        self.add_page()
        self.set_font(FONT, size=BODY)

    def footer(self) -> None:
        self.set_y(-MARGIN + 4)
        self.set_font(FONT, size=SMALL)
        self.cell(0, SMALL * LEADING, f"{self.page_no()} / {{nb}}", align="C")

    def heading(self, text: str, level: int = 1) -> None:
        """A heading, wrapped, never left alone at a page's foot."""
        size = HEADING_SIZES[level - 1]
        if not self._one_page and self.will_page_break(KEEP_WITH_NEXT):
            self.add_page()
        elif self.get_y() > MARGIN:
            self.ln(size * self._scale * LEADING / 2)
        self._write([("B", text)], size)
        self.ln(1)

    def paragraph(self, text: str, *, style: str = "", small: bool = False) -> None:
        self._write([(style, text)], SMALL if small else BODY)

    def lead(self, label: str, text: str) -> None:
        """A paragraph opened by its label in bold ("Consensus rule: 70/15 …"), wrapped as one."""
        self._write([("B", labelled(self._, label, "")), ("", text)], BODY)

    def rows(self, rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """A table, its first row the headings (repeated on each page it spans); cells wrap, nothing is cut."""
        self.set_font(FONT, size=TABLE)
        with self.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            v_align="TOP",
            line_height=TABLE * LEADING,
            padding=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 240, 230)),
        ) as table:
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.set_font(FONT, size=BODY)
        self.ln(2)

    def picture(self, picture: bytes | Image.Image, aspect: float, heading: str = "") -> None:
        """A picture (a PNG, or pixels) as wide as the text (`aspect`: its height over its width), smaller if it
        would not fit a page; on the next page with its heading (level 3) when they do not fit on this one."""
        width = self.epw
        height = width * aspect
        if height > self.eph - KEEP_WITH_NEXT:
            height = self.eph - KEEP_WITH_NEXT
            width = height / aspect
        if self.will_page_break(height + (KEEP_WITH_NEXT if heading else 0)):
            self.add_page()
        if heading:
            self.heading(heading, 3)
        self.image(
            io.BytesIO(picture) if isinstance(picture, bytes) else picture,
            x=self.l_margin + (self.epw - width) / 2,
            w=width,
            h=height,
        )
        self.ln(2)

    def on_one_page(self, draw: Callable[[], None]) -> None:
        """What `draw` writes, on what is left of this page, its text as much smaller as it must be to fit there:
        it is first measured (the lines are counted, nothing is drawn), then written. Its headings stay where they
        are, even low on the page: nothing follows them on another."""
        top = self.get_y()
        self._one_page = True
        try:
            while True:
                self._measuring = True
                draw()
                self._measuring = False
                bottom = self.get_y()
                self.set_y(top)
                if bottom <= self.page_break_trigger:
                    break
                self._scale *= SHRINK
            draw()
        finally:
            self._measuring, self._one_page, self._scale = False, False, 1.0

    def finished(self) -> bytes:
        return bytes(self.output())

    def _write(self, runs: Sequence[Run], points: int) -> None:
        """The runs as one paragraph, line after line, each line a cell per style (only its height when measuring)."""
        size = points * self._scale
        height = size * LEADING
        for line in self._lines(runs, size):
            for style, text, width in [] if self._measuring else line:
                self.set_font(FONT, style, size)
                self.cell(width, height, text)
            self.ln(height)
        self.set_font(FONT, size=BODY)

    def _lines(self, runs: Sequence[Run], size: float) -> Iterator[list[Fragment]]:
        """The lines the runs take in the text's width, broken at spaces; a word wider than a line alone is split
        on lines of its own, never cut short nor into the margin."""
        for words in _paragraphs(runs):
            line: list[Fragment] = []
            used = 0.0
            for style, word, spaced in words:
                width = self._width(style, size, word)
                space = self._width(line[-1][0], size, " ") if line and spaced else 0.0
                if line and used + space + width > self.epw:
                    yield line
                    line, used, space = [], 0.0, 0.0
                while width > self.epw:
                    cut = self._fitting(style, size, word)
                    yield [(style, word[:cut], self._width(style, size, word[:cut]))]
                    word = word[cut:]
                    width = self._width(style, size, word)
                if line and spaced:  # the space goes with the words before it, in their style
                    line[-1] = (line[-1][0], line[-1][1] + " ", line[-1][2] + space)
                if line and line[-1][0] == style:
                    line[-1] = (style, line[-1][1] + word, line[-1][2] + width)
                else:
                    line.append((style, word, width))
                used += space + width
            yield line

    def _width(self, style: str, size: float, text: str) -> float:
        """A word's width, measured once: texts repeat their words, line after line and page after page."""
        key = (style, size, text)
        if key not in self._widths:
            self.set_font(FONT, style, size)
            self._widths[key] = self.get_string_width(text)
        return self._widths[key]

    def _fitting(self, style: str, size: float, word: str) -> int:
        """How many of a word's first characters fit a line (one at least, however narrow the line)."""
        self.set_font(FONT, style, size)
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            if self.get_string_width(word[:middle]) <= self.epw:
                low = middle
            else:
                high = middle - 1
        return low


def _paragraphs(runs: Sequence[Run]) -> list[list[Word]]:
    """The runs' words, a list per line of their text; a run that goes on without a space glues its first word to
    the previous run's last. A no-break space joins two words and is written as a space (as fpdf2 does)."""
    paragraphs: list[list[Word]] = [[]]
    spaced = False
    for style, text in runs:
        for number, line in enumerate(text.split("\n")):
            if number:
                paragraphs.append([])
                spaced = False
            for place, word in enumerate(line.replace("\t", " ").split(" ")):
                spaced = spaced or place > 0
                if word:
                    paragraphs[-1].append((style, word.replace(NO_BREAK_SPACE, " "), spaced and bool(paragraphs[-1])))
                    spaced = False
    return paragraphs
