"""Production: runs, inputs, good bottles, rejects by reason, yield and cost per good bottle.

Cost per good bottle = (inputs consumed at cost + conversion − scrap credit) ÷ good bottles; the
input part is split by the kind of item consumed (preform, cap, label, other).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek, TruncYear

from documents.models import DocumentStatus
from inventory.models import ItemKind
from production.models import ProductionRun, RejectReason, RunInput, RunReject
from reporting import net_costs
from reporting.charts import line_chart
from reporting.models import ProductionInputMonth, ProductionMonth, ProductionRejectMonth
from reporting.periods import Period
from reporting.reports.customers import split_months
from reporting.tables import Column, Report, Table, money, percent, ratio

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "year": TruncYear}
INPUT_KINDS = [
    ("preform", "Preform", (ItemKind.PREFORM,)),
    ("cap", "Cap", (ItemKind.CAP,)),
    ("label", "Label", (ItemKind.LABEL,)),
    ("other", "Other inputs", None),
]


def _group_expression(by: str, group: str, date_field: str, product_field: str, prefix: str):
    """The expression to group runs (or their rejects and inputs, through ``prefix``; or the
    monthly summaries) by: a bottle by its SKU, joined in the same query."""
    if by == "machine":
        return F(prefix + "machine")
    if by == "shift":
        return F(prefix + "shift")
    if by == "period":
        return TRUNC[group](date_field)
    return F(product_field)


def _label(value, by: str, group: str) -> str:
    if by == "shift":
        return dict(SHIFTS).get(value, value)
    if by == "period" and value is not None:
        if group == "year":
            return str(value.year)
        if group == "month":
            return value.strftime("%Y-%m")
        if group == "week":
            return f"{value.isocalendar()[0]}-W{value.isocalendar()[1]:02d}"
        return value.isoformat()[:10]
    return str(value)


SHIFTS = ProductionRun._meta.get_field("shift").choices


def _figures(run: dict, rejects: dict, inputs: dict) -> dict:
    good = int(run.get("good") or 0)
    rejected = sum(rejects.values())
    input_value = money(run.get("input_value"))
    conversion, scrap = money(run.get("conversion")), money(run.get("scrap"))
    row = {
        "runs": run.get("runs") or 0,
        "preforms": int(inputs.get("preform", (0, 0))[0]),
        "good": good,
        "rejects": rejected,
        **{f"reject_{reason}": rejects.get(reason, 0) for reason in RejectReason.values},
        "yield": percent(good, good + rejected),
    }
    for key, _label_text, _kinds in INPUT_KINDS:
        row[f"{key}_per_bottle"] = ratio(inputs.get(key, (0, 0))[1], good)
    row["conversion_per_bottle"] = ratio(conversion, good)
    row["scrap_per_bottle"] = ratio(scrap, good)
    row["cost_per_bottle"] = ratio(input_value + conversion - scrap, good)
    row["total_cost"] = input_value + conversion - scrap
    return row


def _input_kind(kind: str) -> str:
    for key, _label_text, kinds in INPUT_KINDS:
        if kinds and kind in kinds:
            return key
    return "other"


RUN_SUMS = ("runs", "good", "input_value", "conversion", "scrap")


def _run_sources(period: Period, group: str) -> tuple[list[tuple[date, date]], tuple | None]:
    """The days to read from the runs themselves and the whole months to read from the monthly
    summary (``reporting.models.ProductionMonth``). A trend by day or week cannot come from
    months, so then every day is read from the runs."""
    if group in ("day", "week"):
        return [(period.start, period.end)], None
    days, months = split_months(period.start, period.end)
    return [(low, high) for low, high in days if low <= high], months


def _union(parts: list):
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _collect(period: Period, by: str, group: str):
    """Runs, rejects and inputs summed per table group and per trend period, in one query each.

    Returns ({key: run sums}, {key: {reason: quantity}}, {key: {input kind: (quantity, value)}})
    for the table (grouped ``by``) and the same three for the trend (grouped by ``group``
    periods): each group of a query is (key, period), folded both ways here. Whole months come
    from the monthly summaries (a few hundred rows for a year) and only the days of the partial
    months at either end from the runs, each query's parts in one round trip.
    """
    days, months = _run_sources(period, group)
    # Grouped by period, the key is the period: one expression (PostgreSQL binds the truncation's
    # kind as a parameter, so two equal expressions would not be seen as one GROUP BY term).
    by_period = by == "period"
    when = "key" if by_period else "when"

    def keyed(queryset, prefix: str, date_field: str, product: str):
        grouping = {"key": _group_expression(by, group, prefix + date_field, prefix + product, prefix)}
        if not by_period:
            grouping["when"] = TRUNC[group](prefix + date_field)
        return queryset.annotate(**grouping).values(*grouping)

    raw_run_sums = {
        "runs": Count("id"),
        "good": Sum("good_quantity"),
        "input_value": Sum("input_value"),
        "conversion": Sum("conversion_cost"),
        "scrap": Sum("scrap_value"),
    }
    run_parts, reject_parts, input_parts = [], [], []
    for low, high in days:
        runs = ProductionRun.objects.filter(status=DocumentStatus.POSTED, date__gte=low, date__lte=high)
        run_parts.append(keyed(runs, "", "date", "product__sku").annotate(**raw_run_sums).order_by())
        in_runs = {"run__status": DocumentStatus.POSTED, "run__date__gte": low, "run__date__lte": high}
        reject_parts.append(
            keyed(RunReject.objects.filter(**in_runs), "run__", "date", "product__sku")
            .values(*(["key"] if by_period else ["key", "when"]), "reason")
            .annotate(q=Sum("quantity"))
            .order_by()
        )
        input_parts.append(
            RunInput.objects.filter(**in_runs)
            .annotate(key=_group_expression(by, group, "run__date", "run__product__sku", "run__"))
            .values("key", "item__kind")
            .annotate(q=Sum("quantity"), v=Sum("value"))
            .order_by()
        )
    if months is not None:
        in_months = {"month__gte": months[0], **({} if months[1] is None else {"month__lte": months[1]})}
        run_parts.append(
            keyed(ProductionMonth.objects.filter(**in_months), "", "month", "product__sku")
            .annotate(**{name: Sum(name) for name in RUN_SUMS})
            .order_by()
        )
        reject_parts.append(
            keyed(ProductionRejectMonth.objects.filter(**in_months), "", "month", "product__sku")
            .values(*(["key"] if by_period else ["key", "when"]), "reason")
            .annotate(q=Sum("quantity"))
            .order_by()
        )
        input_parts.append(
            ProductionInputMonth.objects.filter(**in_months)
            .annotate(key=_group_expression(by, group, "month", "product__sku", ""))
            .values("key", "item__kind")
            .annotate(q=Sum("quantity"), v=Sum("value"))
            .order_by()
        )
    table_runs: dict = {}
    trend_runs: dict = {}
    for row in _union(run_parts):
        for into, key in ((table_runs, row["key"]), (trend_runs, row[when])):
            bucket = into.setdefault(key, {})
            for name in RUN_SUMS:
                bucket[name] = (bucket.get(name) or 0) + (row[name] or 0)
    table_rejects: dict = {}
    trend_rejects: dict = {}
    for r in _union(reject_parts):
        for into, key in ((table_rejects, r["key"]), (trend_rejects, r[when])):
            reasons = into.setdefault(key, {})
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + int(r["q"] or 0)
    table_inputs: dict = {}
    for r in _union(input_parts):
        bucket = table_inputs.setdefault(r["key"], {})
        kind = _input_kind(r["item__kind"])
        q, v = bucket.get(kind, (0, money(0)))
        bucket[kind] = (q + int(r["q"] or 0), v + money(r["v"]))
    return (table_runs, table_rejects, table_inputs), (trend_runs, trend_rejects)


def build(period: Period, by: str = "item", group: str = "month") -> Report:
    (run_rows, reject_by, input_by), (trend_runs, trend_rejects) = _collect(period, by, group)
    rows = [
        {"group": _label(key, by, group), **_figures(run, reject_by.get(key, {}), input_by.get(key, {}))}
        for key, run in sorted(run_rows.items(), key=lambda kv: (kv[0] is None, kv[0]))
    ]
    # Totals add up the per-group sums the database returned (a handful of rows), so the year's
    # runs, rejects and inputs are read once.
    total_run: dict = {}
    for run in run_rows.values():
        for key, value in run.items():
            if key != "key":
                total_run[key] = total_run.get(key, 0) + (value or 0)
    total_rejects: dict = {}
    for reasons in reject_by.values():
        for reason, quantity in reasons.items():
            total_rejects[reason] = total_rejects.get(reason, 0) + quantity
    total_inputs: dict = {}
    for kinds in input_by.values():
        for kind, (quantity, value) in kinds.items():
            q, v = total_inputs.get(kind, (0, money(0)))
            total_inputs[kind] = (q + quantity, v + value)
    totals = {"group": "Total", **_figures(total_run, total_rejects, total_inputs)}
    heading = dict(
        [("item", "Bottle"), ("machine", "Machine"), ("shift", "Shift"), ("period", group.title())]
    )
    columns = [
        Column("group", heading[by]),
        Column("runs", "Runs", "int"),
        Column("preforms", "Preforms used", "int"),
        Column("good", "Good bottles", "int"),
        Column("rejects", "Rejects", "int"),
        *[Column(f"reject_{value}", f"Rejects: {label}", "int") for value, label in RejectReason.choices],
        Column("yield", "Yield %", "percent"),
        *[Column(f"{key}_per_bottle", f"{label} / bottle", "unit") for key, label, _k in INPUT_KINDS],
        Column("conversion_per_bottle", "Conversion / bottle", "unit"),
        Column("scrap_per_bottle", "Scrap credit / bottle", "unit"),
        Column("cost_per_bottle", "Cost / good bottle", "unit"),
        Column("total_cost", "Cost of good bottles", "money"),
    ]
    # The trend chart is always over time, whatever the table is grouped by.
    keys = sorted(k for k in trend_runs if k is not None)
    reject_rate = []
    for key in keys:
        good = int(trend_runs[key]["good"] or 0)
        rejected = sum(trend_rejects.get(key, {}).values())
        reject_rate.append(percent(rejected, good + rejected))
    chart = line_chart(
        "Reject rate %",
        [_label(k, "period", group) for k in keys],
        [("Reject rate %", reject_rate)],
        unit="%",
    )
    power = net_costs.power_cost(period.start, period.end)
    power_row = {
        "power": power,
        "good": totals["good"],
        "per_thousand": ratio(power * 1000, totals["good"], places=Decimal("0.01")),
    }
    return Report(
        name="production",
        title="Production",
        period=period,
        options={"by": by, "group": group},
        notes=[
            "Cost per good bottle = (inputs at cost + conversion − scrap credit) ÷ good bottles.",
            "Power per 1,000 bottles = the period's power expenses (before tax) × 1,000 ÷ good bottles made.",
        ],
        tables=[
            Table("runs", f"Per {heading[by].lower()}", columns, rows, totals),
            Table(
                "power",
                "Power per 1,000 bottles",
                [
                    Column("power", "Power expenses", "money"),
                    Column("good", "Good bottles", "int"),
                    Column("per_thousand", "Power / 1,000 bottles", "money"),
                ],
                [power_row],
            ),
        ],
        charts=[chart],
    )
