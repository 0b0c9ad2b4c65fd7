"""Profit & loss: revenue − COGS = gross profit; − stock write-offs − expenses = net profit.

Revenue is Σ posted (not cancelled) bill line amounts, after discount; COGS is Σ those lines' cost
as fixed at posting. ``SalesItemDay`` holds exactly these sums per item and day.
Stock write-offs are the posted stock counts' variances at average cost (a loss counts positive, a
gain negative) and the cost of returned goods scrapped (``net_costs``); expenses are the posted
expenses' amounts before tax, by category. Both are read from their daily summaries, kept in the
posting transaction like ``SalesItemDay``, so they are always current.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek, TruncYear

from core import formats
from reporting import net_costs
from reporting.charts import line_chart
from reporting.models import SalesItemDay
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent

TRUNC = {"week": TruncWeek, "month": TruncMonth, "year": TruncYear}
TRUNC_ANY = {"day": TruncDay, **TRUNC}
SUMS = {
    "quantity": Sum("quantity"),
    "discount": Sum("discount"),
    "revenue": Sum("revenue"),
    "cogs": Sum("cogs"),
}
FIGURES = [
    Column("quantity", "Quantity sold", "int"),
    Column("gross_sales", "Sales before discount", "money"),
    Column("discount", "Discounts", "money"),
    Column("revenue", "Revenue", "money"),
    Column("cogs", "Cost of goods sold", "money"),
    Column("gross_profit", "Gross profit", "money"),
    Column("margin", "Margin %", "percent"),
    Column("count_write_offs", "Stock count write-offs", "money"),
    Column("scrapped", "Returns scrapped", "money"),
    Column("expenses", "Expenses", "money"),
    Column("net_profit", "Net profit", "money"),
    Column("net_margin", "Net margin %", "percent"),
]


def _figures(row: dict | None, costs: dict | None = None) -> dict:
    row, costs = row or {}, costs or {}
    revenue, discount, cogs = money(row.get("revenue")), money(row.get("discount")), money(row.get("cogs"))
    gross = revenue - cogs
    write_offs, scrapped = money(costs.get("count_write_offs")), money(costs.get("scrapped"))
    expenses = money(costs.get("expenses"))
    net = gross - write_offs - scrapped - expenses
    return {
        "quantity": int(row.get("quantity") or 0),
        "gross_sales": revenue + discount,
        "discount": discount,
        "revenue": revenue,
        "cogs": cogs,
        "gross_profit": gross,
        "margin": percent(gross, revenue),
        "count_write_offs": write_offs,
        "scrapped": scrapped,
        "expenses": expenses,
        "net_profit": net,
        "net_margin": percent(net, revenue),
    }


def _in(period: Period):
    return SalesItemDay.objects.filter(date__gte=period.start, date__lte=period.end)


def totals(period: Period) -> dict:
    return _figures(_in(period).aggregate(**SUMS), net_costs.totals(period.start, period.end))


def _day(value):
    """A bucket's start as a date (a truncation may hand back a datetime on some databases)."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


GROSS = FIGURES[:7]  # what a single item earns: nothing below gross profit belongs to one item


def _gross(row: dict) -> dict:
    figures = _figures(row)
    return {column.key: figures[column.key] for column in GROSS}


def _period_label(day, group: str) -> str:
    if group == "year":
        return str(day.year)
    if group == "month":
        return day.strftime("%Y-%m")
    if group == "week":
        return f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
    return day.isoformat()


def _against(period: Period) -> str:
    before = period.before()
    days = f"{period.days} days" if period.days != 1 else "day"
    return f"This period against the {days} before ({formats.day(before.start)} – {formats.day(before.end)})"


def build(period: Period, group: str = "month") -> Report:
    rows = _in(period)
    by_period = (
        rows.values("date") if group == "day" else rows.annotate(bucket=TRUNC[group]("date")).values("bucket")
    )
    key = "date" if group == "day" else "bucket"
    sales_by = {_day(row[key]): row for row in by_period.annotate(**SUMS).order_by(key)}
    costs_by = net_costs.by_bucket(period.start, period.end, TRUNC_ANY[group])
    period_rows = [
        {"period": _period_label(day, group), "starts": day, **_figures(sales_by.get(day), costs_by.get(day))}
        for day in sorted(set(sales_by) | set(costs_by))
    ]
    item_rows = [
        {"sku": row["item__sku"], "item": row["item__name"], **_gross(row)}
        for row in rows.values("item__sku", "item__name").annotate(**SUMS).order_by("-revenue", "item__sku")
    ]
    now, before = totals(period), totals(period.before())
    comparison = []
    for column in FIGURES:
        a, b = now[column.key], before[column.key]
        change = None if a is None or b is None else a - b
        comparison.append(
            {
                "figure": column.label,
                "kind": column.kind,
                "this_period": a,
                "previous_period": b,
                "change": change,
                "change_percent": None if change is None or column.kind == "percent" else percent(change, b),
            }
        )
    expense_rows = net_costs.expenses_compared(period, period.before())
    report = Report(
        name="profit-loss",
        title="Profit & loss",
        period=period,
        options={"group": group},
        tables=[
            Table(
                "summary",
                _against(period),
                [
                    Column("figure", "Figure"),
                    Column("this_period", "This period", "mixed"),
                    Column("previous_period", "Previous period", "mixed"),
                    Column("change", "Change", "mixed"),
                    Column("change_percent", "Change %", "percent"),
                ],
                comparison,
            ),
            Table(
                "by_period",
                f"By {group}",
                [Column("period", group.title()), *FIGURES],
                period_rows,
                totals={"period": "Total", **now},
            ),
            Table(
                "expenses",
                "Expenses by category",
                [
                    Column("category", "Category"),
                    Column("this_period", "This period", "money"),
                    Column("previous_period", "Previous period", "money"),
                    Column("change", "Change", "money"),
                ],
                expense_rows,
                totals={
                    "category": "Total",
                    "this_period": now["expenses"],
                    "previous_period": before["expenses"],
                    "change": now["expenses"] - before["expenses"],
                },
            ),
            Table(
                "by_item",
                "By item",
                [Column("sku", "SKU"), Column("item", "Item"), *GROSS],
                item_rows,
                totals={"sku": "Total", "item": "", **{c.key: now[c.key] for c in GROSS}},
            ),
        ],
    )
    labels = [r["period"] for r in period_rows]
    report.charts.append(
        line_chart(
            "Revenue, gross and net profit",
            labels,
            [
                ("Revenue", [r["revenue"] for r in period_rows]),
                ("Gross profit", [r["gross_profit"] for r in period_rows]),
                ("Net profit", [r["net_profit"] for r in period_rows]),
                ("COGS", [r["cogs"] for r in period_rows]),
            ],
        )
    )
    return report


def today_figures(day) -> dict[str, Decimal]:
    return totals(Period(day, day))
