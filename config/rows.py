"""Plain SQL for the few rows every posting writes or looks for: one multi-row INSERT, one probe.

``bulk_create`` builds a query object and compiles it on every call, which costs a posting more
Python time than PostgreSQL spends on the statement. ``insert`` writes the same row: every value
still goes through its field's ``pre_save`` and ``get_db_prep_save``, exactly as the ORM adapts
it. ``insert`` sends no signals (neither does ``bulk_create``), so it is for rows that need none:
the stock ledger's movements, a new document's lines, the API's idempotency records.
``insert_with_history`` adds the "created" history row of each, as simple-history's
``bulk_create_with_history`` writes it, and ``save_new`` stores one new document as ``save()``
would, signals included.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model, signals
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from accounts.models import User


def insert(objs: Sequence[Model]) -> None:
    """INSERT these unsaved instances of one model in one statement and set their primary keys."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(objs))} RETURNING {quote(meta.pk.column)}"
    )
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Rows come back in the order of VALUES on PostgreSQL and SQLite (bulk_create relies on it too).
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias


def insert_with_history(objs: Sequence[Model], by: User) -> None:
    """``insert`` these rows, then a "created" history row for each, by ``by``."""
    if not objs:
        return
    insert(objs)
    history = type(objs[0]).history.model
    now = timezone.now()
    insert(
        [
            history(
                history_date=getattr(obj, "_history_date", now),
                history_user=getattr(obj, "_history_user", by),
                history_change_reason=get_change_reason_from_object(obj),
                history_type="+",
                **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
            )
            for obj in objs
        ]
    )


def save_new(obj: Model, by: User) -> None:
    """Store a new instance, its "created" history row by ``by``, and send ``pre_save`` and
    ``post_save`` as ``save()`` does (other receivers, such as the dashboard's data version, rely
    on them); simple-history's own receiver skips it, as its row is written already."""
    model = type(obj)
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None)
    insert_with_history([obj], by)
    obj.skip_history_when_saving = True
    try:
        signals.post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=connection.alias
        )
    finally:
        del obj.skip_history_when_saving


def exists(model: type[Model], **equal: object) -> bool:
    """Whether a row with these field values exists, in one plain query.

    For the lookups every posting makes whose answer is almost always no (a repeated request key):
    the ORM spends longer composing them than the database takes to answer.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in equal]
    where = " AND ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, equal.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {quote(meta.db_table)} WHERE {where} LIMIT 1", params)
        return cursor.fetchone() is not None
