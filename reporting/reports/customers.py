"""Customer sales and receivables ageing, from the per-customer daily summary.

Outstanding at a date = Σ posted bills − Σ posted payments dated up to it. Ageing is per bill
(``reporting.ageing``): each open bill's outstanding (its total less the payments against it) is
aged by its date; money received on account is shown beside the buckets, not spread over them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from documents.models import DocumentStatus
from reporting import ageing as ageing_rules
from reporting.charts import bar_chart
from reporting.models import CustomerBalance, SalesCustomerDay, SalesCustomerMonth
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent
from returns.models import SalesReturn
from sales.models import Customer, Payment, Sale

BUCKETS, OVER_90 = ageing_rules.BUCKETS, ageing_rules.OVER_90


SUMS = ("bills", "quantity", "revenue", "cogs", "paid")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_months(start: date, end: date | None) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The days ``start``…``end`` (None: no end) as (day ranges to read from the daily summary,
    the whole months to read from the monthly one, as (first month, last month) or None)."""
    first = start if start.day == 1 else _next_month(start)
    after = None if end is None else _next_month(end)  # the first day after end's month
    last = None if end is None else (after if after - timedelta(days=1) == end else _month_start(end))
    # Whole months run from ``first`` up to (not including) ``last``.
    if last is not None and first >= last:
        return [(start, end)], None
    days = [(start, first - timedelta(days=1))] if start < first else []
    if last is not None and last <= end:
        days.append((last, end))
    months = (first, None if last is None else last - timedelta(days=1))
    return days, months


def _within_months(low: date, high: date) -> list[tuple[date, date]]:
    """``low``…``high`` cut at the months' ends: ranges that each lie in one month."""
    ranges = []
    while low <= high:
        last = min(high, _next_month(low) - timedelta(days=1))
        ranges.append((low, last))
        low = last + timedelta(days=1)
    return ranges


def _signed_parts(start: date, end: date | None) -> list[tuple[str, date, date | None, int]]:
    """The days ``start``…``end`` as (summary, first, last, sign) parts whose signed sums add up to
    theirs: whole months from the monthly summary; a part of a month from the daily one, or, when
    the days left out of it are fewer, as its month less those days (a year from the 3rd reads two
    days, not twenty-nine)."""
    days, months = split_months(start, end)
    parts: list[tuple[str, date, date | None, int]] = []
    for low, high in (piece for first, last in days for piece in _within_months(first, last)):
        month, month_end = _month_start(low), _next_month(low) - timedelta(days=1)
        left_out = (low - month).days + (month_end - high).days
        if left_out >= (high - low).days + 1:
            parts.append(("day", low, high, 1))
            continue
        parts.append(("month", month, month, 1))
        if low > month:
            parts.append(("day", month, low - timedelta(days=1), -1))
        if high < month_end:
            parts.append(("day", high + timedelta(days=1), month_end, -1))
    if months is not None:
        parts.append(("month", months[0], months[1], 1))
    return parts


def customer_sums(start: date, end: date | None, fields=SUMS) -> dict[int, dict]:
    """{customer id: {field: Σ}} over the days ``start``…``end`` (None: every day from ``start``),
    from the monthly summary for whole months and the daily one for the rest (``_signed_parts``).
    A customer whose sums are all zero is left out."""
    parts = []
    for summary, low, high, sign in _signed_parts(start, end):
        if summary == "day":
            rows = SalesCustomerDay.objects.filter(date__gte=low, date__lte=high)
        else:
            rows = SalesCustomerMonth.objects.filter(month__gte=low)
            if high is not None:
                rows = rows.filter(month__lte=high)
        sums = {f: Sum(f) for f in fields}
        parts.append(rows.values("customer_id").annotate(sign=Value(sign), **sums).order_by())
    found: dict[int, dict] = {}
    # One round trip: the parts' per-customer sums, added up here (a few hundred rows each).
    for row in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        into = found.setdefault(row["customer_id"], dict.fromkeys(fields, 0))
        for f in fields:
            into[f] += row["sign"] * (row[f] or 0)
    return {customer: sums for customer, sums in found.items() if any(sums.values())}


def outstanding_at(end: date) -> dict[int, object]:
    """{customer id: outstanding at the end of ``end``}: today's balance less what came later."""
    later = {
        customer_id: money(row["billed"]) - money(row["paid"])
        for customer_id, row in customer_sums(end + timedelta(days=1), None, ("billed", "paid")).items()
    }
    return {
        customer_id: money(billed) - money(paid) - later.get(customer_id, 0)
        for customer_id, billed, paid in CustomerBalance.objects.values_list("customer_id", "billed", "paid")
    }


def total_outstanding_at(end: date, owed: dict[int, object] | None = None):
    owed = outstanding_at(end) if owed is None else owed
    return sum((amount for amount in owed.values()), money(0))


def open_bills(end: date):
    """Posted bills dated up to ``end`` that owe something at its end, or were paid above what
    they ask (negative): the total less the payments and the credit notes (less their refunds)
    against them dated up to it."""
    paid = (
        Payment.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED, date__lte=end)
        .order_by()
        .values("sale")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    credited = (
        SalesReturn.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED, date__lte=end)
        .order_by()
        .values("sale")
        .annotate(s=Sum(F("total") - F("refund")))
        .values("s")
    )
    zero = Value(Decimal("0"))
    return (
        Sale.objects.filter(status=DocumentStatus.POSTED, date__lte=end)
        .annotate(
            paid_by_end=Coalesce(Subquery(paid, output_field=ageing_rules.MONEY), zero),
            credited_by_end=Coalesce(Subquery(credited, output_field=ageing_rules.MONEY), zero),
        )
        .annotate(outstanding=F("total") - F("paid_by_end") - F("credited_by_end"))
        .exclude(outstanding=0)  # a negative one is settled, its excess the customer's credit
    )


