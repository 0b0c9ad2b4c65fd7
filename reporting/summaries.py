"""Keep the daily summaries (reporting.models) equal to the rows they sum.

``record_posting`` runs inside the posting or cancelling transaction (``documents.lifecycle`` calls
it once per document), adding the document's figures with sign +1 when it posts and −1 when it is
cancelled. Each step is one ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` that adds to the
existing row, so concurrent postings of one day serialise on the row without losing a cent; the
same statements, without the id filter, rebuild every summary from scratch.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection, transaction

from core.money import CENT

if TYPE_CHECKING:
    from documents.lifecycle import PostingContext
from expenses.models import Expense
from inventory.models import MovementKind, StockCount
from production.models import ProductionRun
from reporting.models import (
    BillOutstanding,
    CustomerBalance,
    DocumentDay,
    ExpenseDay,
    OutwardPartyDay,
    OutwardPartyMonth,
    OutwardTaxDay,
    ProductionInputMonth,
    ProductionMonth,
    ProductionRejectMonth,
    RunOutcome,
    SalesCustomerDay,
    SalesCustomerMonth,
    SalesItemDay,
    SplitBand,
    SplitBandDay,
    SplitCreatorDay,
    SplitCustomerDay,
    StockDay,
    WriteOffDay,
)
from returns.models import Disposition, SalesReturn
from sales.models import Payment, Sale

SALE_LABEL = Sale._meta.label_lower
PAYMENT_LABEL = Payment._meta.label_lower
SALES_RETURN_LABEL = SalesReturn._meta.label_lower
EXPENSE_LABEL = Expense._meta.label_lower
STOCK_COUNT_LABEL = StockCount._meta.label_lower
RUN_LABEL = ProductionRun._meta.label_lower


def _upsert_sql(table: str, key: Sequence[str], columns: Sequence[str], select_sql: str) -> str:
    """INSERT rows from ``select_sql`` into ``table``, adding ``columns`` to an existing row."""
    names = [*key, *columns]
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    unique = UNIQUE_BY.get(table, key)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) {select_sql} "
        f"ON CONFLICT ({', '.join(unique)}) DO UPDATE SET {adds}"
    )


# psycopg keeps the converted text of a statement of at most 4096 bytes and 50 parameters; a
# longer one has its placeholders converted on every call. (It prepares statements on the server,
# settings: ``prepare_threshold``, whatever their length.)
PREPARED_MAX_BYTES, PREPARED_MAX_PARAMS = 4096, 50


def _combined(statements: Sequence[tuple[str, Sequence]]) -> tuple[str, list]:
    """These upserts as one statement: each but the last a data-modifying WITH step (they touch
    different tables, so their order does not matter)."""
    *first, (last_sql, last_params) = statements
    if not first:
        return last_sql, list(last_params)
    steps = ", ".join(f"step{n} AS ({sql} RETURNING 1)" for n, (sql, _) in enumerate(first))
    return f"WITH {steps} {last_sql}", [p for _, params in first for p in params] + list(last_params)


def _packed(statements: Sequence[tuple[str, Sequence]]) -> list[tuple[str, list]]:
    """As few combined statements as keep each one small enough to be prepared (one bill's
    summaries: two round trips, each planned once per connection); many documents' statements,
    which carry too many ids to be prepared anyway, as one."""
    if sum(len(params) for _, params in statements) > PREPARED_MAX_PARAMS:
        return [_combined(statements)]
    groups: list[list] = []
    for statement in statements:
        for group in groups:
            sql, params = _combined([*group, statement])
            if len(sql) <= PREPARED_MAX_BYTES and len(params) <= PREPARED_MAX_PARAMS:
                group.append(statement)
                break
        else:
            groups.append([statement])
    return [_combined(group) for group in groups]


def _execute(statements: Sequence[tuple[str, Sequence]]) -> None:
    """Run these upserts; on PostgreSQL combined into as few statements as stay preparable, one
    round trip each while the posting's locks are held."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        for sql, params in _packed(statements):
            cursor.execute(sql, params)


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


def _month_of(column: str) -> str:
    """The first day of ``column``'s month, in this database's SQL."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _sales_customer_month_select(where: str) -> str:
    # As the daily select: revenue the taxable value, billed each bill's grand total once.
    month = _month_of("s.date")
    return (
        "SELECT b.month, b.customer_id, {k} * COUNT(*), {k} * SUM(b.lines), {k} * SUM(b.quantity), "
        "{k} * SUM(b.revenue), {k} * SUM(b.cogs), {k} * SUM(b.total), 0 FROM ("
        f"SELECT {month} AS month, s.customer_id, s.total, COUNT(l.id) AS lines, "
        "SUM(l.quantity) AS quantity, SUM(l.taxable_value) AS revenue, SUM(COALESCE(l.cost, 0)) AS cogs "
        "FROM sales_sale s JOIN sales_saleline l ON l.sale_id = s.id "
        f"WHERE {where} GROUP BY s.date, s.customer_id, s.id, s.total) b GROUP BY b.month, b.customer_id"
    )


def _payments_customer_month_select(where: str) -> str:
    month = _month_of("p.date")
    return (
        f"SELECT {month}, p.customer_id, 0, 0, 0, 0, 0, 0, {{k}} * SUM(p.amount) "
        f"FROM sales_payment p WHERE {where} GROUP BY {month}, p.customer_id"
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


def _opening_due_select(where: str) -> str:
    """Customers' opening dues of the go-live date count as billed, like a posted bill."""
    return (
        "SELECT d.customer_id, {k} * SUM(d.amount), 0 "
        f"FROM sales_customeropeningdue d WHERE {where} GROUP BY d.customer_id"
    )


