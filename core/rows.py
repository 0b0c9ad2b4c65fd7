"""Plain SQL for the few rows every posting writes or reads: one multi-row INSERT, one probe,
one read by primary key.

``bulk_create`` builds a query object and compiles it on every call, which costs a posting more
Python time than PostgreSQL spends on the statement. ``insert`` writes the same row: every value
still goes through its field's ``pre_save`` and ``get_db_prep_save``, exactly as the ORM adapts
it. ``insert`` sends no signals (neither does ``bulk_create``), so it is for rows that need none:
the stock ledger's movements, a new document's lines, the API's idempotency records. A row that
others listen for (a document) is stored with ``save()``.
``insert_with_history`` adds the "created" history row of each, as simple-history's
``bulk_create_with_history`` writes it. ``by_pk`` reads rows as ``in_bulk`` does (optionally
locking them), ``first`` reads one by its field values, and ``from_row`` makes an instance from a
row as the ORM does; ``select`` reads the rows of another plain statement, converted as the ORM
converts them, and ``execute`` runs one whose answer nobody reads. Each model's statement is worked
out once. ``pipelined`` sends the statements of a block without waiting for each one's answer
(PostgreSQL), and refuses any statement inside that is not one of this module's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

if TYPE_CHECKING:  # core imports nothing of ours at run time (layers in pyproject.toml)
    from accounts.models import User

# Set while this module sends a statement of its own: ``pipelined`` lets only those through.
_plain_statement: ContextVar[bool] = ContextVar("plain_statement", default=False)


class PipelineMisuse(RuntimeError):
    """A statement other than this module's ran inside ``pipelined``."""


@contextmanager
def _own_statement() -> Iterator[None]:
    token = _plain_statement.set(True)
    try:
        yield
    finally:
        _plain_statement.reset(token)


def execute(sql: str, params: Sequence[Any] = ()) -> None:
    """Run one plain statement whose answer nobody reads (it may run inside ``pipelined``)."""
    with _own_statement(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)


@dataclass(frozen=True)
class _Insert:
    """One model's INSERT, worked out once: its columns, and the SQL for ``n`` rows of them."""

    fields: tuple[Field, ...]
    head: str  # INSERT INTO table (columns) VALUES
    values_row: str  # (%s, %s, …)
    returning: str
    # PostgreSQL: INSERT INTO table (columns) SELECT * FROM UNNEST(%s::type[], …), one array per
    # column, whatever the number of rows; None where a column's values can not go in an array.
    unnest: str | None = None

    def sql(self, n: int, *, returning: bool = True) -> str:
        values = ", ".join([self.values_row] * n)
        return f"{self.head} {values} {self.returning}" if returning else f"{self.head} {values}"


def _unnest_sql(db: Any, table: str, columns: str, fields: Sequence[Field]) -> str | None:
    """The UNNEST form of a model's INSERT, under the conditions Django's own ``bulk_create``
    uses it on PostgreSQL (``SQLInsertCompiler.assemble_as_sql``): each column a standard type
    with no placeholder of its own. Its types lose their modifiers (``varchar`` for
    ``varchar(20)``), as Django's do, so a value is checked by the column, not cut by the cast."""
    if db.vendor != "postgresql":
        return None
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in db.data_types:
            return None
    arrays = ", ".join(f"(%s)::{field.db_type(db).split('(')[0]}[]" for field in fields)
    return f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({arrays})"


