"""What stands between gross and net profit: stock write-offs and expenses, per period.

- Stock count write-offs: −Σ posted stock counts' variance (``StockCount.total``, negative for a
  loss), so a loss reduces profit and a gain adds to it.
- Returns scrapped: the cost of returned goods written off, less the scrap value received
  (``returns.selectors.scrapped_cost``).
- Expenses: Σ posted expenses' amounts before tax (input tax is never a cost).

All three are read from the daily summaries (``WriteOffDay``, ``ExpenseDay``) that
``reporting.summaries`` keeps in the posting transaction, so a year is a few hundred rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from expenses.models import POWER, ExpenseCategory
from reporting.models import ExpenseDay, WriteOffDay
from reporting.periods import Period
from reporting.tables import money


def _write_offs(start: date, end: date):
    return WriteOffDay.objects.filter(date__gte=start, date__lte=end)


def _expenses(start: date, end: date):
    return ExpenseDay.objects.filter(date__gte=start, date__lte=end)


def totals(start: date, end: date) -> dict[str, Decimal]:
    written = _write_offs(start, end).aggregate(counts=Sum("count_write_offs"), scrapped=Sum("scrapped"))
    return {
        "count_write_offs": money(written["counts"]),
        "scrapped": money(written["scrapped"]),
        "expenses": money(_expenses(start, end).aggregate(s=Sum("amount"))["s"]),
    }


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def by_bucket(start: date, end: date, trunc) -> dict[date, dict[str, Decimal]]:
    """{bucket start: the three figures} for the buckets (day, week, month, year) that have any."""
    found: dict[date, dict[str, Decimal]] = {}

    def entry(bucket) -> dict[str, Decimal]:
        return found.setdefault(
            _as_date(bucket), {"count_write_offs": money(0), "scrapped": money(0), "expenses": money(0)}
        )

    bucketed = {"bucket": trunc("date")}
    written = (
        _write_offs(start, end)
        .annotate(**bucketed)
        .values("bucket")
        .annotate(counts=Sum("count_write_offs"), scrapped=Sum("scrapped"))
        .order_by()
    )
    for row in written:
        if row["counts"] or row["scrapped"]:
            figures = entry(row["bucket"])
            figures["count_write_offs"] += money(row["counts"])
            figures["scrapped"] += money(row["scrapped"])
    spent = _expenses(start, end).annotate(**bucketed).values("bucket").annotate(s=Sum("amount")).order_by()
    for row in spent:
        if row["s"]:
            entry(row["bucket"])["expenses"] += money(row["s"])
    return found


def expenses_compared(period: Period, before: Period) -> list[dict]:
    """One row per category with expenses in either period: this period, the one before, change."""

    def per_category(p: Period) -> dict[int, Decimal]:
        rows = _expenses(p.start, p.end).order_by().values("category_id").annotate(s=Sum("amount"))
        return {row["category_id"]: money(row["s"]) for row in rows if row["s"]}

    now, then = per_category(period), per_category(before)
    names = dict(ExpenseCategory.objects.filter(pk__in=set(now) | set(then)).values_list("pk", "name"))
    rows = [
        {
            "category": names[pk],
            "this_period": now.get(pk, money(0)),
            "previous_period": then.get(pk, money(0)),
            "change": now.get(pk, money(0)) - then.get(pk, money(0)),
        }
        for pk in names
    ]
    return sorted(rows, key=lambda r: (-r["this_period"], r["category"]))


def power_cost(start: date, end: date) -> Decimal:
    """Σ posted power expenses (before tax) dated in the period."""
    return money(_expenses(start, end).filter(category__code=POWER).aggregate(s=Sum("amount"))["s"])
