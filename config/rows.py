"""Plain SQL for the few rows every posting writes or reads: one multi-row INSERT, one probe,
one read by primary key.

``bulk_create`` builds a query object and compiles it on every call, which costs a posting more
Python time than PostgreSQL spends on the statement. ``insert`` writes the same row: every value
still goes through its field's ``pre_save`` and ``get_db_prep_save``, exactly as the ORM adapts
it. ``insert`` sends no signals (neither does ``bulk_create``), so it is for rows that need none:
the stock ledger's movements, a new document's lines, the API's idempotency records.
``insert_with_history`` adds the "created" history row of each, as simple-history's
``bulk_create_with_history`` writes it, and ``save_new`` stores one new document as ``save()``
would, signals included. ``by_pk`` reads rows as ``in_bulk`` does (optionally locking them),
``first`` reads one by its field values, and ``from_row`` makes an instance from a row as the ORM
does. Each model's statement is worked out once. ``pipelined`` sends the
statements of a block without waiting for each one's answer (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model, signals
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from accounts.models import User

try:
    from psycopg import _queries as psycopg_queries
except ImportError:  # pragma: no cover - psycopg is a requirement, SQLite runs need not load it
    psycopg_queries = None

# psycopg caches the parsing of a statement's %s placeholders, except for statements of more than
# 50 parameters, taken to be one-off ORM batches. The INSERTs here repeat with every posting (a
# five-line bill's history lines and movements have 60-65 parameters), and parsing them afresh
# took about a twentieth of a bill's CPU. The cache stays bounded (psycopg keeps 128 statements).
if psycopg_queries is not None:
    psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, 2000)


@dataclass(frozen=True)
class _Insert:
    """One model's INSERT, worked out once: its columns, and the SQL for ``n`` rows of them."""

    fields: tuple[Field, ...]
    head: str  # INSERT INTO table (columns) VALUES
    values_row: str  # (%s, %s, …)
    returning: str

    def sql(self, n: int, *, returning: bool = True) -> str:
        values = ", ".join([self.values_row] * n)
        return f"{self.head} {values} {self.returning}" if returning else f"{self.head} {values}"


@cache
def _insert_for(model: type[Model]) -> _Insert:
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    return _Insert(
        fields=fields,
        head=f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES",
        values_row="(" + ", ".join(["%s"] * len(fields)) + ")",
        returning=f"RETURNING {quote(meta.pk.column)}",
    )


@cache
def history_model(model: type[Model]) -> type[Model]:
    """The simple-history model of ``model`` (``model.history`` builds a new manager class on
    every access)."""
    return model.history.model


def _execute_insert(
    model: type[Model], rows: list[list[Any]], db: Any, *, returning: bool = True
) -> list[Any]:
    """INSERT rows of values already adapted for the database; the new primary keys, in order.

    ``returning=False`` asks for no keys, so inside ``pipelined`` the statement need not wait.
    """
    statement = _insert_for(model)
    with db.cursor() as cursor:
        cursor.execute(
            statement.sql(len(rows), returning=returning), [value for row in rows for value in row]
        )
        if not returning:
            return []
        # Rows come back in the order of VALUES on PostgreSQL and SQLite (bulk_create relies on it too).
        return [pk for (pk,) in cursor.fetchall()]


def _insert(objs: Sequence[Model], db: Any) -> list[list[Any]]:
    """``insert``; returns each row's values as written, in the order of the statement's fields."""
    fields = _insert_for(type(objs[0])).fields
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        rows.append([f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields])
    for obj, pk in zip(objs, _execute_insert(type(objs[0]), rows, db), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, db.alias
    return rows


def insert(objs: Sequence[Model]) -> None:
    """INSERT these unsaved instances of one model in one statement and set their primary keys."""
    if objs:
        _insert(objs, connections[DEFAULT_DB_ALIAS])  # the connection once, not per value


def insert_with_history(objs: Sequence[Model], by: User) -> None:
    """``insert`` these rows, then a "created" history row for each, by ``by``.

    A history row repeats its row's values, so it takes them as just adapted for the INSERT rather
    than through a history instance of its own; only the history fields are adapted here.
    """
    if not objs:
        return
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    written = _insert(objs, db)
    position = {field.attname: i for i, field in enumerate(_insert_for(model).fields)}
    history = history_model(model)
    history_fields = _insert_for(history).fields
    now = timezone.now()

    rows = []
    for obj, values in zip(objs, written, strict=True):
        user = getattr(obj, "_history_user", by)
        own = {
            model._meta.pk.attname: obj.pk,
            "history_date": getattr(obj, "_history_date", now),
            "history_user_id": user.pk if user is not None else None,
            "history_change_reason": get_change_reason_from_object(obj),
            "history_type": "+",
        }
        row = []
        for field in history_fields:
            if field.attname in position:
                row.append(values[position[field.attname]])  # as the row itself was written
            else:
                row.append(field.get_db_prep_save(own[field.attname], db))
        rows.append(row)
    _execute_insert(history, rows, db, returning=False)  # nothing refers to history rows


def save_new(obj: Model, by: User) -> None:
    """Store a new instance, its "created" history row by ``by``, and send ``pre_save`` and
    ``post_save`` as ``save()`` does (other receivers, such as the dashboard's data version, rely
    on them); simple-history's own receiver skips it, as its row is written already."""
    model, alias = type(obj), connections[DEFAULT_DB_ALIAS].alias
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    insert_with_history([obj], by)
    obj.skip_history_when_saving = True
    try:
        signals.post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
        )
    finally:
        del obj.skip_history_when_saving


