"""Supplier costs: what was bought from whom, at what average price, and how the price moved."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncMonth

from documents.models import DocumentStatus
from purchasing.models import PurchaseLine
from reporting.charts import line_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent, ratio


def _lines(period: Period):
    return PurchaseLine.objects.filter(
        purchase__status=DocumentStatus.POSTED,
        purchase__date__gte=period.start,
        purchase__date__lte=period.end,
    )


def build(period: Period) -> Report:
    lines = _lines(period)
    sums = {"quantity": Sum("quantity"), "spend": Sum("taxable_value")}  # input tax is not a cost
    per_supplier = [
        {
            "supplier": row["purchase__supplier__name"],
            "purchases": row["purchases"],
            "quantity": int(row["quantity"] or 0),
            "spend": money(row["spend"]),
        }
        for row in lines.values("purchase__supplier_id", "purchase__supplier__name")
        .annotate(purchases=Count("purchase", distinct=True), **sums)
        .order_by("-spend", "purchase__supplier__name")
    ]
    # Each purchase has one supplier, so the suppliers' counts and sums add up to the totals.
    supplier_totals = {
        "supplier": "Total",
        "purchases": sum(row["purchases"] for row in per_supplier),
        "quantity": sum(row["quantity"] for row in per_supplier),
        "spend": sum((row["spend"] for row in per_supplier), money(0)),
    }

    # Average price per supplier and item in each month: the first and last month show the move.
    # The same rows, summed over the suppliers, draw the chart below.
    monthly: dict[tuple, list] = {}
    item_month_sums: dict[int, dict] = {}
    months: list = []
    for row in (
        lines.annotate(month=TruncMonth("purchase__date"))
        .values("purchase__supplier_id", "item_id", "month")
        .annotate(**sums)
        .order_by("month")
    ):
        key = (row["purchase__supplier_id"], row["item_id"])
        monthly.setdefault(key, []).append(ratio(row["spend"], row["quantity"]))
        if row["month"] not in months:
            months.append(row["month"])
        spend, quantity = item_month_sums.setdefault(row["item_id"], {}).get(row["month"], (0, 0))
        item_month_sums[row["item_id"]][row["month"]] = (
            spend + (row["spend"] or 0),
            quantity + (row["quantity"] or 0),
        )
    skus: dict[int, str] = {}
    per_item = []
    for row in (
        lines.values(
            "purchase__supplier_id", "purchase__supplier__name", "item_id", "item__sku", "item__name"
        )
        .annotate(low=Min("unit_price"), high=Max("unit_price"), **sums)
        .order_by("purchase__supplier__name", "item__sku")
    ):
        skus[row["item_id"]] = row["item__sku"]
        prices = monthly.get((row["purchase__supplier_id"], row["item_id"]), [None])
        first, last = prices[0], prices[-1]
        per_item.append(
            {
                "supplier": row["purchase__supplier__name"],
                "sku": row["item__sku"],
                "item": row["item__name"],
                "quantity": int(row["quantity"] or 0),
                "spend": money(row["spend"]),
                "average_price": ratio(row["spend"], row["quantity"]),
                "lowest_price": row["low"],
                "highest_price": row["high"],
                "first_month_price": first,
                "last_month_price": last,
                "price_change": percent(last - first, first)
                if first is not None and last is not None
                else None,
            }
        )

    # The chart: each item's average purchase price per month, all suppliers together.
    item_months = {
        skus[item_id]: {month: ratio(spend, quantity) for month, (spend, quantity) in by_month.items()}
        for item_id, by_month in item_month_sums.items()
    }
    chart = line_chart(
        "Average purchase price per month",
        [m.strftime("%Y-%m") for m in months],
        [(sku, [prices.get(m) for m in months]) for sku, prices in sorted(item_months.items())][:8],
    )
    return Report(
        name="supplier-costs",
        title="Supplier costs",
        period=period,
        notes=["Price change compares the average price of the first and the last month bought."],
        tables=[
            Table(
                "suppliers",
                "Per supplier",
                [
                    Column("supplier", "Supplier"),
                    Column("purchases", "Purchases", "int"),
                    Column("quantity", "Quantity", "int"),
                    Column("spend", "Spend", "money"),
                ],
                per_supplier,
                supplier_totals,
            ),
            Table(
                "prices",
                "Per supplier and item",
                [
                    Column("supplier", "Supplier"),
                    Column("sku", "SKU"),
                    Column("item", "Item"),
                    Column("quantity", "Quantity", "int"),
                    Column("spend", "Spend", "money"),
                    Column("average_price", "Average price", "unit"),
                    Column("lowest_price", "Lowest", "unit"),
                    Column("highest_price", "Highest", "unit"),
                    Column("first_month_price", "First month", "unit"),
                    Column("last_month_price", "Last month", "unit"),
                    Column("price_change", "Change %", "percent"),
                ],
                per_item,
            ),
        ],
        charts=[chart],
    )
