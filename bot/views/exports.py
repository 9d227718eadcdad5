"""The export files: CSV for any tool, XLSX for people (frozen headings, filters, widths, real dates).

Every file has the same columns whatever the requester's language, named by stable keys (`taskforce`,
`member_status_declared`…): the CSV's one heading row is the keys, so that a tool reads any export alike;
the XLSX's sheets have the keys in a first row and the names in the requester's language in a second,
bold, row. The values (roles, statuses, regions) are words of the requester's language.

Written as chunks of records arrive, to scratch files, so that 250 000 registrations take neither
minutes nor hundreds of megabytes; the handler runs this in a worker thread.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.i18n import Translate, language_for
from bot.models import Catalogue, RegistrationStatus, Role, Standing, standing
from bot.services.facilitation import Verdict
from bot.storage.reports import ExportRecord, PersonRecord, ProfileRecord
from bot.views.words import role_label, status_label
from bot.views.xlsx import Cell, Sheet, Workbook, row_xml

UPLOAD_LIMIT = 45_000_000  # bytes: Telegram takes documents up to 50 MB from a bot; a bigger CSV goes zipped
Columns = list[tuple[str, str, float]]  # (key, name in the reader's language, width) of each column, in order


def neutralised(value: str) -> str:
    """A cell beginning with = + - or @ would run as a formula when the file is opened: neutralised."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _profile_columns(_: Translate) -> Columns:
    """(key, name in the reader's language, width) of the columns every row has: who, and how to reach them."""
    return [
        ("telegram_id", _("Telegram id"), 12),
        ("name", _("Name"), 28),
        ("organisation", _("Organisation"), 28),
        ("country", _("Country"), 18),
        ("region", _("Region"), 20),
        ("stakeholder_type", _("Stakeholder type"), 26),
        ("member_status", _('Member of "4 per 1000"'), 24),
        ("member_status_confirmed", _("Member status confirmed"), 12),
        ("email", _("E-mail"), 30),
        ("telegram_username", _("Telegram username"), 20),
    ]


def registration_columns(_: Translate) -> Columns:
    """The columns of a registration's row, in order (`record_cells`)."""
    return [
        ("taskforce", _("Task Force"), 10),
        *_profile_columns(_),
        ("role", _("Role"), 22),
        ("region_represented", _("Region represented"), 20),
        ("status", _("Status"), 18),
        ("registered_utc", _("Registered (UTC)"), 18),
        ("last_change_utc", _("Last change (UTC)"), 18),
        ("member_status_declared", _("Member status declared in the application"), 24),
        ("decision", _("Decision"), 18),
        ("decided_utc", _("Decided (UTC)"), 18),
        ("decided_by", _("Decided by"), 24),
        ("reason", _("Reason"), 40),
    ]


