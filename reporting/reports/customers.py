"""Customer sales and receivables ageing, from the per-customer daily summary.

Outstanding at a date = Σ posted bills − Σ posted payments dated up to it. Ageing is per bill
(``reporting.ageing``): each open bill's outstanding (its total less the payments against it) is
aged by its date; money received on account is shown beside the buckets, not spread over them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from documents.models import DocumentStatus
from reporting import ageing as ageing_rules
from reporting.charts import bar_chart
from reporting.models import CustomerBalance, SalesCustomerDay
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent
from sales.models import Customer, Payment, Sale

BUCKETS, OVER_90 = ageing_rules.BUCKETS, ageing_rules.OVER_90


def _after(end: date):
    return SalesCustomerDay.objects.filter(date__gt=end)


def outstanding_at(end: date) -> dict[int, object]:
    """{customer id: outstanding at the end of ``end``}: today's balance less what came later."""
    later = {
        row["customer_id"]: money(row["billed"]) - money(row["paid"])
        for row in _after(end).values("customer_id").annotate(billed=Sum("revenue"), paid=Sum("paid"))
    }
    return {
        customer_id: money(billed) - money(paid) - later.get(customer_id, 0)
        for customer_id, billed, paid in CustomerBalance.objects.values_list("customer_id", "billed", "paid")
    }


def total_outstanding_at(end: date):
    now = CustomerBalance.objects.aggregate(b=Sum("billed"), p=Sum("paid"))
    later = _after(end).aggregate(b=Sum("revenue"), p=Sum("paid"))
    return money(now["b"]) - money(now["p"]) - money(later["b"]) + money(later["p"])


def open_bills(end: date):
    """Posted bills dated up to ``end`` that still owe something at its end."""
    paid = (
        Payment.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED, date__lte=end)
        .order_by()
        .values("sale")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return (
        Sale.objects.filter(status=DocumentStatus.POSTED, date__lte=end)
        .annotate(paid_by_end=Coalesce(Subquery(paid, output_field=ageing_rules.MONEY), Value(Decimal("0"))))
        .annotate(outstanding=F("total") - F("paid_by_end"))
        .filter(outstanding__gt=0)
    )


def on_account_at(end: date) -> dict[int, object]:
    """{customer id: money received without a bill, dated up to ``end``}."""
    rows = (
        Payment.objects.filter(status=DocumentStatus.POSTED, sale__isnull=True, date__lte=end)
        .values("customer_id")
        .annotate(s=Sum("amount"))
    )
    return {row["customer_id"]: money(row["s"]) for row in rows}


def ageing(end: date) -> list[tuple]:
    """(customer id, outstanding, 0–30, 31–60, 61–90, over 90, on account) at ``end``, per bill:
    each open bill's outstanding is aged by its own date; money on account is set beside them."""
    buckets = ageing_rules.receivables_per_customer(end)
    credit = on_account_at(end)
    owed = outstanding_at(end)
    shown = set(buckets) | {c for c, amount in owed.items() if amount > 0}
    zero = money(0)
    return [
        (
            customer_id,
            owed.get(customer_id, zero),
            *(buckets.get(customer_id, {}).get(key, zero) for key in ageing_rules.KEYS),
            -credit.get(customer_id, zero),
        )
        for customer_id in shown
    ]


