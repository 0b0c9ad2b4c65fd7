"""Gapless document numbers per prefix and year, e.g. S-2026-00042.

The sequence row is locked until the posting transaction ends, so a rolled-back posting gives its
number back and concurrent postings never share one. Take the number *after* the stock locks, as
the last lock of a posting, so no transaction waits for stock while holding a sequence.
"""

from inventory.models import DocumentSequence


def next_number(prefix: str, year: int) -> str:
    DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = DocumentSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:05d}"