@cache
def _insert_for(model: type[Model]) -> _Insert:
    meta = model._meta
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    return _Insert(
        fields=fields,
        head=f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES",
        values_row="(" + ", ".join(["%s"] * len(fields)) + ")",
        returning=f"RETURNING {quote(meta.pk.column)}",
        unnest=_unnest_sql(db, quote(meta.db_table), columns, fields),
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
    Several rows go on PostgreSQL as one UNNEST of one array per column: its few parameters let
    psycopg keep the statement's parsing, which it does not for statements of more than 50
    parameters (a bill's five lines in VALUES are 95, re-parsed on every bill), and one statement
    costs psycopg less than one parameter set per row (``executemany``, used elsewhere for rows
    whose keys nobody reads).
    """
    statement = _insert_for(model)
    with _own_statement(), db.cursor() as cursor:
        if not returning:
            if len(rows) == 1:
                cursor.execute(statement.sql(1, returning=False), rows[0])
            elif statement.unnest is not None:
                cursor.execute(statement.unnest, [list(column) for column in zip(*rows, strict=True)])
            else:
                cursor.executemany(statement.sql(1, returning=False), rows)
            return []
        if len(rows) > 1 and statement.unnest is not None:
            # Rows come back in the order of the arrays, as Django's bulk_create relies on too.
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(f"{statement.unnest} {statement.returning}", columns)
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(statement.sql(len(rows)), [value for row in rows for value in row])
        # Rows come back in the order of VALUES on PostgreSQL and SQLite (bulk_create relies on it too).
        return [pk for (pk,) in cursor.fetchall()]


@cache
def _forward_relations(model: type[Model]) -> tuple[Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one))


def _take_related_keys(obj: Model, relations: Sequence[Field]) -> None:
    """Fill each foreign key from the object it was given, if that was stored after being assigned
    (a line given its document before the document was saved), and refuse an unsaved one, as
    ``save()`` does. A key left empty reads its object from the instance without a query."""
    for field in relations:
        if getattr(obj, field.attname) is not None:
            continue
        related = getattr(obj, field.name)
        if related is None:
            continue
        key = getattr(related, field.target_field.attname)
        if key is None:
            raise ValueError(
                f"insert() prohibited to prevent data loss due to unsaved related object '{field.name}'."
            )
        setattr(obj, field.attname, key)


def _insert(objs: Sequence[Model], db: Any, *, keys: bool = True) -> list[list[Any]]:
    """``insert``; returns each row's values as written, in the order of the statement's fields."""
    fields = _insert_for(type(objs[0])).fields
    rows = []
    relations = _forward_relations(type(objs[0]))
    for obj in objs:
        _take_related_keys(obj, relations)
        rows.append([f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields])
    if not keys:
        _execute_insert(type(objs[0]), rows, db, returning=False)
        return rows
    for obj, pk in zip(objs, _execute_insert(type(objs[0]), rows, db), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, db.alias
    return rows


def insert(objs: Sequence[Model], *, keys: bool = True) -> None:
    """INSERT these unsaved instances of one model and set their primary keys.

    ``keys=False``: for rows whose keys nobody reads back (the instances keep none); inside
    ``pipelined`` their INSERT then need not wait for its answer.
    """
    if objs:
        _insert(objs, connections[DEFAULT_DB_ALIAS], keys=keys)  # the connection once, not per value


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
    with _own_statement(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
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


def select(sql: str, params: Sequence[Any], columns: Sequence[Field]) -> list[tuple[Any, ...]]:
    """The rows of one plain SELECT, each value converted as the ORM converts a value of the model
    field given for its column (a decimal on SQLite, a date, a flag), so a caller reads what a
    ``values_list()`` of those fields would give."""
    db = connections[DEFAULT_DB_ALIAS]
    converters = [
        (column, [*db.ops.get_db_converters(column), *field.get_db_converters(db)])
        for field in columns
        for column in [field.get_col(field.model._meta.db_table)]
    ]
    with _own_statement(), db.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    converted = []
    for row in found:
        values = []
        for (column, convert_all), value in zip(converters, row, strict=True):
            for convert in convert_all:
                value = convert(value, column, db)
            values.append(value)
        converted.append(tuple(values))
    return converted


def _only_plain_statements(execute: Any, sql: str, params: Any, many: bool, context: dict) -> Any:
    if not _plain_statement.get():
        raise PipelineMisuse(
            "Only core.rows statements may run inside rows.pipelined(): the ORM reads an answer "
            "(an UPDATE's row count) that has not come back yet. Run this before or after the "
            f"pipeline: {sql[:120]}"
        )
    return execute(sql, params, many, context)


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements run inside without waiting for each one's answer (PostgreSQL).

    A statement whose result is read (an INSERT's new keys) still waits for the ones before it;
    the rest travel together and are answered at the end of the block. So a posting's writes take
    a few round trips instead of one each: fewer wake-ups of the worker and of its PostgreSQL
    backend, and the stock rows it locked are held that much less. Errors surface as Django's
    database errors, at a read or at the end of the block.

    Only this module's statements may run inside: any other (an ORM ``save()``, which reads its
    UPDATE's row count before the answer has come back, a savepoint, an observer's query) raises
    ``PipelineMisuse`` before it is sent, on every database, so a misuse fails in tests on SQLite
    too. Elsewhere than PostgreSQL, statements run one by one as usual.
    """
    db = connections[DEFAULT_DB_ALIAS]
    with db.execute_wrapper(_only_plain_statements):
        if db.vendor != "postgresql":
            yield
            return
        db.ensure_connection()
        with db.wrap_database_errors, db.connection.pipeline():
            yield
