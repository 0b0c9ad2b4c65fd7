"""Production: runs, inputs, good bottles, rejects by reason, yield and cost per good bottle.

Cost per good bottle = (inputs consumed at cost + conversion − scrap credit) ÷ good bottles; the
input part is split by the kind of item consumed (preform, cap, label, other).
"""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek, TruncYear

from documents.models import DocumentStatus
from inventory.models import Item, ItemKind
from production.models import ProductionRun, RejectReason, RunInput, RunReject
from reporting.charts import line_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money, percent, ratio

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "year": TruncYear}
INPUT_KINDS = [
    ("preform", "Preform", (ItemKind.PREFORM,)),
    ("cap", "Cap", (ItemKind.CAP,)),
    ("label", "Label", (ItemKind.LABEL,)),
    ("other", "Other inputs", None),
]


def _runs(period: Period):
    return ProductionRun.objects.filter(
        status=DocumentStatus.POSTED, date__gte=period.start, date__lte=period.end
    )


def _grouping(by: str, group: str, prefix: str = "") -> dict:
    """The expression to group runs (or their rejects and inputs, through ``prefix``) by: a bottle
    by its id (named afterwards), so no query joins the items."""
    if by == "machine":
        return {"key": _f(prefix, "machine")}
    if by == "shift":
        return {"key": _f(prefix, "shift")}
    if by == "period":
        return {"key": TRUNC[group](prefix + "date")}
    return {"key": _f(prefix, "product_id")}


def _f(prefix: str, name: str) -> F:
    return F(prefix + name)


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


def _collect(period: Period, by: str, group: str):
    """Runs, rejects and inputs summed per table group and per trend period, in one query each.

    Returns ({key: run sums}, {key: {reason: quantity}}, {key: {input kind: (quantity, value)}})
    for the table (grouped ``by``) and the same three for the trend (grouped by ``group``
    periods): each group of a query is (key, period), folded both ways here, so the year's rows
    are read once even when the table is not grouped by period.
    """
    runs = _runs(period)
    run_sums = {
        "runs": Count("id"),
        "good": Sum("good_quantity"),
        "input_value": Sum("input_value"),
        "conversion": Sum("conversion_cost"),
        "scrap": Sum("scrap_value"),
    }
    # Grouped by period, the key is the period: one expression (PostgreSQL binds the truncation's
    # kind as a parameter, so two equal expressions would not be seen as one GROUP BY term).
    by_period = by == "period"
    when = "key" if by_period else "when"
    period_of = {} if by_period else {"when": TRUNC[group]("date")}
    run_rows = (
        runs.annotate(**_grouping(by, group), **period_of).values("key", *period_of).annotate(**run_sums)
    )
    table_runs: dict = {}
    trend_runs: dict = {}
    for row in run_rows.order_by():
        for into, key in ((table_runs, row["key"]), (trend_runs, row[when])):
            bucket = into.setdefault(key, {})
            for name in run_sums:
                bucket[name] = (bucket.get(name) or 0) + (row[name] or 0)
    in_runs = {
        "run__status": DocumentStatus.POSTED,
        "run__date__gte": period.start,
        "run__date__lte": period.end,
    }
    grouped = {**_grouping(by, group, "run__"), **({} if by_period else {"when": TRUNC[group]("run__date")})}
    table_rejects: dict = {}
    trend_rejects: dict = {}
    for r in (
        RunReject.objects.filter(**in_runs)
        .annotate(**grouped)
        .values(*grouped, "reason")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        for into, key in ((table_rejects, r["key"]), (trend_rejects, r[when])):
            reasons = into.setdefault(key, {})
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + int(r["q"] or 0)
    kinds = dict(Item.objects.values_list("pk", "kind"))
    table_inputs: dict = {}
    for r in (
        RunInput.objects.filter(**in_runs)
        .annotate(**_grouping(by, group, "run__"))
        .values("key", "item_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by()
    ):
        bucket = table_inputs.setdefault(r["key"], {})
        kind = _input_kind(kinds.get(r["item_id"], ""))
        q, v = bucket.get(kind, (0, money(0)))
        bucket[kind] = (q + int(r["q"] or 0), v + money(r["v"]))
    return (table_runs, table_rejects, table_inputs), (trend_runs, trend_rejects)


def build(period: Period, by: str = "item", group: str = "month") -> Report:
    (run_rows, reject_by, input_by), (trend_runs, trend_rejects) = _collect(period, by, group)
    if by == "item":
        skus = dict(
            Item.objects.filter(pk__in=[k for k in run_rows if k is not None]).values_list("pk", "sku")
        )
        run_rows = {skus.get(k, k): v for k, v in run_rows.items()}
        reject_by = {skus.get(k, k): v for k, v in reject_by.items()}
        input_by = {skus.get(k, k): v for k, v in input_by.items()}
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
    return Report(
        name="production",
        title="Production",
        period=period,
        options={"by": by, "group": group},
        notes=["Cost per good bottle = (inputs at cost + conversion − scrap credit) ÷ good bottles."],
        tables=[Table("runs", f"Per {heading[by].lower()}", columns, rows, totals)],
        charts=[chart],
    )
