"""Gapless document numbers per prefix and financial year, e.g. S/26-27/00042 (at most 16 characters).

The financial year starts in FINANCIAL_YEAR_START_MONTH (April by default, as in India): a bill of
31 March 2027 is S/26-27/…, one of 1 April 2027 is S/27-28/00001. The sequence row is keyed by
"S/" and the year the financial year starts in, so the calendar-year sequences of numbers issued
before (S-2026-00041) are left as they were and a financial year always starts at 1.

The sequence row is locked until the posting transaction ends, so a rolled-back posting gives its
number back and concurrent postings never share one. Take the number *after* the stock locks, as
the last lock of a posting, so no transaction waits for stock while holding a sequence.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import connection

from inventory.models import DocumentSequence

# One statement both locks the row and hands out the number (PostgreSQL and SQLite ≥ 3.35).
_TAKE = (
    f"UPDATE {DocumentSequence._meta.db_table} SET last = last + %s "
    "WHERE prefix = %s AND year = %s RETURNING last"
)
MAX_LENGTH = 16  # the GST rules' limit for an invoice number


def financial_year(day: date) -> int:
    """The calendar year the financial year holding ``day`` starts in."""
    return day.year if day.month >= settings.FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year_label(day: date) -> str:
    """ "26-27" for the year April 2026 – March 2027; "26" when the financial year is the calendar year."""
    start = financial_year(day)
    if settings.FINANCIAL_YEAR_START_MONTH == 1:
        return f"{start % 100:02d}"
    return f"{start % 100:02d}-{(start + 1) % 100:02d}"


def _format(prefix: str, label: str, n: int) -> str:
    number = f"{prefix}/{label}/{n:05d}"
    if len(number) > MAX_LENGTH:
        raise OverflowError(f"document number {number} is longer than {MAX_LENGTH} characters")
    return number


def next_number(prefix: str, day: date) -> str:
    return next_numbers(prefix, day, 1)[0]


def next_numbers(prefix: str, day: date, count: int) -> list[str]:
    """``count`` consecutive numbers in one statement (bulk loads); same lock, same gaplessness."""
    key, year = f"{prefix}/", financial_year(day)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [count, key, year])
        row = cursor.fetchone()
        if row is None:
            # First number of the year: create the row (a concurrent creator wins harmlessly).
            DocumentSequence.objects.bulk_create(
                [DocumentSequence(prefix=key, year=year)], ignore_conflicts=True
            )
            cursor.execute(_TAKE, [count, key, year])
            row = cursor.fetchone()
    label = financial_year_label(day)
    return [_format(prefix, label, n) for n in range(row[0] - count + 1, row[0] + 1)]
