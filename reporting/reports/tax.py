"""Tax reports in the shapes of the GST returns, summed from posted bills and purchases.

- outward supplies (GSTR-1): by HSN and rate, B2B by the customer's GSTIN, B2C by place of supply
  and rate;
- inward supplies: input tax by supplier GSTIN and by rate;
- tax payable (GSTR-3B): output tax − input tax per head (CGST, SGST, IGST; one tax under VAT).

Every table sums the lines of posted documents dated in the period (a cancelled one is left out);
its totals equal the sums of the documents' own tax figures (``documents`` table), so each report
reconciles to the bills and purchases it sums.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from documents.models import DocumentStatus
from purchasing.models import Purchase, PurchaseLine
from reporting.charts import bar_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money
from sales.models import Sale, SaleLine
from tax.states import state_name

TAX_SUMS = {
    "taxable": Sum("taxable_value"),
    "cgst": Sum("cgst_amount"),
    "sgst": Sum("sgst_amount"),
    "igst": Sum("igst_amount"),
    "tax": Sum("tax_amount"),
}
TAX_COLUMNS = [
    Column("taxable", "Taxable value", "money"),
    Column("cgst", "CGST", "money"),
    Column("sgst", "SGST", "money"),
    Column("igst", "IGST", "money"),
    Column("tax", "Total tax", "money"),
]
HEADER_SUMS = {
    "documents": Count("id"),
    "taxable": Sum("taxable_total"),
    "tax": Sum("tax_total"),
    "round_off": Sum("round_off"),
    "value": Sum("total"),
}


def _posted(model, period: Period):
    return model.objects.filter(status=DocumentStatus.POSTED, date__gte=period.start, date__lte=period.end)


def sale_lines(period: Period):
    return SaleLine.objects.filter(
        sale__status=DocumentStatus.POSTED, sale__date__gte=period.start, sale__date__lte=period.end
    )


def purchase_lines(period: Period):
    return PurchaseLine.objects.filter(
        purchase__status=DocumentStatus.POSTED,
        purchase__date__gte=period.start,
        purchase__date__lte=period.end,
    )


def _money_row(row: dict, keys=("taxable", "cgst", "sgst", "igst", "tax")) -> dict:
    return {**row, **{key: money(row.get(key)) for key in keys if key in row}}


def _totals(queryset, label_key: str, label: str = "Total", **extra) -> dict:
    return {label_key: label, **_money_row(queryset.aggregate(**TAX_SUMS, **extra))}


def _documents_table(model, period: Period, what: str) -> Table:
    """The documents' own figures, which every other table's totals reconcile to."""
    row = _posted(model, period).aggregate(**HEADER_SUMS)
    return Table(
        "documents",
        f"Posted {what} (the figures on the documents themselves)",
        [
            Column("documents", what.title(), "int"),
            Column("taxable", "Taxable value", "money"),
            Column("tax", "Total tax", "money"),
            Column("round_off", "Round-off", "money"),
            Column("value", "Grand total", "money"),
        ],
        [
            {
                "documents": row["documents"] or 0,
                **{k: money(row[k]) for k in ("taxable", "tax", "round_off", "value")},
            }
        ],
    )


def _state(code: str) -> str:
    return f"{code} {state_name(code)}".strip()


def _invoice_values(queryset, key: str) -> dict:
    """Σ grand totals per ``key``, from the headers (a bill's value is counted once, not per line)."""
    return {row[key]: money(row["value"]) for row in queryset.values(key).annotate(value=Sum("total"))}


def build_outward(period: Period) -> Report:
    lines = sale_lines(period)
    by_hsn = [
        _money_row({**row, "quantity": int(row["quantity"] or 0)})
        for row in lines.values("hsn_code", "tax_rate")
        .annotate(quantity=Sum("quantity"), **TAX_SUMS)
        .order_by("hsn_code", "tax_rate")
    ]
    b2b_lines = lines.exclude(sale__party_gstin="")
    posted_b2b = _posted(Sale, period).exclude(party_gstin="")
    b2b_values = _invoice_values(posted_b2b, "party_gstin")
    # One name and place of supply per GSTIN: the customer's name, the bills' state.
    names = dict(posted_b2b.values_list("party_gstin", "customer__name"))
    states = dict(posted_b2b.values_list("party_gstin", "place_of_supply"))
    b2b = [
        _money_row(
            {
                "gstin": row["sale__party_gstin"],
                "customer": names.get(row["sale__party_gstin"], ""),
                "place_of_supply": states.get(row["sale__party_gstin"], ""),
                "invoices": row["invoices"],
                "value": b2b_values.get(row["sale__party_gstin"], money(0)),
                **{k: row[k] for k in TAX_SUMS},
            }
        )
        for row in b2b_lines.values("sale__party_gstin")
        .annotate(invoices=Count("sale", distinct=True), **TAX_SUMS)
        .order_by("sale__party_gstin")
    ]
    b2c_lines = lines.filter(sale__party_gstin="")
    b2c = [
        _money_row(
            {
                "place_of_supply": _state(row["sale__place_of_supply"]),
                "supply": "inter-state" if row["sale__is_inter_state"] else "intra-state",
                "rate": row["tax_rate"],
                **{k: row[k] for k in TAX_SUMS},
            }
        )
        for row in b2c_lines.values("sale__place_of_supply", "sale__is_inter_state", "tax_rate")
        .annotate(**TAX_SUMS)
        .order_by("sale__place_of_supply", "tax_rate")
    ]
    b2b_total = _totals(b2b_lines, "gstin", invoices=Count("sale", distinct=True))
    b2b_total["value"] = money(sum(b2b_values.values(), money(0)))
    by_rate = [_money_row(r) for r in lines.values("tax_rate").annotate(**TAX_SUMS).order_by("tax_rate")]
    report = Report(
        name="outward-supplies",
        title="Outward supplies (GSTR-1)",
        period=period,
        tables=[
            Table(
                "by_hsn",
                "By HSN code and rate",
                [
                    Column("hsn_code", "HSN"),
                    Column("tax_rate", "Rate %", "money"),
                    Column("quantity", "Quantity", "int"),
                    *TAX_COLUMNS,
                ],
                by_hsn,
                totals={**_totals(lines, "hsn_code", quantity=Sum("quantity")), "tax_rate": None},
            ),
            Table(
                "b2b",
                "B2B: to registered customers, by GSTIN",
                [
                    Column("gstin", "GSTIN"),
                    Column("customer", "Customer"),
                    Column("place_of_supply", "Place of supply"),
                    Column("invoices", "Invoices", "int"),
                    *TAX_COLUMNS,
                    Column("value", "Invoice value", "money"),
                ],
                b2b,
                totals={**b2b_total, "customer": "", "place_of_supply": ""},
            ),
            Table(
                "b2c",
                "B2C: to unregistered customers, by place of supply and rate",
                [
                    Column("place_of_supply", "Place of supply"),
                    Column("supply", "Supply"),
                    Column("rate", "Rate %", "money"),
                    *TAX_COLUMNS,
                ],
                b2c,
                totals={**_totals(b2c_lines, "place_of_supply"), "supply": "", "rate": None},
            ),
            _documents_table(Sale, period, "bills"),
        ],
        notes=[
            "Posted bills dated in the period; cancelled bills are left out. The invoice value includes "
            "the round-off to the rupee, which is not tax."
        ],
    )
    report.charts.append(
        bar_chart("Output tax by rate", [f"{r['tax_rate']}%" for r in by_rate], [r["tax"] for r in by_rate])
    )
    return report


def build_inward(period: Period) -> Report:
    lines = purchase_lines(period)
    values = _invoice_values(_posted(Purchase, period), "party_gstin")
    names = dict(_posted(Purchase, period).values_list("party_gstin", "supplier__name"))
    by_supplier = [
        _money_row(
            {
                "gstin": row["purchase__party_gstin"] or "(unregistered)",
                "supplier": names.get(row["purchase__party_gstin"], ""),
                "purchases": row["purchases"],
                "value": values.get(row["purchase__party_gstin"], money(0)),
                **{k: row[k] for k in TAX_SUMS},
            }
        )
        for row in lines.values("purchase__party_gstin")
        .annotate(purchases=Count("purchase", distinct=True), **TAX_SUMS)
        .order_by("purchase__party_gstin")
    ]
    by_rate = [_money_row(row) for row in lines.values("tax_rate").annotate(**TAX_SUMS).order_by("tax_rate")]
    supplier_total = _totals(lines, "gstin", purchases=Count("purchase", distinct=True))
    supplier_total["value"] = money(sum(values.values(), money(0)))
    report = Report(
        name="inward-supplies",
        title="Inward supplies and input tax",
        period=period,
        tables=[
            Table(
                "by_supplier",
                "By supplier GSTIN",
                [
                    Column("gstin", "GSTIN"),
                    Column("supplier", "Supplier"),
                    Column("purchases", "Purchases", "int"),
                    *TAX_COLUMNS,
                    Column("value", "Bill value", "money"),
                ],
                by_supplier,
                totals={**supplier_total, "supplier": ""},
            ),
            Table(
                "by_rate",
                "By rate",
                [Column("tax_rate", "Rate %", "money"), *TAX_COLUMNS],
                by_rate,
                totals={**_totals(lines, "tax_rate"), "tax_rate": "Total"},
            ),
            _documents_table(Purchase, period, "purchases"),
        ],
        notes=[
            "Posted purchases dated in the period. Input tax is recoverable: it is not part of stock value."
        ],
    )
    report.charts.append(
        bar_chart("Input tax by rate", [f"{r['tax_rate']}%" for r in by_rate], [r["tax"] for r in by_rate])
    )
    return report


def payable(period: Period) -> dict:
    """{"output": {...}, "input": {...}}: the period's tax per head on bills and on purchases."""
    output = {k: money(v) for k, v in sale_lines(period).aggregate(**TAX_SUMS).items()}
    input_ = {k: money(v) for k, v in purchase_lines(period).aggregate(**TAX_SUMS).items()}
    return {"output": output, "input": input_}


def build_payable(period: Period) -> Report:
    figures = payable(period)
    output, input_ = figures["output"], figures["input"]
    heads = [("cgst", "CGST"), ("sgst", "SGST"), ("igst", "IGST"), ("tax", "Total tax")]
    rows = [
        {
            "head": label,
            "output": output[key],
            "input": input_[key],
            "payable": output[key] - input_[key],
        }
        for key, label in heads
    ]
    report = Report(
        name="tax-payable",
        title="Tax payable (GSTR-3B)",
        period=period,
        tables=[
            Table(
                "supplies",
                "Taxable value",
                [
                    Column("what", "Supplies"),
                    Column("taxable", "Taxable value", "money"),
                    Column("tax", "Tax", "money"),
                ],
                [
                    {"what": "Outward (bills)", "taxable": output["taxable"], "tax": output["tax"]},
                    {"what": "Inward (purchases)", "taxable": input_["taxable"], "tax": input_["tax"]},
                ],
            ),
            Table(
                "payable",
                "Output tax − input tax",
                [
                    Column("head", "Tax"),
                    Column("output", "Output tax", "money"),
                    Column("input", "Input tax credit", "money"),
                    Column("payable", "Payable", "money"),
                ],
                rows,
            ),
        ],
        notes=[
            "A negative payable is input tax credit carried forward. Credit is shown per head; setting "
            "IGST credit against CGST and SGST is left to the return itself."
        ],
    )
    report.charts.append(
        bar_chart("Tax payable by head", [r["head"] for r in rows], [r["payable"] for r in rows])
    )
    return report