def on_account_at(end: date) -> dict[int, object]:
    """{customer id: money received without a bill, dated up to ``end``}."""
    rows = (
        Payment.objects.filter(status=DocumentStatus.POSTED, sale__isnull=True, date__lte=end)
        .values("customer_id")
        .annotate(s=Sum("amount"))
    )
    return {row["customer_id"]: money(row["s"]) for row in rows}


def ageing(end: date, owed: dict[int, object] | None = None) -> list[tuple]:
    """(customer id, outstanding, 0–30, 31–60, 61–90, over 90, on account) at ``end``, per bill:
    each open bill's outstanding is aged by its own date; money on account is set beside them:
    payments without a bill and what bills were paid or credited above their totals (a credit
    note on a bill already paid), so owed = Σ buckets − on account."""
    buckets = ageing_rules.receivables_per_customer(end)
    credit = on_account_at(end)
    owed = outstanding_at(end) if owed is None else owed
    shown = set(buckets) | {c for c, amount in owed.items() if amount > 0}
    zero = money(0)
    return [
        (
            customer_id,
            owed.get(customer_id, zero),
            *(buckets.get(customer_id, {}).get(key, zero) for key in ageing_rules.KEYS),
            -credit.get(customer_id, zero) - buckets.get(customer_id, {}).get(ageing_rules.CREDIT, zero),
        )
        for customer_id in shown
    ]


# The screen shows the customers with the most revenue (and those who owe the most) up to this
# many: the owner reads the top of the list, and the page costs the same however many customers
# there are. Print, CSV, XLSX and the API list every customer.
PAGE_ROWS = 50


def _last_bills(customer_ids, end: date) -> dict[int, date]:
    """Each customer's latest bill day up to ``end``: one index probe per customer (customer, date)."""
    latest = (
        SalesCustomerDay.objects.filter(customer=OuterRef("pk"), date__lte=end, bills__gt=0)
        .order_by("-date")
        .values("date")[:1]
    )
    return dict(
        Customer.objects.filter(pk__in=customer_ids).annotate(last=Subquery(latest)).values_list("pk", "last")
    )


def build(period: Period, top: int | None = None) -> Report:
    """The report; ``top``: list only that many customers in each table (the totals stay those
    of every customer)."""
    activity = customer_sums(period.start, period.end)
    owed = outstanding_at(period.end)
    shown = set(activity) | {c for c, amount in owed.items() if amount}
    aged = ageing(period.end, owed)
    # The names of both tables' customers in one query; the last bill only of those listed.
    names = dict(Customer.objects.filter(pk__in=shown | {a[0] for a in aged}).values_list("pk", "name"))

    def name(customer_id: int) -> str:
        return names.get(customer_id, f"#{customer_id}")

    # Ordered by revenue first, so only the rows listed are built.
    order = sorted(shown, key=lambda c: (-money(activity.get(c, {}).get("revenue")), name(c)))
    every = len(order)
    rows = []
    for customer_id in order if top is None else order[:top]:
        row = activity.get(customer_id, {})
        revenue, cogs = money(row.get("revenue")), money(row.get("cogs"))
        rows.append(
            {
                "id": customer_id,
                "customer": name(customer_id),
                "bills": int(row.get("bills") or 0),
                "quantity": int(row.get("quantity") or 0),
                "revenue": revenue,
                "gross_profit": revenue - cogs,
                "margin": percent(revenue - cogs, revenue),
                "paid": money(row.get("paid")),
                "outstanding": owed.get(customer_id, money(0)),
            }
        )
    last_bill = _last_bills([r["id"] for r in rows], period.end)
    for row in rows:
        row["last_bill"] = last_bill.get(row.pop("id"))
    # Totals of the per-customer sums the database returned (a few hundred rows, exact Decimals):
    # a second pass over the year's summary rows would double the report's time.
    total = {key: sum((row[key] or 0 for row in activity.values()), 0) for key in SUMS}
    revenue, cogs = money(total["revenue"]), money(total["cogs"])
    totals = {
        "customer": "Total",
        "bills": int(total["bills"] or 0),
        "quantity": int(total["quantity"] or 0),
        "revenue": revenue,
        "gross_profit": revenue - cogs,
        "margin": percent(revenue - cogs, revenue),
        "paid": money(total["paid"]),
        "outstanding": total_outstanding_at(period.end, owed),
        "last_bill": None,
    }
    keys = ["outstanding", *ageing_rules.KEYS, "on_account"]
    ageing_rows = sorted(
        ({"customer": names.get(a[0], f"#{a[0]}"), **dict(zip(keys, a[1:], strict=True))} for a in aged),
        key=lambda r: (-r["outstanding"], r["customer"]),
    )
    ageing_totals = {"customer": "Total", **_ageing_totals(aged, keys)}
    notes = []
    if top is not None and (every > top or len(ageing_rows) > top):
        notes.append(
            f"The tables list the {top} customers with the most revenue and the {top} who owe the most "
            f"({every:,} and {len(ageing_rows):,} in all); the totals are of every customer, and the "
            "print view, CSV and XLSX list them all."
        )
        del ageing_rows[top:]
    biggest = rows[:12]
    return Report(
        name="customer-sales",
        title="Customer sales",
        period=period,
        notes=[
            *notes,
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
                "Revenue of the top customers",
                [r["customer"][:10] for r in biggest],
                [r["revenue"] for r in biggest],
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
