"""Keep the daily summaries (reporting.models) equal to the rows they sum.

``record_posting`` runs inside the posting or cancelling transaction (``documents.lifecycle`` calls
it once per document), adding the document's figures with sign +1 when it posts and −1 when it is
cancelled. Each step is one ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` that adds to the
existing row, so concurrent postings of one day serialise on the row without losing a cent; the
same statements, without the id filter, rebuild every summary from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, transaction

from inventory.models import MovementKind
from reporting.models import CustomerBalance, SalesCustomerDay, SalesItemDay, StockDay
from sales.models import Payment, Sale

CENT = Decimal("0.01")
SALE_LABEL = Sale._meta.label_lower
PAYMENT_LABEL = Payment._meta.label_lower


def _upsert_sql(table: str, key: Sequence[str], columns: Sequence[str], select_sql: str) -> str:
    """INSERT rows from ``select_sql`` into ``table``, adding ``columns`` to an existing row."""
    names = [*key, *columns]
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) {select_sql} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {adds}"
    )


def _execute(statements: Sequence[tuple[str, Sequence]]) -> None:
    """Run these upserts; on PostgreSQL as one statement, one round trip while the posting's locks
    are held (each runs as a data-modifying WITH; they touch different tables)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(statements) == 1:
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        *first, (last_sql, last_params) = statements
        steps = ", ".join(f"step{n} AS ({sql} RETURNING 1)" for n, (sql, _) in enumerate(first))
        cursor.execute(
            f"WITH {steps} {last_sql}", [p for _, params in first for p in params] + list(last_params)
        )


def _ids(ids: Sequence[int]) -> tuple[str, list[int]]:
    ids = [int(i) for i in ids]
    return ", ".join(["%s"] * len(ids)), ids


# The SELECTs: each takes a WHERE clause (with its params) and a sign (1 or -1).


def _stock_select(where: str) -> str:
    return (
        "SELECT m.date, m.item_id, m.kind, {k} * SUM(m.quantity), {k} * SUM(m.value), {k} * COUNT(*) "
        f"FROM inventory_stockmovement m WHERE {where} GROUP BY m.date, m.item_id, m.kind"
    )


def _sales_item_select(where: str) -> str:
    return (
        "SELECT s.date, l.item_id, {k} * COUNT(*), {k} * SUM(l.quantity), {k} * SUM(l.discount), "
        "{k} * SUM(l.taxable_value), {k} * SUM(COALESCE(l.cost, 0)) "
        "FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
        f"WHERE {where} GROUP BY s.date, l.item_id"
    )


def _sales_customer_select(where: str) -> str:
    # Revenue is the lines' taxable value; billed is each bill's grand total (tax and round-off
    # included: what the customer owes), so the bills are summed once each, not once per line.
    return (
        "SELECT b.date, b.customer_id, {k} * COUNT(*), {k} * SUM(b.lines), {k} * SUM(b.quantity), "
        "{k} * SUM(b.revenue), {k} * SUM(b.cogs), {k} * SUM(b.total), 0 FROM ("
        "SELECT s.date, s.customer_id, s.total, COUNT(l.id) AS lines, SUM(l.quantity) AS quantity, "
        "SUM(l.taxable_value) AS revenue, SUM(COALESCE(l.cost, 0)) AS cogs "
        "FROM sales_sale s JOIN sales_saleline l ON l.sale_id = s.id "
        f"WHERE {where} GROUP BY s.date, s.customer_id, s.id, s.total) b GROUP BY b.date, b.customer_id"
    )


def _payments_customer_select(where: str) -> str:
    return (
        "SELECT p.date, p.customer_id, 0, 0, 0, 0, 0, 0, {k} * SUM(p.amount) "
        f"FROM sales_payment p WHERE {where} GROUP BY p.date, p.customer_id"
    )


def _billed_select(where: str) -> str:
    return (
        "SELECT s.customer_id, {k} * SUM(s.total), 0 "
        f"FROM sales_sale s WHERE {where} GROUP BY s.customer_id"
    )


def _paid_select(where: str) -> str:
    return (
        "SELECT p.customer_id, 0, {k} * SUM(p.amount) "
        f"FROM sales_payment p WHERE {where} GROUP BY p.customer_id"
    )


STOCK = (StockDay._meta.db_table, ("date", "item_id", "kind"), ("quantity", "value", "movements"))
SALES_ITEM = (
    SalesItemDay._meta.db_table,
    ("date", "item_id"),
    ("lines", "quantity", "discount", "revenue", "cogs"),
)
CUSTOMER_DAY = (
    SalesCustomerDay._meta.db_table,
    ("date", "customer_id"),
    ("bills", "lines", "quantity", "revenue", "cogs", "billed", "paid"),
)
BALANCE = (CustomerBalance._meta.db_table, ("customer_id",), ("billed", "paid"))


Statement = tuple[str, list]


def _upsert(target, select: str, sign: int, params) -> Statement:
    table, key, columns = target
    return _upsert_sql(table, key, columns, select.format(k=int(sign))), list(params)


def _apply(target, select: str, sign: int, params) -> None:
    _execute([_upsert(target, select, sign, params)])


