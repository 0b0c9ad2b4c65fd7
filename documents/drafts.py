"""Shared checks and writes for documents with lines, used by every document service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.bounds import MAX_DOCUMENT_TOTAL, MAX_LINE_QUANTITY, MAX_PRICE
from core.errors import InvalidDocument
from core.money import money


def money_problem(amount: Any, *, above_zero: bool = False, below: Decimal = MAX_PRICE) -> str | None:
    """Why ``amount`` is not a usable price or amount, or None. Floats are refused (inexact).
    ``above_zero``: money paid or spent, which must be at least a cent; ``below``: the bound (a
    balance may be as large as a document's total, a price or a payment not)."""
    if amount is None or isinstance(amount, (float, bool)):
        return "Enter an amount."
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return "Enter an amount."
    if not amount.is_finite():
        return "Enter an amount."
    if amount < 0:
        return "Cannot be negative."
    if amount >= below:
        return f"Enter less than {below:,}."
    if above_zero and money(amount) <= 0:
        return "Enter an amount above zero."
    return None


def line_inputs(line_class: type, rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Turn validated rows (a form's or a serializer's) into a service's line inputs.

    Keys the line class does not know are ignored; an empty optional value keeps its default.
    """
    names = [f.name for f in fields(line_class)]
    return [line_class(**{n: row[n] for n in names if row.get(n) is not None}) for row in rows]


def check_lines(lines: Sequence[Any], *, what: str = "line") -> None:
    """Refuse an empty document, non-positive quantities, negative prices and inactive items."""
    if not lines:
        raise InvalidDocument(f"Add at least one {what}.", fields={"lines": [f"Add at least one {what}."]})
    errors: dict[int, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        problems: dict[str, list[str]] = {}
        if line.item is None:
            problems["item"] = ["Choose an item."]
        elif not line.item.is_active:
            problems["item"] = [f"{line.item.sku} is no longer active."]
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity <= 0:
            problems["quantity"] = ["Enter a whole number above zero."]
        elif line.quantity > MAX_LINE_QUANTITY:
            problems["quantity"] = [f"Enter at most {MAX_LINE_QUANTITY:,} per line."]
        for money_field in ("unit_price", "discount"):
            if not hasattr(line, money_field):
                continue
            problem = money_problem(getattr(line, money_field))
            if problem:
                problems[money_field] = [problem]
        if problems:
            errors[index] = problems
    if errors:
        raise InvalidDocument(lines=errors)
    total = sum((line.quantity * Decimal(getattr(line, "unit_price", 0)) for line in lines), Decimal("0"))
    if total >= MAX_DOCUMENT_TOTAL:
        raise InvalidDocument(fields={"lines": [f"The total must stay below {MAX_DOCUMENT_TOTAL:,}."]})


def check_items_once(lines: Sequence[Any], what: str = "item") -> None:
    seen: dict[int, int] = {}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        if line.item.pk in seen:
            errors[index] = {"item": [f"{line.item.sku} is already on line {seen[line.item.pk] + 1}."]}
        seen.setdefault(line.item.pk, index)
    if errors:
        raise InvalidDocument(lines=errors)


def update_with_history(model: type, rows: Sequence[Any], fields: Sequence[str], by: User) -> None:
    """``bulk_update_with_history`` as one plain ``UPDATE … FROM (VALUES …)`` plus the history rows.

    Posting writes each line's cost while the stock locks are held; the ORM's ``bulk_update``
    builds a CASE expression per column, which costs more Python time than the statement itself.
    """
    if not rows:
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    typed = connection.vendor == "postgresql"  # VALUES parameters need their column types there
    row_sql = "(" + ", ".join(f"%s::{c.db_type(connection)}" if typed else "%s" for c in columns) + ")"
    assignments = ", ".join(f"{c.column} = v.column{n}" for n, c in enumerate(columns[1:], start=2))
    sql = (
        f"UPDATE {meta.db_table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(rows))}) AS v "
        f"WHERE {meta.db_table}.{meta.pk.column} = v.column1"
    )
    params = [c.get_db_prep_save(getattr(row, c.attname), connection) for row in rows for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    model.history.bulk_history_create(rows, update=True, default_user=by)


def replace_lines(relation: Any, model: type, rows: list[Any], by: User, *, fresh: bool = False) -> list[Any]:
    """Swap a draft's lines for new ones, each change leaving a history row by ``by``.

    ``fresh``: the document was created just now and has no lines to remove.
    """
    if not fresh:
        for old in relation.all():
            old._history_user = by
            old.delete()
    return bulk_create_with_history(rows, model, default_user=by)