@dataclass(frozen=True)
class _Select:
    """One model's SELECT of all its columns, worked out once, with each column's ORM converters."""

    select_from: str  # SELECT columns FROM table
    pk: str  # the quoted primary-key column
    attnames: list[str]
    converters: list[tuple[Any, list]]  # (column expression, converters) per column


@cache
def _select_for(model: type[Model]) -> _Select:
    meta = model._meta
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields = meta.concrete_fields
    converters = []
    for field in fields:
        column = field.get_col(meta.db_table)
        converters.append((column, [*db.ops.get_db_converters(column), *field.get_db_converters(db)]))
    return _Select(
        select_from=f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)}",
        pk=quote(meta.pk.column),
        attnames=[f.attname for f in fields],
        converters=converters,
    )


def from_row(model: type[Model], row: Sequence[Any]) -> Model:
    """An instance made from a row of the model's concrete columns (in ``_meta.concrete_fields``
    order), as the ORM makes one: each value through its column's converters, then ``from_db``."""
    db = connections[DEFAULT_DB_ALIAS]
    select = _select_for(model)
    values = []
    for (column, converters), value in zip(select.converters, row, strict=True):
        for convert in converters:
            value = convert(value, column, db)
        values.append(value)
    return model.from_db(db.alias, select.attnames, values)


def _fetch(model: type[Model], where: str, params: list[Any], tail: str = "") -> list[Model]:
    select = _select_for(model)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"{select.select_from} WHERE {where} ORDER BY {select.pk}{tail}", params)
        return [from_row(model, row) for row in cursor.fetchall()]


def first(model: type[Model], **equal: object) -> Model | None:
    """The row with these field values (the lowest key, if several), in one plain query.

    For the lookups every posting makes whose answer is almost always none (a repeated request
    key): the ORM spends longer composing them than the database takes to answer.
    """
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [meta.get_field(name) for name in equal]
    where = " AND ".join(f"{db.ops.quote_name(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_value(value, db) for field, value in zip(fields, equal.values(), strict=True)]
    found = _fetch(model, where, params, " LIMIT 1")
    return found[0] if found else None


def by_pk(model: type[Model], pks: Iterable[Any], *, for_update: bool = False) -> dict[Any, Model]:
    """The rows with these primary keys, in key order, made as the ORM makes them (``from_db``).

    Like ``in_bulk``, in one plain query. ``for_update`` locks them (PostgreSQL), in key order, so
    two transactions locking overlapping sets never wait on each other in a cycle. Keys that can
    not be one of this model's (wrong type, out of range) are simply not found.
    """
    db = connections[DEFAULT_DB_ALIAS]
    pk_field = model._meta.pk
    keys = []
    for pk in pks:
        try:
            key = pk_field.get_db_prep_value(pk, db)
        except (TypeError, ValueError, ValidationError):
            continue
        if key is None or isinstance(key, int) and not -(2**63) <= key < 2**63:
            continue
        keys.append(key)
    if not keys:
        return {}
    params = sorted(set(keys))
    where = f"{_select_for(model).pk} IN ({', '.join(['%s'] * len(params))})"
    tail = " FOR UPDATE" if for_update and db.features.has_select_for_update else ""
    return {obj.pk: obj for obj in _fetch(model, where, params, tail)}


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements run inside without waiting for each one's answer (PostgreSQL).

    A statement whose result is read (an INSERT's new keys) still waits for the ones before it;
    the rest travel together and are answered at the end of the block. So a posting's writes take
    a few round trips instead of one each: fewer wake-ups of the worker and of its PostgreSQL
    backend, and the stock rows it locked are held that much less. Errors surface as Django's
    database errors, at a read or at the end of the block. Elsewhere than PostgreSQL, statements
    run one by one as usual.

    Only for plain statements such as this module's: an ORM ``save()`` of an existing row must not
    run inside, as it reads its UPDATE's row count before the answer has come back.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        yield
        return
    db.ensure_connection()
    with db.wrap_database_errors, db.connection.pipeline():
        yield
