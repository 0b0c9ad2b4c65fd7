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

from core.history import created_values

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
    pk: str  # the quoted primary-key column
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
        pk=quote(meta.pk.column),
        unnest=_unnest_sql(db, quote(meta.db_table), columns, fields),
    )


@cache
def history_model(model: type[Model]) -> type[Model]:
    """The simple-history model of ``model`` (``model.history`` builds a new manager class on
    every access)."""
    return model.history.model


def _execute_insert(
    model: type[Model],
    rows: list[list[Any]],
    db: Any,
    *,
    returning: bool = True,
    history: tuple[str, list[Any]] | None = None,
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
        if history is not None:
            # WITH new AS (the INSERT … RETURNING *) INSERT the history … FROM new; SELECT the keys.
            sql, history_params = history
            if len(rows) > 1 and statement.unnest is not None:
                insert, params = statement.unnest, [list(column) for column in zip(*rows, strict=True)]
            else:
                insert, params = statement.sql(len(rows), returning=False), [v for row in rows for v in row]
            cursor.execute(
                f"WITH new AS ({insert} RETURNING *), history AS ({sql}) SELECT {statement.pk} FROM new",
                [*params, *history_params],
            )
            return [pk for (pk,) in cursor.fetchall()]
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


def _prepared_rows(objs: Sequence[Model], fields: Sequence[Field], db: Any) -> list[list[Any]]:
    """Each object's values through ``pre_save`` and ``get_db_prep_save``, in ``fields`` order.

    A value that is the very object the row before gave the same field (the document's key on
    each of its lines, the posting's date and time on each movement, an empty key) is adapted
    once: adapting is a function of the value alone, and most of a document's rows share most
    of their columns.
    """
    first = objs[0]
    seen = [f.pre_save(first, True) for f in fields]
    prepared = [f.get_db_prep_save(value, db) for f, value in zip(fields, seen, strict=True)]
    rows = [prepared]
    for obj in objs[1:]:
        row = prepared.copy()
        for i, field in enumerate(fields):
            value = field.pre_save(obj, True)
            if value is not seen[i]:
                seen[i] = value
                row[i] = field.get_db_prep_save(value, db)
        rows.append(row)
        prepared = row
    return rows


def _insert(
    objs: Sequence[Model], db: Any, *, keys: bool = True, history: tuple[str, list[Any]] | None = None
) -> list[list[Any]]:
    """``insert``; returns each row's values as written, in the order of the statement's fields.
    ``history``: an INSERT … SELECT … FROM new (and its parameters) to run in the same statement."""
    fields = _insert_for(type(objs[0])).fields
    relations = _forward_relations(type(objs[0]))
    for obj in objs:
        _take_related_keys(obj, relations)
    rows = _prepared_rows(objs, fields, db)
    if not keys:
        _execute_insert(type(objs[0]), rows, db, returning=False)
        return rows
    for obj, pk in zip(objs, _execute_insert(type(objs[0]), rows, db, history=history), strict=True):
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


@dataclass(frozen=True)
class _HistoryPlan:
    """How a model's "created" history rows are written, worked out once."""

    model: type[Model]  # the simple-history model
    fields: tuple[Field, ...]  # its INSERT's fields
    positions: tuple[int | None, ...]  # each one's place in the row's own INSERT, None for its own
    # PostgreSQL: the history rows as one INSERT … SELECT from the rows just inserted (a
    # data-modifying WITH), taking the history's own values as parameters, in their order.
    select_sql: str | None = None
    own_names: tuple[str, ...] = ()


_OWN_HISTORY = frozenset({"history_date", "history_user_id", "history_change_reason", "history_type"})


@cache
def _history_plan(model: type[Model]) -> _HistoryPlan:
    history = history_model(model)
    own_fields = _insert_for(model).fields
    position = {field.attname: i for i, field in enumerate(own_fields)}
    fields = _insert_for(history).fields
    positions = tuple(position.get(field.attname) for field in fields)
    db = connections[DEFAULT_DB_ALIAS]
    pk_name = model._meta.pk.attname
    own = [field for field, at in zip(fields, positions, strict=True) if at is None]
    if db.vendor != "postgresql" or {f.attname for f in own} != _OWN_HISTORY | {pk_name}:
        return _HistoryPlan(history, fields, positions)
    quote = db.ops.quote_name
    exprs = []
    for field, at in zip(fields, positions, strict=True):
        if at is not None:
            exprs.append(f"new.{quote(own_fields[at].column)}")
        elif field.attname == pk_name:
            exprs.append(f"new.{quote(model._meta.pk.column)}")
        else:
            exprs.append(f"(%s)::{field.db_type(db).split('(')[0]}")
    columns = ", ".join(quote(field.column) for field in fields)
    select_sql = f"INSERT INTO {quote(history._meta.db_table)} ({columns}) SELECT {', '.join(exprs)} FROM new"
    own_names = tuple(field.attname for field in own if field.attname != pk_name)
    return _HistoryPlan(history, fields, positions, select_sql, own_names)


def insert_with_history(objs: Sequence[Model], by: User) -> None:
    """``insert`` these rows, then a "created" history row for each, by ``by``.

    A history row repeats its row's values, so it takes them as just adapted for the INSERT rather
    than through a history instance of its own; only the history fields are adapted here. On
    PostgreSQL, when every row's history shares its date, user and reason (always, but for a
    caller that sets them per instance), both go as one statement: the history rows are selected
    from the rows the INSERT returns, so their values travel once.
    """
    if not objs:
        return
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    plan = _history_plan(model)
    now = timezone.now()
    owns = [created_values(obj, by=by, at=now) for obj in objs]
    if plan.select_sql is not None and all(own == owns[0] for own in owns[1:]):
        fields = {field.attname: field for field in plan.fields}
        history_params = [fields[name].get_db_prep_save(owns[0][name], db) for name in plan.own_names]
        _insert(objs, db, history=(plan.select_sql, history_params))
        return
    written = _insert(objs, db)
    pk_name = model._meta.pk.attname
    rows = []
    for obj, values, own in zip(objs, written, owns, strict=True):
        own[pk_name] = obj.pk
        rows.append(
            [
                values[at] if at is not None else field.get_db_prep_save(own[field.attname], db)
                for field, at in zip(plan.fields, plan.positions, strict=True)
            ]
        )
    _execute_insert(plan.model, rows, db, returning=False)  # nothing refers to history rows


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
