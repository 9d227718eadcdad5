"""A small streaming XLSX writer for the exports: text, whole numbers and dates, frozen
heading rows, filters and column widths, one sheet after another or side by side.

Why not openpyxl, which reads these files back in the tests: measured on this machine
(bench/reports.py), openpyxl's write-only mode took 92 s and 600 MB for the export of
250 000 registrations (the "All" sheet plus one per task force: 500 000 rows); this
writer takes a few seconds and stays flat in memory, because each sheet's XML goes to
a scratch file as rows arrive and is deflated into the package at the end. The cost:
these few SpreadsheetML parts are ours to keep valid (tests open every export with
openpyxl and check cells, dates, the frozen pane, the filter and the widths).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO
from xml.sax.saxutils import escape, quoteattr

Cell = str | int | datetime | None
EXCEL_EPOCH = datetime(1899, 12, 30)
# Characters XML 1.0 cannot carry at all (a name pasted with a control character).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
DATE_STYLE, HEADER_STYLE = 1, 2


def column(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(value: Cell) -> str:
    """One cell's XML; the common cases first, since an export writes millions of them."""
    if type(value) is str:
        if not value:
            return "<c/>"
        if not value.isprintable():
            value = UNWRITABLE.sub("", value)
        if "&" in value or "<" in value or ">" in value:
            value = escape(value)
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
    if value is None:
        return "<c/>"
    if isinstance(value, datetime):
        serial = (value - EXCEL_EPOCH).total_seconds() / 86400
        return f'<c s="{DATE_STYLE}"><v>{serial!r}</v></c>'
    return f"<c><v>{int(value)}</v></c>"


def row_xml(row: Sequence[Cell]) -> str:
    """A row's cells, made once even when the row goes to several sheets."""
    return "".join(map(_cell, row))


class Sheet:
    """One worksheet, its rows written to a scratch file as they come.

    Its heading rows come first: the last one in bold, frozen with those above it, and filtered on."""

    def __init__(self, title: str, path: Path, headings: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.title = title[:31]
        self.path = path
        self.width = len(headings[-1])
        self.header_rows = len(headings)
        self.rows = 0
        self._file: TextIO = path.open("w", encoding="utf-8")
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(widths, start=1)
        )
        below = self.header_rows + 1
        self._file.write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{self.header_rows}" topLeftCell="A{below}"'
            ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
        )
        for number, names in enumerate(headings, start=1):
            style = f' s="{HEADER_STYLE}"' if number == self.header_rows else ""
            self._write("".join(f'<c t="inlineStr"{style}><is><t>{escape(name)}</t></is></c>' for name in names))

    def append(self, cells: str) -> None:
        """A row made by `row_xml`."""
        self._write(cells)

    def _write(self, cells: str) -> None:
        self.rows += 1
        self._file.write(f'<row r="{self.rows}">{cells}</row>')

    @property
    def filter_range(self) -> str:
        return f"A{self.header_rows}:{column(self.width - 1)}{self.rows}"

    def close(self) -> None:
        self._file.write(f'</sheetData><autoFilter ref="{self.filter_range}"/></worksheet>')
        self._file.close()


class Workbook:
    """Sheets in the order they are added; `save` packs them with the parts every XLSX needs."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.sheets: list[Sheet] = []

    def add_sheet(self, title: str, headings: Sequence[Sequence[str]], widths: Sequence[float]) -> Sheet:
        sheet = Sheet(title, self._folder / f"sheet{len(self.sheets) + 1}.xml", headings, widths)
        self.sheets.append(sheet)
        return sheet

    def save(self, out: BinaryIO) -> None:
        for sheet in self.sheets:
            sheet.close()
        numbers = range(1, len(self.sheets) + 1)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
            package.writestr("[Content_Types].xml", self._content_types(numbers))
            package.writestr(
                "_rels/.rels",
                f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" Type="{RELATIONSHIPS}'
                '/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            package.writestr("xl/workbook.xml", self._workbook())
            package.writestr("xl/_rels/workbook.xml.rels", self._workbook_relationships(numbers))
            package.writestr("xl/styles.xml", STYLES)
            for number, sheet in zip(numbers, self.sheets, strict=True):
                package.write(sheet.path, f"xl/worksheets/sheet{number}.xml")

    def _content_types(self, numbers: range) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>' for n in numbers
        )
        return (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets}</Types>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, start=1)
        )
        # Excel keeps each sheet's filter range as a hidden name as well.
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{escape(self._absolute(sheet))}</definedName>"
            for n, sheet in enumerate(self.sheets)
        )
        return (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>{sheets}</sheets>'
            f"<definedNames>{names}</definedNames></workbook>"
        )

    @staticmethod
    def _absolute(sheet: Sheet) -> str:
        quoted = "'" + sheet.title.replace("'", "''") + "'"
        return f"{quoted}!$A${sheet.header_rows}:${column(sheet.width - 1)}${sheet.rows}"

    def _workbook_relationships(self, numbers: range) -> str:
        sheets = "".join(
            f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        styles = f'<Relationship Id="rId{len(numbers) + 1}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
        return f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{sheets}{styles}</Relationships>'