def person_columns(_: Translate) -> Columns:
    """The columns of a person's row, in order (`person_cells`): one row per person."""
    return [
        *_profile_columns(_),
        ("language", _("Language"), 10),
        ("taskforces", _("Task Forces"), 24),
        ("registered_utc", _("Registered (UTC)"), 18),
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
        self.verdicts = {
            Verdict.APPROVE: _("approved"),
            Verdict.REJECT: _("not accepted"),
            Verdict.NOT_MEMBER: _("not a member or partner"),
        }

    def status(self, code: str | None) -> str:
        return self.statuses.get(code, code) if code else ""


def _profile_cells(labels: Labels, record: ProfileRecord) -> list[Cell]:
    """Who, and how to reach them; what a person wrote neutralised."""
    return [
        record.telegram_id,
        neutralised(record.name),
        neutralised(record.organisation),
        neutralised(record.country),
        labels.places.get(record.region, record.region),
        labels.places.get(record.stakeholder_type, record.stakeholder_type),
        labels.status(record.member_status),
        labels.confirmed.get(record.member_status_confirmed, ""),
        neutralised(record.email or ""),
        "@" + record.username if record.username else "",
    ]


def record_cells(labels: Labels, record: ExportRecord) -> list[Cell]:
    """One registration's row; every text a person wrote (or that a decider wrote about them) neutralised."""
    return [
        record.taskforce,
        *_profile_cells(labels, record),
        labels.roles[record.role],
        labels.places.get(record.region_held, record.region_held) if record.region_held else "",
        labels.standings[standing(RegistrationStatus(record.status), record.ended_by)],
        _moment(record.created_at),
        _moment(record.updated_at),
        labels.status(record.declared_status),
        labels.verdicts[Verdict(record.verdict)] if record.verdict else "",
        _moment(record.decided_at),
        neutralised(record.decided_by or ""),
        neutralised(record.reason or ""),
    ]


def person_cells(labels: Labels, record: PersonRecord) -> list[Cell]:
    """One person's row: the language the bot writes to them in, and the task forces they hold a place in."""
    return [
        *_profile_cells(labels, record),
        record.chosen_language or language_for(record.telegram_language),
        ", ".join(sorted(record.taskforces.split(","))) if record.taskforces else "",
        _moment(record.created_at),
    ]


def _moment(stored: str | None) -> datetime | None:
    """Stored as UTC; spreadsheets have no time zones, so the header says UTC and the cell is naive."""
    return datetime.fromisoformat(stored).replace(tzinfo=None, microsecond=0) if stored else None


def csv_value(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


class _Table:
    """One CSV file, its heading the columns' keys (with the BOM Excel needs for accents)."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.path = path
        self._file: TextIO = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow([key for key, _name, _width in columns])

    def add(self, row: list[Cell]) -> None:
        self._writer.writerow([csv_value(value) for value in row])

    def finish(self, path: Path) -> Path:
        """Closed and named; zipped when too big for Telegram."""
        self._file.close()
        self.path.rename(path)
        if path.stat().st_size <= UPLOAD_LIMIT:
            return path
        zipped = path.with_suffix(".csv.zip")
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(path, path.name)
        return zipped


def headed_sheet(book: Workbook, title: str, columns: Columns) -> Sheet:
    """A sheet headed by the columns' keys, then their names in the reader's language (bold, filtered on)."""
    keys, names, widths = zip(*columns, strict=True)
    return book.add_sheet(title, [keys, names], widths)


class ExportFiles:
    """The files of one export, written side by side as records arrive: the registrations' CSV (in task force
    order), the people's CSV, and the XLSX: "All" registrations, "People", then one sheet per task force as
    its first record comes."""

    def __init__(self, _: Translate, catalogue: Catalogue, folder: Path) -> None:
        self._labels = Labels(_, catalogue)
        self._folder = folder
        self._columns = registration_columns(_)
        self._registrations = _Table(folder / "registrations.csv", self._columns)
        people_columns = person_columns(_)
        self._people = _Table(folder / "people.csv", people_columns)
        self._book = Workbook(folder)
        self._all = headed_sheet(self._book, _("All"), self._columns)
        self._people_sheet = headed_sheet(self._book, _("People"), people_columns)
        self._sheets: dict[str, Sheet] = {}

    def add(self, records: Iterable[ExportRecord]) -> None:
        for record in records:
            row = record_cells(self._labels, record)
            self._registrations.add(row)
            cells = row_xml(row)
            self._all.append(cells)
            sheet = self._sheets.get(record.taskforce)
            if sheet is None:
                sheet = self._sheets[record.taskforce] = headed_sheet(self._book, record.taskforce, self._columns)
            sheet.append(cells)

    def add_people(self, records: Iterable[PersonRecord]) -> None:
        for record in records:
            row = person_cells(self._labels, record)
            self._people.add(row)
            self._people_sheet.append(row_xml(row))

    def finish(self, stem: str) -> tuple[Path, Path, Path]:
        """(the registrations' CSV, the people's CSV, each zipped when too big for Telegram; the XLSX)."""
        xlsx = self._folder / f"{stem}.xlsx"
        with xlsx.open("wb") as out:
            self._book.save(out)
        registrations = self._registrations.finish(self._folder / f"{stem}.csv")
        people = self._people.finish(self._folder / f"{stem}-people.csv")
        return registrations, people, xlsx
