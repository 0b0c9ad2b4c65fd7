"""Profit & loss: revenue, discounts, COGS, gross profit and margin, from the sales summary.

Revenue is Σ posted (not cancelled) bill line amounts, after discount; COGS is Σ those lines' cost
as fixed at posting. ``SalesItemDay`` holds exactly these sums per item and day.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncWeek, TruncYear

from core import formats
from reporting.charts import line_chart
from reporting.models import SalesItemDay
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent

TRUNC = {"week": TruncWeek, "month": TruncMonth, "year": TruncYear}
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
]


def _figures(row: dict | None) -> dict:
    row = row or {}
    revenue, discount, cogs = money(row.get("revenue")), money(row.get("discount")), money(row.get("cogs"))
    return {
        "quantity": int(row.get("quantity") or 0),
        "gross_sales": revenue + discount,
        "discount": discount,
        "revenue": revenue,
        "cogs": cogs,
        "gross_profit": revenue - cogs,
        "margin": percent(revenue - cogs, revenue),
    }


def _in(period: Period):
    return SalesItemDay.objects.filter(date__gte=period.start, date__lte=period.end)


def totals(period: Period) -> dict:
    return _figures(_in(period).aggregate(**SUMS))


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
    period_rows = [
        {"period": _period_label(row[key], group), "starts": row[key], **_figures(row)}
        for row in by_period.annotate(**SUMS).order_by(key)
    ]
    item_rows = [
        {"sku": row["item__sku"], "item": row["item__name"], **_figures(row)}
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
                "by_item",
                "By item",
                [Column("sku", "SKU"), Column("item", "Item"), *FIGURES],
                item_rows,
                totals={"sku": "Total", "item": "", **now},
            ),
        ],
    )
    labels = [r["period"] for r in period_rows]
    report.charts.append(
        line_chart(
            "Revenue and gross profit",
            labels,
            [
                ("Revenue", [r["revenue"] for r in period_rows]),
                ("Gross profit", [r["gross_profit"] for r in period_rows]),
                ("COGS", [r["cogs"] for r in period_rows]),
            ],
        )
    )
    return report


def today_figures(day) -> dict[str, Decimal]:
    return totals(Period(day, day))
