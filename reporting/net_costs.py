"""What stands between gross and net profit: stock write-offs and expenses, per period.

- Stock count write-offs: −Σ posted stock counts' variance (``StockCount.total``, negative for a
  loss), so a loss reduces profit and a gain adds to it.
- Returns scrapped: the cost of returned goods written off, from the returns module
  (``returns.selectors.scrapped_cost``) once it is installed; nothing until then.
- Expenses: Σ posted expenses' amounts before tax (input tax is never a cost).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from documents.models import DocumentStatus
from expenses.models import POWER, Expense, ExpenseCategory
from inventory.models import StockCount
from reporting.periods import Period
from reporting.tables import money
from returns import selectors as returns_selectors


def _scrapped_cost(start: date, end: date) -> Decimal:
    """Returns written off as scrap (sales returns not put back into stock), less their scrap value."""
    return money(returns_selectors.scrapped_cost(start, end))


def _counts(start: date, end: date):
    return StockCount.objects.filter(status=DocumentStatus.POSTED, date__gte=start, date__lte=end)


def _expenses(start: date, end: date):
    return Expense.objects.filter(status=DocumentStatus.POSTED, date__gte=start, date__lte=end)


def totals(start: date, end: date) -> dict[str, Decimal]:
    variance = _counts(start, end).aggregate(s=Sum("total"))["s"]
    return {
        "count_write_offs": -money(variance),
        "scrapped": _scrapped_cost(start, end),
        "expenses": money(_expenses(start, end).aggregate(s=Sum("amount"))["s"]),
    }


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _bucket_end(starts: date, trunc_name: str) -> date:
    if trunc_name == "TruncDay":
        return starts
    if trunc_name == "TruncWeek":
        return starts + timedelta(days=6)
    if trunc_name == "TruncMonth":
        following = (starts.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return date(starts.year, 12, 31)


def by_bucket(start: date, end: date, trunc) -> dict[date, dict[str, Decimal]]:
    """{bucket start: the three figures} for the buckets (day, week, month, year) that have any."""
    found: dict[date, dict[str, Decimal]] = {}

    def add(rows, key: str, sign: int) -> None:
        for row in rows:
            day = _as_date(row["bucket"])
            entry = found.setdefault(
                day, {"count_write_offs": money(0), "scrapped": money(0), "expenses": money(0)}
            )
            entry[key] += sign * money(row["s"])

    bucketed = {"bucket": trunc("date")}
    add(
        _counts(start, end).annotate(**bucketed).values("bucket").annotate(s=Sum("total")),
        "count_write_offs",
        -1,
    )
    add(_expenses(start, end).annotate(**bucketed).values("bucket").annotate(s=Sum("amount")), "expenses", 1)
    if _scrapped_cost(start, end):
        # Only with the returns module installed: one call per bucket of the period.
        day = _as_date(start)
        while day <= end:
            bucket_start = day
            bucket_end = min(_bucket_end(_first_of(day, trunc.__name__), trunc.__name__), end)
            scrapped = _scrapped_cost(bucket_start, bucket_end)
            if scrapped:
                key = _first_of(day, trunc.__name__)
                entry = found.setdefault(
                    key, {"count_write_offs": money(0), "scrapped": money(0), "expenses": money(0)}
                )
                entry["scrapped"] += scrapped
            day = bucket_end + timedelta(days=1)
    return found


def _first_of(day: date, trunc_name: str) -> date:
    if trunc_name == "TruncDay":
        return day
    if trunc_name == "TruncWeek":
        return day - timedelta(days=day.weekday())
    if trunc_name == "TruncMonth":
        return day.replace(day=1)
    return date(day.year, 1, 1)


def expenses_compared(period: Period, before: Period) -> list[dict]:
    """One row per category with expenses in either period: this period, the one before, change."""

    def per_category(p: Period) -> dict[int, Decimal]:
        rows = _expenses(p.start, p.end).order_by().values("category_id").annotate(s=Sum("amount"))
        return {row["category_id"]: money(row["s"]) for row in rows}

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
