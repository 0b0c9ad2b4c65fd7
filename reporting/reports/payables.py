"""Payables: what the plant owes each supplier at a date, and the ageing of its open bills.

Outstanding = Σ posted bills − Σ posted supplier payments (against bills or on account) − debit
notes, all dated up to the end of the period. The ageing is per bill (``reporting.ageing``); each
bill falls due its supplier's credit days after its date.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, Sum

from documents.models import DocumentStatus
from purchasing import selectors
from purchasing.models import Purchase, Supplier, SupplierPayment, SupplierPaymentLine
from reporting import ageing
from reporting.charts import bar_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money


def _sums(queryset, field: str, end: date, start: date) -> tuple[dict[int, object], dict[int, object]]:
    """({supplier id: Σ field up to ``end``}, {supplier id: Σ field from ``start`` to ``end``}),
    both from one grouped query."""
    rows = (
        queryset.filter(status=DocumentStatus.POSTED, date__lte=end)
        .order_by()
        .values("supplier_id")
        .annotate(s=Sum(field), within=Sum(field, filter=Q(date__gte=start)))
        .values_list("supplier_id", "s", "within")
    )
    upto, within = {}, {}
    for supplier_id, total, in_period in rows:
        upto[supplier_id] = money(total)
        if in_period is not None:
            within[supplier_id] = money(in_period)
    return upto, within


def _allocated_by_supplier(end: date) -> dict[int, object]:
    rows = (
        SupplierPaymentLine.objects.filter(payment__status=DocumentStatus.POSTED, payment__date__lte=end)
        .order_by()
        .values("payment__supplier_id")
        .annotate(s=Sum("amount"))
    )
    return {row["payment__supplier_id"]: money(row["s"]) for row in rows}


def balances(
    end: date, start: date | None = None, opening_dues: list | None = None
) -> tuple[dict[int, dict], dict, dict]:
    """({supplier id: billed, paid, on account, debit notes, outstanding} at the end of ``end``,
    {supplier id: billed from ``start``}, {supplier id: paid from ``start``}). A fixed number of
    queries, however many suppliers there are. ``opening_dues``: the go-live dues dated up to
    ``end``, when the caller has read them already."""
    opening_dues = list(selectors.opening_due_rows(end)) if opening_dues is None else opening_dues
    billed, billed_in = _sums(Purchase.objects, "total", end, start or end)
    for due in opening_dues:
        billed[due.supplier_id] = billed.get(due.supplier_id, money(0)) + due.amount
    paid, paid_in = _sums(SupplierPayment.objects, "amount", end, start or end)
    allocated = _allocated_by_supplier(end)
    debit_notes = selectors.debit_notes_by_supplier(upto=end)
    zero = money(0)
    found = {}
    suppliers = Supplier.objects.filter(pk__in=set(billed) | set(paid)).only("name", "credit_days")
    for supplier in suppliers:
        pk = supplier.pk
        debit = debit_notes.get(pk, zero)
        b, p = billed.get(pk, zero), paid.get(pk, zero)
        found[pk] = {
            "supplier": supplier,
            "billed": b,
            "paid": p,
            "on_account": p - allocated.get(pk, zero),
            "debit_notes": debit,
            "outstanding": b - p - debit,
        }
    return found, billed_in, paid_in


def _ageing_bucket(bill_date: date, end: date) -> str:
    """The ageing table's bucket of a bill, as ``ageing.per_party`` sums it in SQL (a bill exactly
    30, 60 or 90 days old counts in the older bucket; ``ageing.bucket_of``, which names the bills
    table's "Age", puts it in the younger one)."""
    days = (end - bill_date).days
    if days < 30:
        return "days_0_30"
    if days < 60:
        return "days_31_60"
    if days < 90:
        return "days_61_90"
    return "days_over_90"


