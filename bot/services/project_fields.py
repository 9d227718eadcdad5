"""What an entry's typed answers must be: lengths, amounts in ISO 4217 currencies, dates, links, documents.

Each check refuses with a reason the views say after the field's name, and changes nothing.

The currencies are ISO 4217's codes in use today, as Babel's CLDR data (already the bot's locale
library, kept up to date with each release) lists them per territory: a budget in francs or marks,
withdrawn codes that ISO 4217 keeps as history, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from babel.core import get_global
from babel.numbers import get_territory_currencies

from bot.project_models import Money, ProjectField
from bot.services.errors import Refused
from bot.services.fields import clean_text

LIMITS: dict[ProjectField, int] = {
    ProjectField.TITLE: 150,
    ProjectField.COUNTRIES: 200,
    ProjectField.LEAD: 200,
    ProjectField.PARTNERS: 500,
    ProjectField.SUMMARY: 1000,
    ProjectField.CONTRIBUTION: 300,
    ProjectField.LINK: 500,
}
TYPED = frozenset({*LIMITS, ProjectField.BUDGET, ProjectField.FUNDING, ProjectField.START, ProjectField.END})
OPTIONAL = frozenset(
    {
        ProjectField.PARTNERS,
        ProjectField.BUDGET,
        ProjectField.FUNDING,
        ProjectField.END,
        ProjectField.LINK,
        ProjectField.DOCUMENT,
    }
)
DOCUMENT_LIMIT = 20 * 1024 * 1024  # what a bot may download from Telegram, and what the issue allows
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
AMOUNT_LIMIT = 10**15  # whole units: larger is a typing slip, and beyond what SQLite and a PDF show well
YEARS = range(1950, 2101)
_CURRENCY = re.compile(r"(?<![A-Za-z])[A-Za-z]{3}(?![A-Za-z])")  # "250000EUR" too: a digit is no word break
_GROUPED = re.compile(r"\d{1,3}([ ,.'\u00a0\u202f]\d{3})*|\d+")
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


@cache
def currencies(today: date) -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere on `today` (CLDR through Babel)."""
    territories = get_global("territory_currencies")
    return frozenset(code for territory in territories for code in get_territory_currencies(territory, today))


def typed_text(field: ProjectField, text: str) -> str:
    """A text field's answer: white space collapsed, within its limit; a link must be a web address."""
    value = clean_text(text, LIMITS[field])
    if field is ProjectField.LINK:
        return web_link(value)
    return value


def web_link(value: str) -> str:
    """An http(s) address with a host: what a funder can open."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc or " " in value:
        raise Refused("bad_link")
    return value


def money(text: str, today: date) -> Money:
    """ "250 000 EUR", "EUR 250,000", "usd 1200": a whole amount and an ISO 4217 code in use."""
    cleaned = " ".join(text.split())
    codes = _CURRENCY.findall(cleaned)
    if len(codes) != 1:
        raise Refused("bad_currency")
    code = codes[0].upper()
    if code not in currencies(today):
        raise Refused("bad_currency")
    amount = cleaned.replace(codes[0], "", 1).strip()
    if amount.startswith(("-", "−")):
        raise Refused("negative_amount")
    if not _GROUPED.fullmatch(amount):
        raise Refused("bad_amount")
    value = int(re.sub(r"\D", "", amount))
    if value >= AMOUNT_LIMIT:
        raise Refused("bad_amount")
    return Money(amount=value, currency=code)


def month_or_day(text: str) -> str:
    """A start or end: YYYY-MM or YYYY-MM-DD, a real day of a year from 1950 to 2100."""
    found = _DATE.fullmatch(text.strip())
    if found is None or int(found[1]) not in YEARS:
        raise Refused("bad_date")
    try:
        date(int(found[1]), int(found[2]), int(found[3] or 1))
    except ValueError:
        raise Refused("bad_date") from None
    return found[0]


def check_period(start: str | None, end: str | None) -> None:
    """An end before the start is refused; a month ends where its last day does ("2026-03" after "2026-03-15")."""
    if start is not None and end is not None and end[: len(start)] < start[: len(end)]:
        raise Refused("end_before_start")


def check_funding(budget: Money | None, funding: Money | None) -> None:
    """Funding sought beyond the budget, in the same currency, is a slip."""
    same_currency = budget is not None and funding is not None and budget.currency == funding.currency
    if same_currency and funding is not None and budget is not None and funding.amount > budget.amount:
        raise Refused("funding_over_budget")


@dataclass(frozen=True)
class Document:
    """A file sent as the entry's document: Telegram's id, its name, size and type as Telegram gave them."""

    file_id: str
    name: str | None
    size: int | None
    mime_type: str | None


def document(sent: Document) -> tuple[str, str]:
    """A concept note: PDF or DOCX (by type, or by name when Telegram gives no type), at most 20 MB."""
    name = (sent.name or "").strip()
    known = sent.mime_type in DOCUMENT_TYPES or (
        sent.mime_type in (None, "", "application/octet-stream")
        and name.lower().endswith(tuple(DOCUMENT_TYPES.values()))
    )
    if not known:
        raise Refused("bad_document")
    if (sent.size or 0) > DOCUMENT_LIMIT:
        raise Refused("document_too_large", megabytes=DOCUMENT_LIMIT // (1024 * 1024))
    return sent.file_id, (name or "document" + DOCUMENT_TYPES.get(sent.mime_type or "", ""))[:200]
