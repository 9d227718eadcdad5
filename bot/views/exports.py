"""The export files: CSV for any tool, XLSX for people (frozen header, filters, widths, real dates).

Both are built in memory from plain records; the handler runs this off the event loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.i18n import Translate
from bot.models import Catalogue, RegistrationStatus, Role
from bot.storage.reports import ExportRecord
from bot.views.texts import role_label, status_label

Cell = str | int | datetime | None
WIDTHS = (10, 12, 28, 28, 18, 20, 26, 24, 12, 30, 20, 22, 20, 12, 18, 18, 18, 24, 40)


def neutralised(value: str) -> str:
    """A cell beginning with = + - or @ would run as a formula when the file is opened: neutralised."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def headers(_: Translate) -> list[str]:
    return [
        _("Task Force"),
        _("Telegram id"),
        _("Name"),
        _("Organisation"),
        _("Country"),
        _("Region"),
        _("Stakeholder type"),
        _('Member of "4 per 1000"'),
        _("Member status confirmed"),
        _("E-mail"),
        _("Telegram username"),
        _("Role"),
        _("Region represented"),
        _("Status"),
        _("Registered (UTC)"),
        _("Last change (UTC)"),
        _("Decided (UTC)"),
        _("Decided by"),
        _("Reason"),
    ]


def record_cells(_: Translate, record: ExportRecord, catalogue: Catalogue) -> list[Cell]:
    """One row; every text a person wrote (or that a decider wrote about them) neutralised."""
    status = catalogue.member_status(record.member_status)
    confirmed = {None: "", 1: _("yes"), 0: _("no")}.get(record.member_status_confirmed, "")

    def text(value: str | None) -> str:
        return neutralised(value or "")

    return [
        record.taskforce,
        record.telegram_id,
        text(record.name),
        text(record.organisation),
        text(record.country),
        catalogue.label_of(record.region, _.language),
        catalogue.label_of(record.stakeholder_type, _.language),
        status.label(_.language) if status else record.member_status,
        confirmed,
        text(record.email),
        "@" + record.username if record.username else "",
        role_label(_, Role(record.role)),
        catalogue.label_of(record.region_held, _.language) if record.region_held else "",
        status_label(_, RegistrationStatus(record.status)),
        _moment(record.created_at),
        _moment(record.updated_at),
        _moment(record.decided_at),
        text(record.decided_by),
        text(record.reason),
    ]


def _moment(stored: str | None) -> datetime | None:
    """Stored as UTC; spreadsheets have no time zones, so the header says UTC and the cell is naive."""
    return datetime.fromisoformat(stored).replace(tzinfo=None, microsecond=0) if stored else None


def export_csv(_: Translate, rows: Iterable[list[Cell]]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(_))
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Cell) -> str | int:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return "" if value is None else value


def export_xlsx(_: Translate, rows: list[list[Cell]]) -> bytes:
    """One sheet with everything, then one per task force; write-only, so memory stays flat."""
    book = Workbook(write_only=True)
    _sheet(book, _("All"), headers(_), rows)
    by_code: dict[str, list[list[Cell]]] = {}
    for row in rows:
        by_code.setdefault(str(row[0]), []).append(row)
    for code, code_rows in by_code.items():
        _sheet(book, code, headers(_), code_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Cell]]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for index, width in enumerate(WIDTHS[: len(header)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(header)
    for row in rows:  # datetimes become date cells with openpyxl's date format
        sheet.append(row)