def _all_billed_select(where: str) -> str:
    """Σ posted bills (``where`` on alias ``s``) plus the opening dues, per customer: ``billed``."""
    # The reporting app's first migration rebuilds the summaries before the table of opening dues
    # is created; until then there are none to add.
    if "sales_customeropeningdue" not in connection.introspection.table_names():
        return _billed_select(where)
    return (
        "SELECT x.customer_id, {k} * SUM(x.amount), 0 FROM ("
        "SELECT s.customer_id, s.total AS amount FROM sales_sale s "
        f"WHERE {where} UNION ALL SELECT d.customer_id, d.amount FROM sales_customeropeningdue d"
        ") x GROUP BY x.customer_id"
    )


# A credit note takes its lines off the day's sales (quantity, discount, revenue — the taxable value
# it reverses, as a bill adds its lines' — and the COGS of the goods it took back) and its total
# (taxable value + tax) off what the customer was billed; its refund off what they paid.


def _returns_item_select(where: str) -> str:
    return (
        "SELECT r.date, l.item_id, 0, {k} * -SUM(l.quantity), {k} * -SUM(l.discount), "
        "{k} * -SUM(l.taxable_value), {k} * -SUM(COALESCE(l.cost, 0)) "
        "FROM returns_salesreturnline l JOIN returns_salesreturn r ON r.id = l.sales_return_id "
        f"WHERE {where} GROUP BY r.date, l.item_id"
    )


def _returns_customer_select(where: str) -> str:
    return (
        "SELECT r.date, r.customer_id, 0, 0, {k} * -SUM(q.quantity), {k} * -SUM(r.taxable_total), "
        "{k} * -SUM(COALESCE(r.cost, 0)), {k} * -SUM(r.total), {k} * -SUM(r.refund) "
        "FROM returns_salesreturn r JOIN (SELECT sales_return_id, SUM(quantity) AS quantity "
        "FROM returns_salesreturnline GROUP BY sales_return_id) q ON q.sales_return_id = r.id "
        f"WHERE {where} GROUP BY r.date, r.customer_id"
    )


def _returns_customer_month_select(where: str) -> str:
    month = _month_of("r.date")
    return (
        f"SELECT {month}, r.customer_id, 0, 0, {{k}} * -SUM(q.quantity), {{k}} * -SUM(r.taxable_total), "
        "{k} * -SUM(COALESCE(r.cost, 0)), {k} * -SUM(r.total), {k} * -SUM(r.refund) "
        "FROM returns_salesreturn r JOIN (SELECT sales_return_id, SUM(quantity) AS quantity "
        "FROM returns_salesreturnline GROUP BY sales_return_id) q ON q.sales_return_id = r.id "
        f"WHERE {where} GROUP BY {month}, r.customer_id"
    )


def _returns_balance_select(where: str) -> str:
    return (
        "SELECT r.customer_id, {k} * -SUM(r.total), {k} * -SUM(r.refund) "
        f"FROM returns_salesreturn r WHERE {where} GROUP BY r.customer_id"
    )


# What each posted bill still owes: its total, less payments against it, less credit notes against
# it plus their refunds. Payments and credit notes count only against a posted bill; cancelling a
# bill removes its row (a bill with payments or credit notes cannot be cancelled before them).


def _bill_due_select(where: str) -> str:
    return f"SELECT s.id, s.customer_id, s.date, {{k}} * s.total FROM sales_sale s WHERE {where}"


def _bill_paid_select(where: str) -> str:
    return (
        "SELECT s.id, s.customer_id, s.date, {k} * -SUM(p.amount) "
        "FROM sales_payment p JOIN sales_sale s ON s.id = p.sale_id "
        f"WHERE {where} AND s.status = 'posted' GROUP BY s.id, s.customer_id, s.date"
    )


def _bill_returned_select(where: str) -> str:
    return (
        "SELECT s.id, s.customer_id, s.date, {k} * -SUM(r.total - r.refund) "
        "FROM returns_salesreturn r JOIN sales_sale s ON s.id = r.sale_id "
        f"WHERE {where} AND s.status = 'posted' GROUP BY s.id, s.customer_id, s.date"
    )


# What stands between gross and net profit (``reporting.net_costs``), per day.


def _expense_select(where: str) -> str:
    return (
        "SELECT e.date, e.category_id, {k} * SUM(e.amount), {k} * COUNT(*) "
        f"FROM {Expense._meta.db_table} e WHERE {where} GROUP BY e.date, e.category_id"
    )


def _count_write_off_select(where: str) -> str:
    # A count's total is its variance at cost, negative for a loss: the write-off is its negation.
    return (
        "SELECT c.date, {k} * -SUM(c.total), 0 "
        f"FROM {StockCount._meta.db_table} c WHERE {where} GROUP BY c.date"
    )


def _scrapped_select(where: str) -> str:
    # As ``returns.selectors.scrapped_cost``: the scrapped lines' cost less the scrap value.
    return (
        "SELECT r.date, 0, {k} * SUM(l.cost - l.scrap_value) "
        "FROM returns_salesreturnline l JOIN returns_salesreturn r ON r.id = l.sales_return_id "
        f"WHERE {where} AND l.disposition = '{Disposition.SCRAP.value}' GROUP BY r.date"
    )


# Output tax (the GSTR-1 and GSTR-3B reports): bill lines by HSN, rate, B2B or B2C, place of supply
# and supply; and the bills' own figures and their lines' tax per GSTIN, by day and by month.
_LINE_TAX = (
    "SUM(l.taxable_value), SUM(l.cgst_amount), SUM(l.sgst_amount), SUM(l.igst_amount), SUM(l.tax_amount)"
)
_PARTY_SUMS = (
    "bills",
    "taxable_total",
    "tax_total",
    "round_off",
    "total",
    *("taxable", "cgst", "sgst", "igst", "tax"),
)


