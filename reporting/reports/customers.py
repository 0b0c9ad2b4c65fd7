"""Customer sales and receivables ageing, from the per-customer daily summary.

Outstanding at a date = Σ posted bills − Σ posted payments dated up to it. Ageing is balance
forward: a customer's outstanding amount is matched against their most recent bills (payments
settle the oldest bills first), and each part is aged by its bill date.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.db.models import OuterRef, Subquery, Sum

from reporting.charts import bar_chart
from reporting.models import CustomerBalance, SalesCustomerDay
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent
from sales.models import Customer

BUCKETS = [("days_0_30", "0–30 days"), ("days_31_60", "31–60 days"), ("days_61_90", "61–90 days")]
OVER_90 = ("days_over_90", "Over 90 days")


def _after(end: date):
    return SalesCustomerDay.objects.filter(date__gt=end)


def outstanding_at(end: date) -> dict[int, object]:
    """{customer id: outstanding at the end of ``end``}: today's balance less what came later."""
    later = {
        row["customer_id"]: money(row["billed"]) - money(row["paid"])
        for row in _after(end).values("customer_id").annotate(billed=Sum("billed"), paid=Sum("paid"))
    }
    return {
        customer_id: money(billed) - money(paid) - later.get(customer_id, 0)
        for customer_id, billed, paid in CustomerBalance.objects.values_list("customer_id", "billed", "paid")
    }


def total_outstanding_at(end: date):
    now = CustomerBalance.objects.aggregate(b=Sum("billed"), p=Sum("paid"))
    later = _after(end).aggregate(b=Sum("billed"), p=Sum("paid"))
    return money(now["b"]) - money(now["p"]) - money(later["b"]) + money(later["p"])


AGEING_SQL = """
WITH owed AS (
    SELECT b.customer_id,
           b.billed - b.paid - COALESCE((
               SELECT SUM(a.billed - a.paid) FROM {day} a
               WHERE a.customer_id = b.customer_id AND a.date > %s), 0) AS owed
    FROM {balance} b
),
recent AS (
    SELECT d.customer_id, d.date, d.billed,
           SUM(d.billed) OVER (PARTITION BY d.customer_id ORDER BY d.date DESC
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - d.billed AS newer
    FROM {day} d
    WHERE d.date <= %s AND d.date > %s AND d.billed > 0
),
matched AS (
    SELECT r.customer_id, r.date,
           CASE WHEN o.owed - r.newer >= r.billed THEN r.billed
                WHEN o.owed - r.newer > 0 THEN o.owed - r.newer
                ELSE 0 END AS amount
    FROM recent r JOIN owed o ON o.customer_id = r.customer_id
    WHERE o.owed > 0
),
aged AS (
    SELECT customer_id,
           SUM(CASE WHEN date > %s THEN amount ELSE 0 END) AS b0,
           SUM(CASE WHEN date <= %s AND date > %s THEN amount ELSE 0 END) AS b1,
           SUM(CASE WHEN date <= %s THEN amount ELSE 0 END) AS b2
    FROM matched GROUP BY customer_id
)
SELECT o.customer_id, o.owed, COALESCE(a.b0, 0), COALESCE(a.b1, 0), COALESCE(a.b2, 0),
       o.owed - COALESCE(a.b0, 0) - COALESCE(a.b1, 0) - COALESCE(a.b2, 0)
FROM owed o LEFT JOIN aged a ON a.customer_id = o.customer_id
WHERE o.owed > 0
"""


def ageing(end: date) -> list[tuple]:
    """(customer id, outstanding, 0–30, 31–60, 61–90, over 90) for everyone who owes at ``end``."""
    d30, d60, d90 = (end - timedelta(days=n) for n in (30, 60, 90))
    sql = AGEING_SQL.format(day=SalesCustomerDay._meta.db_table, balance=CustomerBalance._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [end, end, d90, d30, d30, d60, d60])
        return [(row[0], *(money(v) for v in row[1:])) for row in cursor.fetchall()]


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
    keys = ["outstanding", *(k for k, _ in BUCKETS), OVER_90[0]]
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
            "Ageing matches what a customer owes against their most recent bills.",
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
                [ageing_totals[key] for key in keys[1:]],
            ),
        ],
    )


def _ageing_totals(aged: list[tuple], keys: list[str]) -> dict:
    # Σ of the figures the SQL already aggregated per customer (a few hundred at most).
    return {key: sum((a[i + 1] for a in aged), money(0)) for i, key in enumerate(keys)}
