"""Write many new rows with PostgreSQL's COPY: the bulk paths of the ledger and of the documents.

``bulk_create`` compiles every value of every row into one INSERT; for a day of a busy plant
(tens of thousands of movements and bill lines) that Python work costs several times what
PostgreSQL spends storing them. COPY streams the rows instead (psycopg 3's ``Cursor.copy``). Ids
come first from the table's own sequence, so every object ends with its id set, as after
``bulk_create``; each value goes through its field's ``pre_save`` (``auto_now_add`` timestamps),
as a save would, except that a creation time the object already carries is kept (a bulk load
of past business, such as ``seed_demo``, stamps each row with its own moment). On other
databases it is ``bulk_create``. No signals are sent (neither does ``bulk_create``): for rows
that need none, or whose history rows the caller writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from core.history import created_values


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
    else the attribute itself (what ``pre_save`` returns for every other field). A creation time
    (``auto_now_add``) already set on the object is kept."""
    if getattr(field, "auto_now", False):
        return lambda obj: field.pre_save(obj, True)
    if getattr(field, "auto_now_add", False):
        return lambda obj: getattr(obj, field.attname) or field.pre_save(obj, True)
    return attrgetter(field.attname)


def _bulk_create(model: type[Model], objects: Sequence[Model], batch_size: int) -> None:
    """``bulk_create``; when an object carries a creation time (which ``bulk_create`` would stamp
    with now), one INSERT with many parameter sets, of each field's value as a save prepares it."""
    created = [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    if not any(getattr(obj, f.attname) for obj in objects for f in created):
        model.objects.bulk_create(list(objects), batch_size=batch_size)
        return
    if any(obj.pk is None for obj in objects):
        for obj, pk in zip(objects, take_ids(model, len(objects)), strict=True):
            obj.pk = pk
    fields = model._meta.concrete_fields
    values = [_value_of(f) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [
        [f.get_db_prep_save(value(obj), connection) for f, value in zip(fields, values, strict=True)]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_new(model: type[Model], objects: Sequence[Model], *, batch_size: int = 5000) -> None:
    """Store new ``objects`` of ``model`` (ids set afterwards, unless already taken with
    ``take_ids``), by COPY on PostgreSQL."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        _bulk_create(model, objects, batch_size)
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


# New rows with their "created" history rows (bulk loads of documents: ``sales.bulk``).


def copy_with_history(
    model: type[Model], objects: Sequence[Model], *, by: Model, at: Sequence[datetime] | None = None
) -> None:
    """Store new ``objects``, each with one "created" history row ("+", by ``by``), as
    simple-history would write it: by COPY on PostgreSQL, else ``bulk_create`` and simple-history's
    own bulk history. ``at``: each object's moment of entry, for its history row (its
    ``created_at`` it may carry already, see ``insert_new``); now when not given.
    """
    if not objects:
        return
    insert_new(model, objects)
    add_history(model, objects, by=by, at=at)


def add_history(
    model: type[Model], objects: Sequence[Model], *, by: Model, at: Sequence[datetime] | None = None
) -> None:
    """One "created" history row per object (already saved), as simple-history would write it."""
    moments = list(at) if at is not None else [timezone.now()] * len(objects)
    if connection.vendor != "postgresql":
        for obj, moment in zip(objects, moments, strict=True):
            obj._history_date = moment
        model.history.bulk_history_create(list(objects), default_user=by, batch_size=2000)
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    rows = []
    for obj, moment in zip(objects, moments, strict=True):
        own = created_values(obj, by=by, at=moment)
        rows.append([own[f.attname] if f.attname in own else getattr(obj, f.attname) for f in fields])
    copy_rows(history, rows, [f.column for f in fields])