def _outward_tax_select(where: str) -> str:
    key = "s.date, l.hsn_code, l.tax_rate, s.party_gstin <> '', s.place_of_supply, s.is_inter_state"
    sums = ", ".join(f"{{k}} * {part}" for part in ("COUNT(*)", "SUM(l.quantity)", *_LINE_TAX.split(", ")))
    return (
        f"SELECT {key}, {sums} FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
        f"WHERE {where} GROUP BY {key}"
    )


def _outward_party_select(where: str, *, monthly: bool) -> str:
    # Each bill's own figures once (h1…h4), its lines' tax summed under it (l1…l5); short names
    # keep one bill's summary statements small enough to be prepared (``PREPARED_MAX_BYTES``).
    # A bill has at least one line (``documents.drafts``), so the join drops none.
    day = _month_of("s.date") if monthly else "s.date"
    lines = ", ".join(f"{part} AS l{n}" for n, part in enumerate(_LINE_TAX.split(", "), 1))
    sums = ", ".join(f"{{k}} * SUM({c})" for c in ("h1", "h2", "h3", "h4", "l1", "l2", "l3", "l4", "l5"))
    return (
        f"SELECT d, g, p, {{k}} * COUNT(*), {sums} FROM (SELECT {day} AS d, s.party_gstin AS g, "
        "s.place_of_supply AS p, s.taxable_total AS h1, s.tax_total AS h2, s.round_off AS h3, s.total AS h4, "
        f"{lines} FROM sales_sale s JOIN sales_saleline l ON l.sale_id = s.id WHERE {where} GROUP BY s.id) b "
        "GROUP BY d, g, p"
    )


def _split_band_select(where: str, *, creators: bool = True) -> str:
    # Only bills whose totals lie in the kept band (``SplitBand``, one row): no row, no facts.
    key = "s.date, s.customer_id, s.created_by_id" if creators else "s.date, s.customer_id"
    return (
        f"SELECT {key}, {{k}} * COUNT(*), {{k}} * SUM(s.total) "
        f"FROM sales_sale s JOIN {SplitBand._meta.db_table} w ON s.total BETWEEN w.low AND w.high "
        f"WHERE {where} GROUP BY {key}"
    )


def _split_groups_select(where: str) -> str:
    # The band's bills by date, customer and creator (a ``SplitBandDay`` row each), unsigned.
    return (
        "SELECT s.date, s.customer_id, s.created_by_id, COUNT(*) AS n, SUM(s.total) AS t "
        f"FROM sales_sale s JOIN {SplitBand._meta.db_table} w ON s.total BETWEEN w.low AND w.high "
        f"WHERE {where} GROUP BY s.date, s.customer_id, s.created_by_id"
    )


def _split_creator_select(where: str) -> str:
    # A creator's day: their band rows (one per customer with bills) counted, and summed.
    return (
        "SELECT g.date, g.created_by_id, {k} * COUNT(*), {k} * SUM(g.n), {k} * SUM(g.t) "
        f"FROM ({_split_groups_select(where)}) g GROUP BY g.date, g.created_by_id"
    )


def _split_creator_change_select(where: str, sign: int) -> str:
    """What these bills, posted (+1) or cancelled (−1), change in their creators' days: their
    bills and totals, and a customer more (fewer) where the customer's band row had no bills before
    (has none after). It reads the band rows as they were, so it runs before ``SPLIT_DAY``'s upsert."""
    before = "0" if sign > 0 else "g.n"  # the band row's bills before, when it goes 0 → n (n → 0)
    return (
        "SELECT g.date, g.created_by_id, "
        f"SUM(CASE WHEN COALESCE(z.bills, 0) = {before} THEN {{k}} ELSE 0 END), "
        f"{{k}} * SUM(g.n), {{k}} * SUM(g.t) FROM ({_split_groups_select(where)}) g "
        f"LEFT JOIN {SplitBandDay._meta.db_table} z ON z.date = g.date AND z.customer_id = g.customer_id "
        "AND z.created_by_id = g.created_by_id GROUP BY g.date, g.created_by_id"
    )


def _document_day_select(table: str, label: str, where: str, *, posted: str, cancelled: str) -> str:
    """One document type's counts per date and creator; ``label`` is the type's label in SQL (a
    placeholder or a literal); ``posted`` and ``cancelled`` are what each matching document adds
    (SQL: 1, 0 or a CASE on its status)."""
    return (
        f"SELECT d.date, {label}, d.created_by_id, SUM({posted}), SUM({cancelled}) "
        f"FROM {table} d WHERE {where} GROUP BY d.date, d.created_by_id"
    )


# A run's figures by month, bottle, machine and shift; its rejects by reason, its inputs by item.
_RUN_KEY = "{month}, r.product_id, r.machine, r.shift"


def _runs_month_select(where: str) -> str:
    key = _RUN_KEY.format(month=_month_of("r.date"))
    return (
        f"SELECT {key}, {{k}} * COUNT(*), {{k}} * SUM(r.good_quantity), "
        "{k} * SUM(COALESCE(r.input_value, 0)), "
        f"{{k}} * SUM(r.conversion_cost), {{k}} * SUM(r.scrap_value) "
        f"FROM production_productionrun r WHERE {where} GROUP BY {key}"
    )


def _run_rejects_month_select(where: str) -> str:
    key = _RUN_KEY.format(month=_month_of("r.date"))
    return (
        f"SELECT {key}, j.reason, {{k}} * SUM(j.quantity) "
        "FROM production_runreject j JOIN production_productionrun r ON r.id = j.run_id "
        f"WHERE {where} GROUP BY {key}, j.reason"
    )


def _run_outcome_select(where: str) -> str:
    # One row a run: its rejects summed here once, so the exceptions never sum them again.
    return (
        "SELECT r.id, r.date, r.machine, r.shift, r.product_id, r.created_by_id, {k}, "
        "{k} * r.good_quantity, "
        "{k} * COALESCE((SELECT SUM(j.quantity) FROM production_runreject j WHERE j.run_id = r.id), 0), "
        f"{{k}} * r.conversion_cost FROM production_productionrun r WHERE {where}"
    )


