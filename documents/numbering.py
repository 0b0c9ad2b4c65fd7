"""Gapless document numbers per prefix and year, e.g. S-2026-00042.

The sequence row is locked until the posting transaction ends, so a rolled-back posting gives its
number back and concurrent postings never share one. Take the number *after* the stock locks, as
the last lock of a posting, so no transaction waits for stock while holding a sequence.
"""

from django.db import connection

from inventory.models import DocumentSequence

# One statement both locks the row and hands out the number (PostgreSQL and SQLite ≥ 3.35).
_TAKE = (
    f"UPDATE {DocumentSequence._meta.db_table} SET last = last + %s "
    "WHERE prefix = %s AND year = %s RETURNING last"
)


def _format(prefix: str, year: int, n: int) -> str:
    return f"{prefix}-{year}-{n:05d}"


def next_number(prefix: str, year: int) -> str:
    return next_numbers(prefix, year, 1)[0]


def next_numbers(prefix: str, year: int, count: int) -> list[str]:
    """``count`` consecutive numbers in one statement (bulk loads); same lock, same gaplessness."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [count, prefix, year])
        row = cursor.fetchone()
        if row is None:
            # First number of the year: create the row (a concurrent creator wins harmlessly).
            DocumentSequence.objects.bulk_create(
                [DocumentSequence(prefix=prefix, year=year)], ignore_conflicts=True
            )
            cursor.execute(_TAKE, [count, prefix, year])
            row = cursor.fetchone()
    return [_format(prefix, year, n) for n in range(row[0] - count + 1, row[0] + 1)]