def build(period: Period) -> Report:
    end = period.end
    opening_dues = list(selectors.opening_due_rows(end))
    owed, billed_in, paid_in = balances(end, period.start, opening_dues)
    zero = money(0)
    supplier_rows = sorted(
        (
            {
                "supplier": row["supplier"].name,
                "credit_days": row["supplier"].credit_days,
                "billed": billed_in.get(pk, zero),
                "paid": paid_in.get(pk, zero),
                "on_account": row["on_account"],
                "debit_notes": row["debit_notes"],
                "outstanding": row["outstanding"],
            }
            for pk, row in owed.items()
            if row["outstanding"] or billed_in.get(pk) or paid_in.get(pk)
        ),
        key=lambda r: (-r["outstanding"], r["supplier"]),
    )
    money_keys = ("billed", "paid", "on_account", "debit_notes", "outstanding")
    supplier_totals = {
        "supplier": "Total",
        "credit_days": None,
        **{k: sum((r[k] for r in supplier_rows), zero) for k in money_keys},
    }

    # The open bills are read once: the ageing buckets are their sums by supplier and age, added
    # up here (a supplier's bills are few), and the same rows are listed below.
    open_bills = list(selectors.open_bills(end))
    buckets: dict[int, dict] = {}
    for bill in open_bills:
        bucket = buckets.setdefault(bill.supplier_id, dict.fromkeys(ageing.KEYS, zero))
        bucket[_ageing_bucket(bill.date, end)] += money(bill.outstanding)
    # What was owed on the go-live day is aged from that day, like a bill of that date.
    for due in opening_dues:
        bucket = buckets.setdefault(due.supplier_id, {})
        key = ageing.bucket_of(due.date, end)
        bucket[key] = bucket.get(key, zero) + money(due.amount)
    ageing_rows = []
    for pk in set(buckets) | {pk for pk, row in owed.items() if row["outstanding"] > 0}:
        row = owed.get(pk)
        if row is None:
            continue
        ageing_rows.append(
            {
                "supplier": row["supplier"].name,
                "outstanding": row["outstanding"],
                **{key: buckets.get(pk, {}).get(key, zero) for key in ageing.KEYS},
                "on_account": -row["on_account"],
                "debit_notes": -row["debit_notes"],
            }
        )
    ageing_rows.sort(key=lambda r: (-r["outstanding"], r["supplier"]))
    ageing_keys = ["outstanding", *ageing.KEYS, "on_account", "debit_notes"]
    ageing_totals = {"supplier": "Total", **{k: sum((r[k] for r in ageing_rows), zero) for k in ageing_keys}}

    bill_rows = []
    for bill in open_bills:
        due = bill.date + timedelta(days=bill.supplier.credit_days)
        bill_rows.append(
            {
                "number": bill.number,
                "supplier": bill.supplier.name,
                "supplier_bill_number": bill.supplier_bill_number,
                "date": bill.date,
                "due_date": due,
                "days_overdue": max((end - due).days, 0),
                "total": money(bill.total),
                "paid": money(bill.paid),
                "outstanding": money(bill.outstanding),
                "age": dict([*ageing.BUCKETS, ageing.OVER_90])[ageing.bucket_of(bill.date, end)],
            }
        )
    bill_totals = {
        "number": "Total",
        **{k: sum((r[k] for r in bill_rows), zero) for k in ("total", "paid", "outstanding")},
    }
    labels = [label for _, label in [*ageing.BUCKETS, ageing.OVER_90]]
    return Report(
        name="payables",
        title="Payables",
        period=period,
        notes=[
            f"Outstanding and ageing are as at the end of {end.isoformat()}; a negative outstanding is "
            "money the supplier holds for the plant (paid on account or owed back for returns).",
            "Ageing is per bill, by the bill's date; a bill falls due its supplier's credit days after it.",
        ],
        tables=[
            Table(
                "suppliers",
                "Per supplier",
                [
                    Column("supplier", "Supplier"),
                    Column("credit_days", "Credit days", "int"),
                    Column("billed", "Billed in period", "money"),
                    Column("paid", "Paid in period", "money"),
                    Column("on_account", "Paid on account", "money"),
                    Column("debit_notes", "Debit notes", "money"),
                    Column("outstanding", "Outstanding", "money"),
                ],
                supplier_rows,
                supplier_totals,
            ),
            Table(
                "ageing",
                "Payables ageing",
                [
                    Column("supplier", "Supplier"),
                    Column("outstanding", "Owed", "money"),
                    *[Column(key, label, "money") for key, label in ageing.BUCKETS],
                    Column(*ageing.OVER_90, "money"),
                    Column("on_account", "On account", "money"),
                    Column("debit_notes", "Debit notes", "money"),
                ],
                ageing_rows,
                ageing_totals,
            ),
            Table(
                "bills",
                "Open bills",
                [
                    Column("number", "Bill"),
                    Column("supplier", "Supplier"),
                    Column("supplier_bill_number", "Supplier's number"),
                    Column("date", "Date", "date"),
                    Column("due_date", "Due", "date"),
                    Column("days_overdue", "Days overdue", "int"),
                    Column("total", "Total", "money"),
                    Column("paid", "Paid", "money"),
                    Column("outstanding", "Outstanding", "money"),
                    Column("age", "Age"),
                ],
                bill_rows,
                bill_totals,
            ),
        ],
        charts=[bar_chart("Payables by age", labels, [ageing_totals[key] for key in ageing.KEYS])],
    )