def _run_inputs_month_select(where: str) -> str:
    key = _RUN_KEY.format(month=_month_of("r.date"))
    return (
        f"SELECT {key}, i.item_id, {{k}} * SUM(i.quantity), {{k}} * SUM(COALESCE(i.value, 0)) "
        "FROM production_runinput i JOIN production_productionrun r ON r.id = i.run_id "
        f"WHERE {where} GROUP BY {key}, i.item_id"
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
CUSTOMER_MONTH = (SalesCustomerMonth._meta.db_table, ("month", "customer_id"), CUSTOMER_DAY[2])
BALANCE = (CustomerBalance._meta.db_table, ("customer_id",), ("billed", "paid"))
BILL_DUE = (BillOutstanding._meta.db_table, ("sale_id", "customer_id", "date"), ("outstanding",))
_RUN_COLUMNS = ("month", "product_id", "machine", "shift")
RUN_SUMS = ("runs", "good", "input_value", "conversion", "scrap")
RUNS_MONTH = (ProductionMonth._meta.db_table, _RUN_COLUMNS, RUN_SUMS)
REJECTS_MONTH = (ProductionRejectMonth._meta.db_table, (*_RUN_COLUMNS, "reason"), ("quantity",))
INPUTS_MONTH = (ProductionInputMonth._meta.db_table, (*_RUN_COLUMNS, "item_id"), ("quantity", "value"))
RUN_OUTCOME = (
    RunOutcome._meta.db_table,
    ("run_id", "date", "machine", "shift", "product_id", "created_by_id"),
    ("runs", "good", "rejected", "conversion"),
)
OUTWARD_TAX = (
    OutwardTaxDay._meta.db_table,
    ("date", "hsn_code", "tax_rate", "b2b", "place_of_supply", "is_inter_state"),
    ("lines", "quantity", "taxable", "cgst", "sgst", "igst", "tax"),
)
OUTWARD_PARTY_DAY = (OutwardPartyDay._meta.db_table, ("date", "party_gstin", "place_of_supply"), _PARTY_SUMS)
OUTWARD_PARTY_MONTH = (
    OutwardPartyMonth._meta.db_table,
    ("month", "party_gstin", "place_of_supply"),
    _PARTY_SUMS,
)
SPLIT_DAY = (SplitBandDay._meta.db_table, ("date", "customer_id", "created_by_id"), ("bills", "total"))
SPLIT_CUSTOMER_DAY = (SplitCustomerDay._meta.db_table, ("date", "customer_id"), ("bills", "total"))
SPLIT_CREATOR_DAY = (
    SplitCreatorDay._meta.db_table,
    ("date", "created_by_id"),
    ("customers", "bills", "total"),
)
DOCUMENT_DAY = (DocumentDay._meta.db_table, ("date", "document", "created_by_id"), ("posted", "cancelled"))
# A bill's customer and date ride along with its key: the row is one per bill.
UNIQUE_BY = {BILL_DUE[0]: ("sale_id",), RUN_OUTCOME[0]: ("run_id",)}
EXPENSE_DAY = (ExpenseDay._meta.db_table, ("date", "category_id"), ("amount", "expenses"))
WRITE_OFF_DAY = (WriteOffDay._meta.db_table, ("date",), ("count_write_offs", "scrapped"))


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


def _document_days(model: type, ids: Sequence[int], sign: int) -> list[Statement]:
    """These documents, just posted (+1) or cancelled (−1), into their creators' day counts: a
    posting counts as posted, a cancelling as cancelled (the posting stays counted)."""
    if not ids:
        return []
    marks, values = _ids(ids)
    posted, cancelled = ("1", "0") if sign > 0 else ("0", "1")
    where = f"d.id IN ({marks})"
    select = _document_day_select(model._meta.db_table, "%s", where, posted=posted, cancelled=cancelled)
    table, key, columns = DOCUMENT_DAY
    return [(_upsert_sql(table, key, columns, select), [model._meta.label_lower, *values])]


def _sales(ids: Sequence[int], sign: int) -> list[Statement]:
    """Add (sign +1) or take away (sign −1) these bills' lines in the sales summaries."""
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"s.id IN ({marks})"
    if sign > 0:
        due = _upsert(BILL_DUE, _bill_due_select(where), sign, values)
    else:  # a cancelled bill owes nothing, whatever was recorded against it
        due = (f"DELETE FROM {BILL_DUE[0]} WHERE sale_id IN ({marks})", values)
    return [
        _upsert(SALES_ITEM, _sales_item_select(where), sign, values),
        _upsert(CUSTOMER_DAY, _sales_customer_select(where), sign, values),
        _upsert(CUSTOMER_MONTH, _sales_customer_month_select(where), sign, values),
        _upsert(BALANCE, _billed_select(where), sign, values),
        due,
        *_outward(where, sign, values),
        # Before the band rows' upsert, whose rows as they were it reads (SQLite: one writer at a time).
        _upsert(SPLIT_CREATOR_DAY, _split_creator_change_select(where, sign), sign, values),
        _upsert(SPLIT_DAY, _split_band_select(where), sign, values),
        _upsert(SPLIT_CUSTOMER_DAY, _split_band_select(where, creators=False), sign, values),
        *_document_days(Sale, ids, sign),
    ]


# On PostgreSQL the bills' summaries go as one statement: their lines read once (``x``) and each
# bill's own figures with its lines' sums once (``b``), feeding every upsert as a data-modifying WITH
# step, with the bills' stock movements as the last: one round trip. Its text depends only on the
# number of bills, the sign and whether they move stock, so it is built once per process, and the
# server plans it once per connection (prepared statements are keyed by text, whatever its length;
# at 4.5 kB, over ``PREPARED_MAX_BYTES``, psycopg converts its placeholders on each call, ~40 µs,
# less than the second round trip the two shorter statements cost). The per-table SELECTs above
# stay the definition (``rebuild``, ``differences``, SQLite); the summary tests hold both equal.
_BILL_LINES = (
    "x AS(SELECT s.id,s.date d,s.customer_id c,s.total t,s.party_gstin g,s.place_of_supply p,"
    "s.is_inter_state i,s.taxable_total h1,s.tax_total h2,s.round_off h3,s.created_by_id u,"
    "l.item_id,l.hsn_code,"
    "l.tax_rate,l.quantity q,l.discount,l.taxable_value v,COALESCE(l.cost,0) o,"
    "l.cgst_amount l2,l.sgst_amount l3,l.igst_amount l4,l.tax_amount l5 "
    "FROM sales_sale s JOIN sales_saleline l ON l.sale_id=s.id WHERE s.id IN({marks})),"
    "b AS(SELECT id,d,c,t,g,p,h1,h2,h3,u,COUNT(*) n,SUM(q) q,SUM(v) v,SUM(o) o,"
    "SUM(l2) l2,SUM(l3) l3,SUM(l4) l4,SUM(l5) l5 FROM x GROUP BY 1,2,3,4,5,6,7,8,9,10),"
    # The bills inside threshold splitting's kept band (its one row joined), by date, customer, creator.
    f"g AS(SELECT d,c,u,COUNT(*) n,SUM(t) t FROM b JOIN {SplitBand._meta.db_table} w "
    "ON t BETWEEN w.low AND w.high GROUP BY 1,2,3)"
)


def _short_upsert(target, select_sql: str) -> str:
    """``_upsert_sql`` with the table aliased and no spaces it can do without, to keep the
    combined statement short."""
    table, key, columns = target
    adds = ",".join(f"{c}=z.{c}+excluded.{c}" for c in columns)
    unique = UNIQUE_BY.get(table, key)
    return (
        f"INSERT INTO {table} AS z({','.join([*key, *columns])}) {select_sql} "
        f"ON CONFLICT({','.join(unique)}) DO UPDATE SET {adds}"
    )


@functools.lru_cache(maxsize=64)
def _sales_sql(count: int, sign: int, stock: bool) -> str:
    k = "" if sign > 0 else "-"  # the sign, as each sum's prefix
    month = "CAST(date_trunc('month',d) AS date)"

    def sums(*columns: str) -> str:
        return ",".join(f"{k}COUNT(*)" if c == "*" else f"{k}SUM({c})" for c in columns)

    per_bill = f"{sums('*', 'n', 'q', 'v', 'o', 't')},0"
    party = sums("*", "h1", "h2", "h3", "t", "v", "l2", "l3", "l4", "l5")
    steps = [
        _short_upsert(
            SALES_ITEM, f"SELECT d,item_id,{sums('*', 'q', 'discount', 'v', 'o')} FROM x GROUP BY 1,2"
        ),
        _short_upsert(CUSTOMER_DAY, f"SELECT d,c,{per_bill} FROM b GROUP BY 1,2"),
        _short_upsert(CUSTOMER_MONTH, f"SELECT {month},c,{per_bill} FROM b GROUP BY 1,2"),
        _short_upsert(BALANCE, f"SELECT c,{k}SUM(t),0 FROM b GROUP BY 1"),
        _short_upsert(BILL_DUE, "SELECT id,c,d,t FROM b")
        if sign > 0  # a cancelled bill owes nothing, whatever was recorded against it
        else f"DELETE FROM {BILL_DUE[0]} WHERE sale_id IN(SELECT id FROM b)",
        _short_upsert(
            OUTWARD_TAX,
            f"SELECT d,hsn_code,tax_rate,g<>'',p,i,{sums('*', 'q', 'v', 'l2', 'l3', 'l4', 'l5')} "
            "FROM x GROUP BY 1,2,3,4,5,6",
        ),
        _short_upsert(OUTWARD_PARTY_DAY, f"SELECT d,g,p,{party} FROM b GROUP BY 1,2,3"),
        _short_upsert(OUTWARD_PARTY_MONTH, f"SELECT {month},g,p,{party} FROM b GROUP BY 1,2,3"),
    ]
    # Threshold splitting's facts. The band rows' upsert returns each row as it leaves it, after any
    # concurrent posting's change to it (not as this statement's snapshot saw it): a creator's day
    # counts a customer more where the row's bills are now only these bills' (fewer where none are left).
    band_rows = f"w{len(steps)}"  # the name the band rows' upsert gets below
    returned = "RETURNING date,customer_id,created_by_id,bills"
    steps += [
        f"{_short_upsert(SPLIT_DAY, f'SELECT d,c,u,{k}n,{k}t FROM g')} {returned}",
        _short_upsert(
            SPLIT_CREATOR_DAY,
            f"SELECT r.date,r.created_by_id,SUM(CASE WHEN r.bills={'g.n' if sign > 0 else '0'} THEN {k}1 "
            f"ELSE 0 END),{k}SUM(g.n),{k}SUM(g.t) FROM {band_rows} r JOIN g ON g.d=r.date AND "
            "g.c=r.customer_id AND g.u=r.created_by_id GROUP BY 1,2",
        ),
        _short_upsert(SPLIT_CUSTOMER_DAY, f"SELECT d,c,{k}SUM(n),{k}SUM(t) FROM g GROUP BY 1,2"),
        _short_upsert(
            DOCUMENT_DAY,
            f"SELECT d,'{SALE_LABEL}',u,{'COUNT(*),0' if sign > 0 else '0,COUNT(*)'} FROM b GROUP BY 1,3",
        ),
    ]
    marks = ",".join(["%s"] * count)
    if stock:  # the bills' own movements (on cancelling, their reversals), as _document_movements
        steps.append(
            _short_upsert(
                STOCK,
                "SELECT date,item_id,kind,SUM(quantity),SUM(value),COUNT(*) FROM inventory_stockmovement "
                f"WHERE source_type=%s AND source_id IN({marks}) AND kind{'<>' if sign > 0 else '='}%s "
                "GROUP BY 1,2,3",
            )
        )
    *steps, last = steps  # a data-modifying WITH step needs no RETURNING when nothing reads it
    named = ",".join(f"w{n} AS({sql})" for n, sql in enumerate(steps))
    return f"WITH {_BILL_LINES.format(marks=marks)},{named} {last}"


def _sales_statement(ids: Sequence[int], sign: int, *, stock: bool) -> Statement:
    """These bills' summaries, and with ``stock`` their stock movements', as one statement."""
    values = [int(i) for i in ids]
    params = [*values, SALE_LABEL, *values, MovementKind.REVERSAL] if stock else values
    return _sales_sql(len(values), int(sign), stock), params


def _outward(where: str, sign: int, params: Sequence) -> list[Statement]:
    """The output-tax summaries' statements for the bills matching ``where`` (on alias ``s``)."""
    return [
        _upsert(OUTWARD_TAX, _outward_tax_select(where), sign, params),
        _upsert(OUTWARD_PARTY_DAY, _outward_party_select(where, monthly=False), sign, params),
        _upsert(OUTWARD_PARTY_MONTH, _outward_party_select(where, monthly=True), sign, params),
    ]


def _payments(ids: Sequence[int], sign: int) -> list[Statement]:
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"p.id IN ({marks})"
    return [
        _upsert(CUSTOMER_DAY, _payments_customer_select(where), sign, values),
        _upsert(CUSTOMER_MONTH, _payments_customer_month_select(where), sign, values),
        _upsert(BALANCE, _paid_select(where), sign, values),
        _upsert(BILL_DUE, _bill_paid_select(where), sign, values),
    ]


def _sales_returns(ids: Sequence[int], sign: int) -> list[Statement]:
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"r.id IN ({marks})"
    return [
        _upsert(SALES_ITEM, _returns_item_select(where), sign, values),
        _upsert(CUSTOMER_DAY, _returns_customer_select(where), sign, values),
        _upsert(CUSTOMER_MONTH, _returns_customer_month_select(where), sign, values),
        _upsert(BALANCE, _returns_balance_select(where), sign, values),
        _upsert(BILL_DUE, _bill_returned_select(where), sign, values),
        _upsert(WRITE_OFF_DAY, _scrapped_select(where), sign, values),
    ]


def _runs(ids: Sequence[int], sign: int) -> list[Statement]:
    if not ids:
        return []
    marks, values = _ids(ids)
    where = f"r.id IN ({marks})"
    return [
        _upsert(RUNS_MONTH, _runs_month_select(where), sign, values),
        _upsert(REJECTS_MONTH, _run_rejects_month_select(where), sign, values),
        _upsert(INPUTS_MONTH, _run_inputs_month_select(where), sign, values),
        _upsert(RUN_OUTCOME, _run_outcome_select(where), sign, values),
    ]


def apply_document_movements(source_type: str, ids: Sequence[int], *, reversals: bool) -> None:
    _execute(_document_movements(source_type, ids, reversals=reversals))


def apply_sales(ids: Sequence[int], sign: int) -> None:
    _execute(_sales(ids, sign))


def apply_payments(ids: Sequence[int], sign: int) -> None:
    _execute(_payments(ids, sign))


def apply_customer_opening_due(customer_id: int) -> None:
    """Add a customer's opening due, just entered, to their balance (in the entering transaction)."""
    _apply(BALANCE, _opening_due_select("d.customer_id = %s"), 1, [customer_id])


def record_posting(posting: PostingContext) -> None:
    """Called by the lifecycle inside the transaction that posts (+1) or cancels (−1) a document."""
    from documents import lifecycle

    document, sign = posting.document, posting.sign
    label = document._meta.label_lower
    statements = []
    if label == SALE_LABEL and connection.vendor == "postgresql":
        stock = lifecycle.rules_for(document).moves_stock
        _execute([_sales_statement([document.pk], sign, stock=stock)])
        return
    if label == SALE_LABEL:
        statements += _sales([document.pk], sign)
    elif label == PAYMENT_LABEL:
        statements += _payments([document.pk], sign)
    elif label == SALES_RETURN_LABEL:
        statements += _sales_returns([document.pk], sign)
    elif label == EXPENSE_LABEL:
        statements.append(_upsert(EXPENSE_DAY, _expense_select("e.id = %s"), sign, [document.pk]))
    elif label == STOCK_COUNT_LABEL:
        statements.append(_upsert(WRITE_OFF_DAY, _count_write_off_select("c.id = %s"), sign, [document.pk]))
    elif label == RUN_LABEL:
        statements += _runs([document.pk], sign)
    if label != SALE_LABEL:  # a bill's counts go with its other summaries
        statements += _document_days(type(document), [document.pk], sign)
    if lifecycle.rules_for(document).moves_stock:
        statements += _document_movements(label, [document.pk], reversals=sign < 0)
    if statements:
        _execute(statements)


def record_postings(model: type, ids: Sequence[int], sign: int) -> None:
    """``record_posting`` for many documents of one type posted at once (``sales.bulk``): the same
    statements, for a thousand documents at a time."""
    from documents import lifecycle

    label = model._meta.label_lower
    moves_stock = lifecycle.rules_for(model).moves_stock
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        statements = []
        if label == SALE_LABEL and connection.vendor == "postgresql":
            _execute([_sales_statement(part, sign, stock=moves_stock)])
            continue
        if label == SALE_LABEL:
            statements += _sales(part, sign)
        elif label == PAYMENT_LABEL:
            statements += _payments(part, sign)
        elif label == RUN_LABEL:
            statements += _runs(part, sign)
        if label != SALE_LABEL:
            statements += _document_days(model, part, sign)
        if moves_stock:
            statements += _document_movements(label, part, reversals=sign < 0)
        if statements:
            _execute(statements)


@transaction.atomic
def rebuild() -> None:
    """Recompute every summary from the ledger, bills and payments (after an import, or to check)."""
    # The first migration of reporting rebuilds too, before the month summary's table exists.
    tables = connection.introspection.table_names()
    months = SalesCustomerMonth._meta.db_table in tables
    bills = BillOutstanding._meta.db_table in tables
    runs = ProductionMonth._meta.db_table in tables
    for model in (StockDay, SalesItemDay, SalesCustomerDay, CustomerBalance):
        model.objects.all().delete()
    if months:
        SalesCustomerMonth.objects.all().delete()
    if bills:
        BillOutstanding.objects.all().delete()
    if ExpenseDay._meta.db_table in tables:
        rebuild_net_costs()
    if OutwardTaxDay._meta.db_table in tables:
        rebuild_outward_tax()
    if DocumentDay._meta.db_table in tables:
        rebuild_exception_facts()
    if RunOutcome._meta.db_table in tables:
        rebuild_run_outcomes()
    if runs:
        for model in (ProductionMonth, ProductionRejectMonth, ProductionInputMonth):
            model.objects.all().delete()
        posted_run = "r.status = 'posted'"
        _apply(RUNS_MONTH, _runs_month_select(posted_run), 1, [])
        _apply(REJECTS_MONTH, _run_rejects_month_select(posted_run), 1, [])
        _apply(INPUTS_MONTH, _run_inputs_month_select(posted_run), 1, [])
    posted_sale = "s.status = 'posted'"
    posted_payment = "p.status = 'posted'"
    _apply(STOCK, _stock_select("1 = 1"), 1, [])
    _apply(SALES_ITEM, _sales_item_select(posted_sale), 1, [])
    _apply(CUSTOMER_DAY, _sales_customer_select(posted_sale), 1, [])
    _apply(CUSTOMER_DAY, _payments_customer_select(posted_payment), 1, [])
    if months:
        _apply(CUSTOMER_MONTH, _sales_customer_month_select(posted_sale), 1, [])
        _apply(CUSTOMER_MONTH, _payments_customer_month_select(posted_payment), 1, [])
    _apply(BALANCE, _all_billed_select(posted_sale), 1, [])
    _apply(BALANCE, _paid_select(posted_payment), 1, [])
    if bills:
        _apply(BILL_DUE, _bill_due_select(posted_sale), 1, [])
        _apply(BILL_DUE, _bill_paid_select(posted_payment), 1, [])
    # The first reporting migration runs this before the returns tables exist (none to add then).
    if SalesReturn._meta.db_table not in connection.introspection.table_names():
        return
    posted_return = "r.status = 'posted'"
    _apply(SALES_ITEM, _returns_item_select(posted_return), 1, [])
    _apply(CUSTOMER_DAY, _returns_customer_select(posted_return), 1, [])
    if months:
        _apply(CUSTOMER_MONTH, _returns_customer_month_select(posted_return), 1, [])
    _apply(BALANCE, _returns_balance_select(posted_return), 1, [])
    if bills:
        _apply(BILL_DUE, _bill_returned_select(posted_return), 1, [])


def rebuild_net_costs() -> None:
    """Recompute the expense and write-off summaries from the posted documents."""
    ExpenseDay.objects.all().delete()
    WriteOffDay.objects.all().delete()
    _apply(EXPENSE_DAY, _expense_select("e.status = 'posted'"), 1, [])
    _apply(WRITE_OFF_DAY, _count_write_off_select("c.status = 'posted'"), 1, [])
    if SalesReturn._meta.db_table in connection.introspection.table_names():
        _apply(WRITE_OFF_DAY, _scrapped_select("r.status = 'posted'"), 1, [])


def rebuild_outward_tax() -> None:
    """Recompute the output-tax summaries from the posted bills: one INSERT … SELECT … GROUP BY
    each, which is also how their migration fills them on a database with years of bills."""
    for model in (OutwardTaxDay, OutwardPartyDay, OutwardPartyMonth):
        model.objects.all().delete()
    _execute(_outward("s.status = 'posted'", 1, []))


def split_band() -> tuple[Decimal, Decimal]:
    """The approval band threshold splitting looks in, from today's settings: [low, high]."""
    from django.conf import settings

    high = Decimal(settings.APPROVAL_THRESHOLD)
    return high * settings.EXCEPTION_SPLIT_SHARE / Decimal(100), high


def kept_split_band() -> tuple[Decimal, Decimal] | None:
    """The band ``SplitBandDay`` was summed with, or None if there is none."""
    row = SplitBand.objects.order_by("pk").values_list("low", "high").first()
    return tuple(row) if row else None


def _document_day_selects(tables: Sequence[str] | None = None) -> list[str]:
    """``DocumentDay`` from every type's documents as they stand (of the types whose tables are in
    ``tables``, if given): one posted, or posted and then cancelled, counts as posted; one cancelled
    as cancelled too (a type's label is a literal)."""
    from documents import lifecycle

    return [
        _document_day_select(
            model._meta.db_table,
            f"'{model._meta.label_lower}'",
            "d.status IN ('posted', 'cancelled')",
            posted="1",
            cancelled="CASE WHEN d.status = 'cancelled' THEN 1 ELSE 0 END",
        )
        for model in lifecycle.registered_models()
        if tables is None or model._meta.db_table in tables
    ]


def rebuild_exception_facts() -> None:
    """Sum the exceptions' kept facts again from the documents: the split band's bills with today's
    band (which becomes the kept one), and every type's posted and cancelled documents per day and
    creator. One INSERT … SELECT … GROUP BY each, which is also how their migration fills them."""
    low, high = split_band()
    SplitBand.objects.all().delete()
    SplitBand.objects.create(low=low, high=high)
    for model in (SplitBandDay, SplitCustomerDay, DocumentDay):
        model.objects.all().delete()
    posted = "s.status = 'posted'"
    statements = [
        (_upsert_sql(*SPLIT_DAY, _split_band_select(posted).format(k=1)), []),
        (_upsert_sql(*SPLIT_CUSTOMER_DAY, _split_band_select(posted, creators=False).format(k=1)), []),
    ]
    # The migration that adds them may run before a later document type's table exists (none to
    # add), and before the creators' days' own (whose migration fills them).
    tables = connection.introspection.table_names()
    if SplitCreatorDay._meta.db_table in tables:
        fill_split_creator_days()
    statements += [(_upsert_sql(*DOCUMENT_DAY, select), []) for select in _document_day_selects(tables)]
    for statement in statements:  # one at a time: several add to one table
        _execute([statement])


def fill_split_creator_days() -> None:
    """Sum ``SplitCreatorDay`` from the posted bills in the kept band (its migration's backfill)."""
    SplitCreatorDay.objects.all().delete()
    _execute(
        [(_upsert_sql(*SPLIT_CREATOR_DAY, _split_creator_select("s.status = 'posted'").format(k=1)), [])]
    )


def rebuild_run_outcomes() -> None:
    """Copy every posted run's outcome again (one INSERT … SELECT, which is also how its migration
    fills the table)."""
    RunOutcome.objects.all().delete()
    _apply(RUN_OUTCOME, _run_outcome_select("r.status = 'posted'"), 1, [])


def exception_fact_differences() -> list[str]:
    """Where the exceptions' kept facts differ from a fresh count of the documents (``verify_ledger``
    reports these)."""
    posted = "s.status = 'posted'"
    return (
        _compare(*SPLIT_DAY, [_split_band_select(posted).format(k=1)])
        + _compare(*SPLIT_CUSTOMER_DAY, [_split_band_select(posted, creators=False).format(k=1)])
        + _compare(*SPLIT_CREATOR_DAY, [_split_creator_select(posted).format(k=1)])
        + _compare(*DOCUMENT_DAY, _document_day_selects())
        + _compare(*RUN_OUTCOME, [_run_outcome_select("r.status = 'posted'").format(k=1)])
    )


def outward_tax_differences() -> list[str]:
    """Where an output-tax summary differs from a fresh sum of the posted bills (``verify_ledger``
    reports these)."""
    posted = "s.status = 'posted'"
    checks = [
        (OUTWARD_TAX, _outward_tax_select(posted)),
        (OUTWARD_PARTY_DAY, _outward_party_select(posted, monthly=False)),
        (OUTWARD_PARTY_MONTH, _outward_party_select(posted, monthly=True)),
    ]
    problems: list[str] = []
    for (table, key, columns), select in checks:
        problems += _compare(table, key, columns, [select.format(k=1)])
    return problems


def differences() -> list[str]:
    """Where a summary differs from a fresh sum of what it summarises; empty when all agree."""
    posted_sale, posted_payment = "s.status = 'posted'", "p.status = 'posted'"
    posted_return = "r.status = 'posted'"
    posted_run = "r.status = 'posted'"
    # Each table against the sum of every select that adds to it (bills and credit notes both
    # add to the sales figures, each to its own columns or to shared ones).
    checks = [
        (STOCK, [_stock_select("1 = 1")]),
        (SALES_ITEM, [_sales_item_select(posted_sale), _returns_item_select(posted_return)]),
        (
            CUSTOMER_DAY,
            [
                _sales_customer_select(posted_sale),
                _payments_customer_select(posted_payment),
                _returns_customer_select(posted_return),
            ],
        ),
        (
            CUSTOMER_MONTH,
            [
                _sales_customer_month_select(posted_sale),
                _payments_customer_month_select(posted_payment),
                _returns_customer_month_select(posted_return),
            ],
        ),
        (
            BALANCE,
            [
                _all_billed_select(posted_sale),
                _paid_select(posted_payment),
                _returns_balance_select(posted_return),
            ],
        ),
        (
            BILL_DUE,
            [
                _bill_due_select(posted_sale),
                _bill_paid_select(posted_payment),
                _bill_returned_select(posted_return),
            ],
        ),
        (EXPENSE_DAY, [_expense_select("e.status = 'posted'")]),
        (
            WRITE_OFF_DAY,
            [_count_write_off_select("c.status = 'posted'"), _scrapped_select(posted_return)],
        ),
        (RUNS_MONTH, [_runs_month_select(posted_run)]),
        (REJECTS_MONTH, [_run_rejects_month_select(posted_run)]),
        (INPUTS_MONTH, [_run_inputs_month_select(posted_run)]),
    ]
    problems: list[str] = []
    for (table, key, columns), selects in checks:
        problems += _compare(table, key, columns, [select.format(k=1) for select in selects])
    return problems + outward_tax_differences() + exception_fact_differences()


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
            found[tuple(_key(k) for k in row[:n_key])] = tuple(values)
    return found


def _key(value) -> str:
    """A key column as text, alike from a stored row and a fresh sum: SQLite gives a boolean or a
    rate as a number where the column it reads declares none (``party_gstin <> ''``, 5 for 5.00)."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    return str(value)


def _compare(table: str, key, columns, selects: Sequence[str]) -> list[str]:
    expected: dict[tuple, tuple] = {}
    for select in selects:
        for k, values in _fetch(select, len(key)).items():
            before = expected.get(k, (Decimal("0.00"),) * len(values))
            expected[k] = tuple(a + b for a, b in zip(before, values, strict=True))
    expected = {k: values for k, values in expected.items() if any(values)}
    stored = _fetch(f"SELECT {', '.join(key)}, {', '.join(columns)} FROM {table}", len(key))
    return [
        f"{table} {k}: holds {stored.get(k)} but the rows sum to {expected.get(k)}"
        for k in sorted(set(expected) | set(stored))
        if expected.get(k) != stored.get(k)
    ]