def apply_movements(*, where: str, params: Sequence, sign: int = 1) -> None:
    """Add the movements matching ``where`` (on alias ``m``) to the stock summary."""
    _apply(STOCK, _stock_select(where), sign, list(params))


def _document_movements(source_type: str, ids: Sequence[int], *, reversals: bool) -> list[Statement]:
    """A document's own movements (or, on cancelling, its reversals) into the stock summary."""
    if not ids:
        return []
    marks, values = _ids(ids)
    kind = "=" if reversals else "<>"
    where = f"m.source_type = %s AND m.source_id IN ({marks}) AND m.kind {kind} %s"
    return [_upsert(STOCK, _stock_select(where), 1, [source_type, *values, MovementKind.REVERSAL])]


def _sales(ids: Sequence[int], sign: int) -> list[Statement]:
    """Add (sign +1) or take away (sign −1) these bills' lines in the sales summaries."""
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"s.id IN ({marks})"
    return [
        _upsert(SALES_ITEM, _sales_item_select(where), sign, values),
        _upsert(CUSTOMER_DAY, _sales_customer_select(where), sign, values),
        _upsert(BALANCE, _billed_select(where), sign, values),
    ]


def _payments(ids: Sequence[int], sign: int) -> list[Statement]:
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"p.id IN ({marks})"
    return [
        _upsert(CUSTOMER_DAY, _payments_customer_select(where), sign, values),
        _upsert(BALANCE, _paid_select(where), sign, values),
    ]


def apply_document_movements(source_type: str, ids: Sequence[int], *, reversals: bool) -> None:
    _execute(_document_movements(source_type, ids, reversals=reversals))


def apply_sales(ids: Sequence[int], sign: int) -> None:
    _execute(_sales(ids, sign))


def apply_payments(ids: Sequence[int], sign: int) -> None:
    _execute(_payments(ids, sign))


def record_posting(document, sign: int) -> None:
    """Called by the lifecycle inside the transaction that posts (+1) or cancels (−1) a document."""
    from documents import lifecycle

    label = document._meta.label_lower
    statements = []
    if label == SALE_LABEL:
        statements += _sales([document.pk], sign)
    elif label == PAYMENT_LABEL:
        statements += _payments([document.pk], sign)
    if lifecycle.rules_for(document).moves_stock:
        statements += _document_movements(label, [document.pk], reversals=sign < 0)
    if statements:
        _execute(statements)


@transaction.atomic
def rebuild() -> None:
    """Recompute every summary from the ledger, bills and payments (after an import, or to check)."""
    for model in (StockDay, SalesItemDay, SalesCustomerDay, CustomerBalance):
        model.objects.all().delete()
    posted_sale = "s.status = 'posted'"
    posted_payment = "p.status = 'posted'"
    _apply(STOCK, _stock_select("1 = 1"), 1, [])
    _apply(SALES_ITEM, _sales_item_select(posted_sale), 1, [])
    _apply(CUSTOMER_DAY, _sales_customer_select(posted_sale), 1, [])
    _apply(CUSTOMER_DAY, _payments_customer_select(posted_payment), 1, [])
    _apply(BALANCE, _billed_select(posted_sale), 1, [])
    _apply(BALANCE, _paid_select(posted_payment), 1, [])


def differences() -> list[str]:
    """Where a summary differs from a fresh sum of what it summarises; empty when all agree."""
    posted_sale, posted_payment = "s.status = 'posted'", "p.status = 'posted'"
    checks = [
        (STOCK, _stock_select("1 = 1"), None),
        (SALES_ITEM, _sales_item_select(posted_sale), None),
        (CUSTOMER_DAY, _sales_customer_select(posted_sale), CUSTOMER_DAY[2][:-1]),
        (CUSTOMER_DAY, _payments_customer_select(posted_payment), ("paid",)),
        (BALANCE, _billed_select(posted_sale), ("billed",)),
        (BALANCE, _paid_select(posted_payment), ("paid",)),
    ]
    problems: list[str] = []
    for (table, key, columns), select, only in checks:
        problems += _compare(table, key, columns, select.format(k=1), only or columns)
    return problems


def _fetch(sql: str, n_key: int, keep: Sequence[int] | None = None) -> dict[tuple, tuple]:
    """{key: values} of a query's rows, values to the cent, leaving out rows that are all zero."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        values = [Decimal(str(v)).quantize(CENT) for v in row[n_key:]]
        if keep is not None:
            values = [values[i] for i in keep]
        if any(values):
            found[tuple(str(k) for k in row[:n_key])] = tuple(values)
    return found


def _compare(table: str, key, columns, select: str, only) -> list[str]:
    expected = _fetch(select, len(key), keep=[list(columns).index(c) for c in only])
    stored = _fetch(f"SELECT {', '.join(key)}, {', '.join(only)} FROM {table}", len(key))
    return [
        f"{table} {k}: holds {stored.get(k)} but the rows sum to {expected.get(k)}"
        for k in sorted(set(expected) | set(stored))
        if expected.get(k) != stored.get(k)
    ]
