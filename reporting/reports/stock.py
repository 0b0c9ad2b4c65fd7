"""Stock movement and stock valuation, from the daily sums of the ledger (``StockDay``).

Opening is Σ movements dated before the start; closing is opening + every movement in the range,
so closing = opening + in − out holds by construction, and for a range ending today (with nothing
dated later) closing equals the stock balance.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, Sum

from core import formats
from inventory.models import Item, MovementKind
from reporting.charts import bar_chart, line_chart
from reporting.models import StockDay
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, ratio

# (column key, label, kind, sign shown: out-flows are shown as positive amounts taken out)
FLOWS = [
    ("purchased", "Purchased", MovementKind.PURCHASE, 1),
    ("produced", "Produced", MovementKind.PRODUCTION_IN, 1),
    ("consumed", "Consumed by production", MovementKind.PRODUCTION_OUT, -1),
    ("sold", "Sold", MovementKind.SALE, -1),
    ("returned_in", "Returned by customers", MovementKind.SALES_RETURN, 1),
    ("returned_out", "Returned to suppliers", MovementKind.PURCHASE_RETURN, -1),
    ("adjusted", "Adjusted (counts, net)", MovementKind.ADJUSTMENT, 1),
    ("reversed", "Cancelled / reversed (net)", MovementKind.REVERSAL, 1),
    # Stock brought in on the go-live date at its stated cost (golive.services.enter_opening_stock).
    ("brought_in", "Opening stock entered", MovementKind.OPENING, 1),
]


def _sums(prefix: str, rows) -> dict:
    sums = {f"opening_{prefix}": Sum(prefix, filter=Q(date__lt=rows["start"]))}
    for key, _label, kind, _sign in FLOWS:
        sums[f"{key}_{prefix}"] = Sum(prefix, filter=Q(date__gte=rows["start"], kind=kind))
    sums[f"closing_{prefix}"] = Sum(prefix)
    return sums


def movement_rows(period: Period) -> tuple[list[dict], dict]:
    """Per item: opening, each flow, closing — quantity and value. One grouped query; the totals
    add up its per-item sums (a row per item), so the days are read once."""
    bounds = {"start": period.start}
    aggregates = {**_sums("quantity", bounds), **_sums("value", bounds)}
    base = StockDay.objects.filter(date__lte=period.end)
    grouped = base.values("item_id", "item__sku", "item__name", "item__unit").annotate(**aggregates)
    found = list(grouped.order_by("item__sku"))
    rows = [_shape(row) for row in found]
    totals = _shape({key: sum((row[key] or 0 for row in found), 0) for key in aggregates})
    totals.update(sku="Total", item="", unit="")
    return rows, totals


def _shape(row: dict) -> dict:
    shaped = {"sku": row.get("item__sku"), "item": row.get("item__name"), "unit": row.get("item__unit")}
    for what, convert in (("quantity", lambda v: int(v or 0)), ("value", money)):
        shaped[f"opening_{what}"] = convert(row[f"opening_{what}"])
        for key, _label, _kind, sign in FLOWS:
            shaped[f"{key}_{what}"] = convert(row[f"{key}_{what}"]) * sign
        shaped[f"closing_{what}"] = convert(row[f"closing_{what}"])
    return shaped


def _columns(what: str, kind: str) -> list[Column]:
    return [
        Column("sku", "SKU"),
        Column("item", "Item"),
        Column(f"opening_{what}", "Opening", kind),
        *[Column(f"{key}_{what}", label, kind) for key, label, _k, _s in FLOWS],
        Column(f"closing_{what}", "Closing", kind),
    ]


def _daily_values(period: Period, opening_value=None) -> tuple[list[str], list]:
    """Closing stock value at the end of each day of the range (at most a year of points);
    ``opening_value``: the value at the start of the period, when the caller has it."""
    start = max(period.start, period.end - timedelta(days=365))
    if start != period.start or opening_value is None:
        opening_value = StockDay.objects.filter(date__lt=start).aggregate(v=Sum("value"))["v"]
    opening = opening_value or 0
    changes = dict(
        StockDay.objects.filter(date__gte=start, date__lte=period.end)
        .values("date")
        .annotate(v=Sum("value"))
        .values_list("date", "v")
    )
    labels, values, running = [], [], money(opening)
    day = start
    while day <= period.end:
        running += money(changes.get(day, 0))
        labels.append(day.isoformat())
        values.append(running)
        day += timedelta(days=1)
    return labels, values


def build_movement(period: Period) -> Report:
    rows, totals = movement_rows(period)
    labels, values = _daily_values(period, totals["opening_value"])
    return Report(
        name="stock-movement",
        title="Stock movement",
        period=period,
        notes=[
            "Closing = opening + purchased + produced − consumed − sold + adjusted + reversed"
            " + opening stock entered."
        ],
        tables=[
            Table("quantities", "Quantities", _columns("quantity", "int"), rows, totals),
            Table("values", "Values at cost", _columns("value", "money"), rows, totals),
        ],
        charts=[
            line_chart("Stock value at the end of each day", labels, [("Stock value", values)]),
            bar_chart(
                "Closing quantity per item",
                [r["sku"] for r in rows],
                [r["closing_quantity"] for r in rows],
            ),
        ],
    )


def valuation_rows(at: date) -> tuple[list[dict], dict]:
    sums = {"quantity": Sum("quantity"), "value": Sum("value")}
    held = StockDay.objects.filter(date__lte=at)
    rows = []
    for row in (
        held.values("item_id", "item__sku", "item__name", "item__kind").annotate(**sums).order_by("item__sku")
    ):
        quantity, value = int(row["quantity"] or 0), money(row["value"])
        rows.append(
            {
                "sku": row["item__sku"],
                "item": row["item__name"],
                "kind": Item(kind=row["item__kind"]).get_kind_display(),
                "quantity": quantity,
                "average_cost": ratio(value, quantity),
                "value": value,
            }
        )
    total = held.aggregate(**sums)
    totals = {
        "sku": "Total",
        "item": "",
        "kind": "",
        "quantity": int(total["quantity"] or 0),
        "average_cost": None,
        "value": money(total["value"]),
    }
    return rows, totals


def build_valuation(period: Period) -> Report:
    at = period.end
    rows, totals = valuation_rows(at)
    return Report(
        name="stock-valuation",
        title=f"Stock valuation at {formats.day(at)}",
        period=period,
        notes=["Quantity and value are the sums of every movement dated on or before the date."],
        tables=[
            Table(
                "valuation",
                f"Stock at the end of {formats.day(at)}",
                [
                    Column("sku", "SKU"),
                    Column("item", "Item"),
                    Column("kind", "Kind"),
                    Column("quantity", "Quantity", "int"),
                    Column("average_cost", "Average cost", "unit"),
                    Column("value", "Value", "money"),
                ],
                rows,
                totals,
            )
        ],
        charts=[bar_chart("Stock value per item", [r["sku"] for r in rows], [r["value"] for r in rows])],
    )