def build(period: Period) -> Report:
    in_range = SalesCustomerDay.objects.filter(date__gte=period.start, date__lte=period.end)
    sums = {
        "bills": Sum("bills"),
        "quantity": Sum("quantity"),
        "revenue": Sum("revenue"),
        "cogs": Sum("cogs"),
        "paid": Sum("paid"),
    }
    activity = {row["customer_id"]: row for row in in_range.values("customer_id").annotate(**sums)}
    owed = outstanding_at(period.end)
    shown = set(activity) | {c for c, amount in owed.items() if amount}
    # Each customer's latest bill day up to the end: one index probe per customer (customer, date).
    latest = (
        SalesCustomerDay.objects.filter(customer=OuterRef("pk"), date__lte=period.end, bills__gt=0)
        .order_by("-date")
        .values("date")[:1]
    )
    names, last_bill = {}, {}
    for pk, name, last in (
        Customer.objects.filter(pk__in=shown)
        .annotate(last=Subquery(latest))
        .values_list("pk", "name", "last")
    ):
        names[pk], last_bill[pk] = name, last
    rows = []
    for customer_id in shown:
        row = activity.get(customer_id, {})
        revenue, cogs = money(row.get("revenue")), money(row.get("cogs"))
        rows.append(
            {
                "customer": names.get(customer_id, f"#{customer_id}"),
                "bills": int(row.get("bills") or 0),
                "quantity": int(row.get("quantity") or 0),
                "revenue": revenue,
                "gross_profit": revenue - cogs,
                "margin": percent(revenue - cogs, revenue),
                "paid": money(row.get("paid")),
                "outstanding": owed.get(customer_id, money(0)),
                "last_bill": last_bill.get(customer_id),
            }
        )
    rows.sort(key=lambda r: (-r["revenue"], r["customer"]))
    # Totals of the per-customer sums the database returned (a few hundred rows, exact Decimals):
    # a second pass over the year's summary rows would double the report's time.
    total = {key: sum((row[key] or 0 for row in activity.values()), 0) for key in sums}
    revenue, cogs = money(total["revenue"]), money(total["cogs"])
    totals = {
        "customer": "Total",
        "bills": int(total["bills"] or 0),
        "quantity": int(total["quantity"] or 0),
        "revenue": revenue,
        "gross_profit": revenue - cogs,
        "margin": percent(revenue - cogs, revenue),
        "paid": money(total["paid"]),
        "outstanding": total_outstanding_at(period.end),
        "last_bill": None,
    }
    aged = ageing(period.end)
    aged_names = dict(Customer.objects.filter(pk__in=[a[0] for a in aged]).values_list("pk", "name"))
    keys = ["outstanding", *ageing_rules.KEYS, "on_account"]
    ageing_rows = sorted(
        ({"customer": aged_names.get(a[0], f"#{a[0]}"), **dict(zip(keys, a[1:], strict=True))} for a in aged),
        key=lambda r: (-r["outstanding"], r["customer"]),
    )
    ageing_totals = {"customer": "Total", **_ageing_totals(aged, keys)}
    top = rows[:12]
    return Report(
        name="customer-sales",
        title="Customer sales",
        period=period,
        notes=[
            f"Outstanding and ageing are as at the end of {period.end.isoformat()}; a negative "
            "outstanding is money held on account.",
            "Ageing is per bill: each open bill's outstanding by its age; money received on account "
            "(not against a bill) is shown beside it, so owed = the buckets less on account.",
        ],
        tables=[
            Table(
                "customers",
                "Per customer",
                [
                    Column("customer", "Customer"),
                    Column("bills", "Bills", "int"),
                    Column("quantity", "Quantity", "int"),
                    Column("revenue", "Revenue", "money"),
                    Column("gross_profit", "Gross profit", "money"),
                    Column("margin", "Margin %", "percent"),
                    Column("paid", "Paid in period", "money"),
                    Column("outstanding", "Outstanding", "money"),
                    Column("last_bill", "Last bill", "date"),
                ],
                rows,
                totals,
            ),
            Table(
                "ageing",
                "Receivables ageing",
                [
                    Column("customer", "Customer"),
                    Column("outstanding", "Owed", "money"),
                    *[Column(key, label, "money") for key, label in BUCKETS],
                    Column(*OVER_90, "money"),
                    Column("on_account", "On account", "money"),
                ],
                ageing_rows,
                ageing_totals,
            ),
        ],
        charts=[
            bar_chart(
                "Revenue of the top customers", [r["customer"][:10] for r in top], [r["revenue"] for r in top]
            ),
            bar_chart(
                "Receivables by age",
                [label for _, label in [*BUCKETS, OVER_90]],
                [ageing_totals[key] for key in ageing_rules.KEYS],
            ),
        ],
    )


def _ageing_totals(aged: list[tuple], keys: list[str]) -> dict:
    # Σ of the figures the SQL already aggregated per customer (a few hundred at most).
    return {key: sum((a[i + 1] for a in aged), money(0)) for i, key in enumerate(keys)}
