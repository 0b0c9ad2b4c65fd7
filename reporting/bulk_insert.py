"""Insert many new rows, each with its "created" history row, as fast as the database allows.

``seed_demo`` writes a million bill lines; Django's ``bulk_create`` spends most of that time
building SQL. On PostgreSQL this takes ids from the table's sequence and streams the rows (and
their simple-history rows) with COPY; elsewhere it is ``bulk_create_with_history``. Either way each
object ends with its id set and exactly one history row ("+", by ``by``, now).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User


def _copy(model: type[Model], rows: list[list], columns: list[str]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _take_ids(model: type[Model], count: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        return [row[0] for row in cursor.fetchall()]


def insert_with_history(model: type[Model], objects: Sequence[Model], *, by: User) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(list(objects), model, batch_size=2000, default_user=by)
        return
    for obj, pk in zip(objects, _take_ids(model, len(objects)), strict=True):
        obj.pk = pk
    fields = model._meta.concrete_fields
    _copy(
        model,
        # pre_save fills auto_now_add timestamps, as a normal save would; psycopg adapts the values.
        [[f.pre_save(obj, True) for f in fields] for obj in objects],
        [f.column for f in fields],
    )
    add_history(model, objects, by=by)


def add_history(model: type[Model], objects: Sequence[Model], *, by: User) -> None:
    """One "created" history row per object (already saved), as simple-history would write it."""
    if connection.vendor != "postgresql":
        model.history.bulk_history_create(list(objects), default_user=by, batch_size=2000)
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    special = {
        "history_date": timezone.now(),
        "history_user_id": by.pk,
        "history_type": "+",
        "history_change_reason": None,
    }
    rows = [
        [special[f.attname] if f.attname in special else getattr(obj, f.attname) for f in fields]
        for obj in objects
    ]
    _copy(history, rows, [f.column for f in fields])
