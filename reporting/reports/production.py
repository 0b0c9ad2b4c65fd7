"""Production: runs, inputs, good bottles, rejects by reason, yield and cost per good bottle.

Cost per good bottle = (inputs consumed at cost + conversion − scrap credit) ÷ good bottles; the
input part is split by the kind of item consumed (preform, cap, label, other).
"""

from __future__ import annotations

from django.db.models import Count, F, Sum, Value
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek, TruncYear

from documents.models import DocumentStatus
from inventory.models import ItemKind
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
    """The expression to group runs (or their rejects and inputs, through ``prefix``) by."""
    if by == "machine":
        return {"key": _f(prefix, "machine")}
    if by == "shift":
        return {"key": _f(prefix, "shift")}
    if by == "period":
        return {"key": TRUNC[group](prefix + "date")}
    return {"key": _f(prefix, "product__sku")}


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


def _collect(period: Period, by: str, group: str, keyed: bool = True):
    runs = _runs(period)
    run_sums = {
        "runs": Count("id"),
        "good": Sum("good_quantity"),
        "input_value": Sum("input_value"),
        "conversion": Sum("conversion_cost"),
        "scrap": Sum("scrap_value"),
    }
    rejects = RunReject.objects.filter(run__in=runs)
    inputs = RunInput.objects.filter(run__in=runs)
    if keyed:
        run_rows = {
            r["key"]: r for r in runs.annotate(**_grouping(by, group)).values("key").annotate(**run_sums)
        }
        reject_rows = rejects.annotate(**_grouping(by, group, "run__")).values("key", "reason")
        input_rows = inputs.annotate(**_grouping(by, group, "run__")).values("key", "item__kind")
    else:
        run_rows = {None: runs.aggregate(**run_sums)}
        reject_rows = rejects.annotate(**{"key": _none()}).values("key", "reason")
        input_rows = inputs.annotate(**{"key": _none()}).values("key", "item__kind")
    reject_by: dict = {}
    for r in reject_rows.annotate(q=Sum("quantity")):
        reject_by.setdefault(r["key"], {})[r["reason"]] = int(r["q"] or 0)
    input_by: dict = {}
    for r in input_rows.annotate(q=Sum("quantity"), v=Sum("value")):
        bucket = input_by.setdefault(r["key"], {})
        kind = _input_kind(r["item__kind"])
        q, v = bucket.get(kind, (0, money(0)))
        bucket[kind] = (q + int(r["q"] or 0), v + money(r["v"]))
    return run_rows, reject_by, input_by


def _none() -> Value:
    return Value("all")


def build(period: Period, by: str = "item", group: str = "month") -> Report:
    run_rows, reject_by, input_by = _collect(period, by, group)
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
    if by == "period":
        trend_runs, trend_rejects = run_rows, reject_by
    else:
        trend_runs, trend_rejects, _ = _collect(period, "period", group)
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
