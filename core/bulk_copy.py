"""Write many new rows with PostgreSQL's COPY: the bulk paths of the ledger and of ``seed_demo``.

``bulk_create`` compiles every value of every row into one INSERT; for a day of a busy plant
(tens of thousands of movements and bill lines) that Python work costs several times what
PostgreSQL spends storing them. COPY streams the rows instead (psycopg 3's ``Cursor.copy``). Ids
come first from the table's own sequence, so every object ends with its id set, as after
``bulk_create``; each value goes through its field's ``pre_save`` (``auto_now_add`` timestamps),
as a save would. On other databases it is ``bulk_create``. No signals are sent (neither does
``bulk_create``): for rows that need none, or whose history rows the caller writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def copy_rows(model: type[Model], rows: Sequence[Sequence], columns: Sequence[str]) -> None:
    """Stream ``rows`` (values in ``columns`` order, as psycopg adapts them) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def take_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new ids for rows the caller inserts later in its transaction, in increasing order.

    PostgreSQL: from the table's sequence. SQLite: after the table's last id; its writers are
    serialised (immediate transactions), so nothing else takes them before the caller's insert.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "sqlite":
        if not connection.in_atomic_block:
            raise RuntimeError("take_ids on SQLite must run inside transaction.atomic()")
        quoted_pk, quoted_table = connection.ops.quote_name(pk), connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = %s "
                f"UNION ALL SELECT MAX({quoted_pk}) FROM {quoted_table})",
                [table],
            )
            last = cursor.fetchone()[0] or 0
        return list(range(last + 1, last + 1 + count))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _value_of(field: Field) -> Callable[[Model], Any]:
    """How a new row's value of ``field`` is read: ``pre_save`` where it fills one in (timestamps),
    else the attribute itself (what ``pre_save`` returns for every other field)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    return attrgetter(field.attname)


def insert_new(model: type[Model], objects: Sequence[Model], *, batch_size: int = 5000) -> None:
    """Store new ``objects`` of ``model`` (ids set afterwards, unless already taken with
    ``take_ids``), by COPY on PostgreSQL."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(list(objects), batch_size=batch_size)
        return
    if any(obj.pk is None for obj in objects):
        for obj, pk in zip(objects, take_ids(model, len(objects)), strict=True):
            obj.pk = pk
    fields = model._meta.concrete_fields
    values = [_value_of(f) for f in fields]
    copy_rows(model, [[value(obj) for value in values] for obj in objects], [f.column for f in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
