"""The export files: CSV for any tool, XLSX for people (frozen header, filters, widths, real dates).

Written as chunks of records arrive, to scratch files, so that 250 000 registrations
take neither minutes nor hundreds of megabytes; the handler runs this in a worker thread.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.i18n import Translate
from bot.models import Catalogue, RegistrationStatus, Role, Standing, standing
from bot.storage.reports import ExportRecord
from bot.views.words import role_label, status_label
from bot.views.xlsx import Cell, Sheet, Workbook, row_xml

WIDTHS = (10, 12, 28, 28, 18, 20, 26, 24, 12, 30, 20, 22, 20, 12, 18, 18, 18, 24, 40)
UPLOAD_LIMIT = 45_000_000  # bytes: Telegram takes documents up to 50 MB from a bot; a bigger CSV goes zipped


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


class Labels:
    """Every label an export writes, looked up once per export rather than once per cell."""

    def __init__(self, _: Translate, catalogue: Catalogue) -> None:
        names = (*catalogue.region_names, *catalogue.stakeholder_type_names)
        self.places = {name: catalogue.label_of(name, _.language) for name in names}
        self.statuses = {s.code: s.label(_.language) for s in catalogue.member_statuses}
        self.roles = {role.value: role_label(_, role) for role in Role}
        self.standings = {standing: status_label(_, standing) for standing in Standing}
        self.confirmed = {None: "", 1: _("yes"), 0: _("no")}


def record_cells(labels: Labels, record: ExportRecord) -> list[Cell]:
    """One row; every text a person wrote (or that a decider wrote about them) neutralised."""
    return [
        record.taskforce,
        record.telegram_id,
        neutralised(record.name),
        neutralised(record.organisation),
        neutralised(record.country),
        labels.places.get(record.region, record.region),
        labels.places.get(record.stakeholder_type, record.stakeholder_type),
        labels.statuses.get(record.member_status, record.member_status),
        labels.confirmed.get(record.member_status_confirmed, ""),
        neutralised(record.email or ""),
        "@" + record.username if record.username else "",
        labels.roles[record.role],
        labels.places.get(record.region_held, record.region_held) if record.region_held else "",
        labels.standings[standing(RegistrationStatus(record.status), record.ended_by)],
        _moment(record.created_at),
        _moment(record.updated_at),
        _moment(record.decided_at),
        neutralised(record.decided_by or ""),
        neutralised(record.reason or ""),
    ]


def _moment(stored: str | None) -> datetime | None:
    """Stored as UTC; spreadsheets have no time zones, so the header says UTC and the cell is naive."""
    return datetime.fromisoformat(stored).replace(tzinfo=None, microsecond=0) if stored else None


def _csv_value(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


class ExportFiles:
    """The CSV and the XLSX of one export, written side by side as records arrive (in task force order).

    The XLSX has "All" first, then one sheet per task force as its first record comes.
    """

    def __init__(self, _: Translate, catalogue: Catalogue, folder: Path) -> None:
        self._ = _
        self._labels = Labels(_, catalogue)
        self._folder = folder
        self._csv_path = folder / "export.csv"
        self._csv_file = self._csv_path.open("w", encoding="utf-8-sig", newline="")  # the BOM Excel needs
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow(headers(_))
        self._book = Workbook(folder)
        self._all = self._book.add_sheet(_("All"), headers(_), WIDTHS)
        self._sheets: dict[str, Sheet] = {}

    def add(self, records: Iterable[ExportRecord]) -> None:
        for record in records:
            row = record_cells(self._labels, record)
            self._csv.writerow([_csv_value(value) for value in row])
            cells = row_xml(row)
            self._all.append(cells)
            sheet = self._sheets.get(record.taskforce)
            if sheet is None:
                sheet = self._sheets[record.taskforce] = self._book.add_sheet(record.taskforce, headers(self._), WIDTHS)
            sheet.append(cells)

    def finish(self, stem: str) -> tuple[Path, Path]:
        """(the CSV, zipped when too big for Telegram; the XLSX)."""
        self._csv_file.close()
        xlsx = self._folder / f"{stem}.xlsx"
        with xlsx.open("wb") as out:
            self._book.save(out)
        csv_path = self._folder / f"{stem}.csv"
        self._csv_path.rename(csv_path)
        if csv_path.stat().st_size <= UPLOAD_LIMIT:
            return csv_path, xlsx
        zipped = csv_path.with_suffix(".csv.zip")
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(csv_path, csv_path.name)
        return zipped, xlsx
