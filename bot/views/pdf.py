"""What every PDF the bot writes shares: an A4 page, a font for every language, headings, text, tables, pictures.

fpdf2 lays the text out (wrapped lines, tables that go on across pages); its built-in fonts know
Latin-1 only, so DejaVu Sans is embedded, for any name, answer or language a page may hold. The
charts' matplotlib ships that font (mpl-data/fonts/ttf), so nothing is installed for it apart. No
markup is read anywhere: the texts are people's, and "**" or "--" in them are what they typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # each costs a parse of its 6 000 glyphs per PDF
MARGIN = 15  # mm around the text of an A4 page
BODY, TABLE, SMALL = 10, 9, 8  # points
HEADING_SIZES = (18, 13, 11)  # points: the title, a section, a part of a section
LEADING = 0.5  # mm of line per point of text: 5 mm lines for 10-point text
KEEP_WITH_NEXT = 30  # mm: a heading lower on its page goes to the next one, with what it heads


def font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class Document(FPDF):
    """A document in one language (its /Lang, for screen readers and text extraction), pages numbered "2 / 7"."""

    def __init__(self, title: str, language: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        folder = font_folder()
        for style, file in FONT_FILES.items():
            self.add_font(FONT, style, str(folder / file))
        self.set_title(title)
        self.set_lang(language)
        self.add_page()
        self.set_font(FONT, size=BODY)

    def footer(self) -> None:
        self.set_y(-MARGIN + 4)
        self.set_font(FONT, size=SMALL)
        self.cell(0, SMALL * LEADING, f"{self.page_no()} / {{nb}}", align="C")

    def heading(self, text: str, level: int = 1) -> None:
        """A heading, wrapped, never left alone at a page's foot."""
        size = HEADING_SIZES[level - 1]
        if self.will_page_break(KEEP_WITH_NEXT):
            self.add_page()
        elif self.get_y() > MARGIN:
            self.ln(size * LEADING / 2)
        self._lines(text, "B", size)
        self.ln(1)

    def paragraph(self, text: str, *, style: str = "", size: int = BODY) -> None:
        self._lines(text, style, size)

    def lead(self, lead: str, text: str, *, size: int = BODY) -> None:
        """A paragraph opened by a few words in bold ("Consensus rule: 70/15 …"), wrapped as one."""
        height = size * LEADING
        self.set_font(FONT, "B", size)
        self.write(height, lead)
        self.set_font(FONT, "", size)
        self.write(height, text)
        self.ln(height)

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

    def finished(self) -> bytes:
        return bytes(self.output())

    def _lines(self, text: str, style: str, size: int) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * LEADING, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=BODY)
