"""Tax reports in the shapes of the GST returns, summed from posted bills and purchases.

- outward supplies (GSTR-1): by HSN and rate, B2B by the customer's GSTIN, B2C by place of supply
  and rate;
- inward supplies: input tax by supplier GSTIN and by rate;
- credit and debit notes: the tax each note reverses, dated by the note (CDNR for registered
  customers, CDNUR for the others), so output tax is net of credit notes and input tax of debit
  notes; the HSN summary is net of returns;
- tax payable (GSTR-3B): output tax − input tax per head (CGST, SGST, IGST; one tax under VAT).

Every table sums the lines of posted documents dated in the period (a cancelled one is left out);
its totals equal the sums of the documents' own tax figures (``documents`` tables), so each report
reconciles to the bills, purchases and notes it sums: net = invoices − notes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum

from company import taxation
from company.models import SellerProfile
from documents.models import DocumentStatus
from expenses.models import Expense
from purchasing.models import Purchase, PurchaseLine
from reporting.charts import bar_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money
from returns.models import PurchaseReturn, PurchaseReturnLine, SalesReturn, SalesReturnLine
from sales.models import Sale, SaleLine
from tax import compute
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


def credit_note_lines(period: Period):
    """Lines of posted credit notes dated in the period: output tax reversed then."""
    return SalesReturnLine.objects.filter(
        sales_return__status=DocumentStatus.POSTED,
        sales_return__date__gte=period.start,
        sales_return__date__lte=period.end,
    )


def debit_note_lines(period: Period):
    """Lines of posted debit notes dated in the period: input tax reversed then."""
    return PurchaseReturnLine.objects.filter(
        purchase_return__status=DocumentStatus.POSTED,
        purchase_return__date__gte=period.start,
        purchase_return__date__lte=period.end,
    )


HEADS = ("taxable", "cgst", "sgst", "igst", "tax")
ZERO = Decimal("0.00")


def _less(gross: dict, reversed_: dict) -> dict:
    return {key: money(gross.get(key)) - money(reversed_.get(key)) for key in HEADS}


def _net_by(
    gross_rows, note_rows, key: tuple[str, ...], note_key: tuple[str, ...], extra=("quantity",)
) -> list:
    """Invoice rows less note rows grouped alike (a handful of groups: combined here, summed in SQL)."""
    net: dict[tuple, dict] = {}
    for row in gross_rows:
        net[tuple(row[k] for k in key)] = {
            **{k: row[k] for k in key},
            **{h: row[h] or 0 for h in (*extra, *HEADS)},
        }
    for row in note_rows:
        group = tuple(row[k] for k in note_key)
        into = net.setdefault(
            group, {**dict(zip(key, group, strict=True)), **{h: 0 for h in (*extra, *HEADS)}}
        )
        for h in (*extra, *HEADS):
            into[h] -= row[h] or 0
    return [net[group] for group in sorted(net)]


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


def _notes_table(model, period: Period, what: str) -> Table:
    """The notes' own figures: their lines' tax tables reconcile to these."""
    row = _posted(model, period).aggregate(
        documents=Count("id"), taxable=Sum("taxable_total"), tax=Sum("tax_total"), value=Sum("total")
    )
    return Table(
        f"{what.replace(' ', '_')}",
        f"Posted {what} (the figures on the notes themselves)",
        [
            Column("documents", what.capitalize(), "int"),
            Column("taxable", "Taxable value", "money"),
            Column("tax", "Total tax", "money"),
            Column("value", "Note value", "money"),
        ],
        [{"documents": row["documents"] or 0, **{k: money(row[k]) for k in ("taxable", "tax", "value")}}],
    )


NOTE_COLUMNS = [
    Column("number", "Note"),
    Column("date", "Date", "date"),
    Column("invoice", "Against"),
    Column("invoice_date", "Of", "date"),
]


def _note_rows(lines, *, header: str, against: str, party: str) -> list[dict]:
    """One row per note: its number and date, the invoice it is against, its tax per head."""
    fields = {
        "number": f"{header}__number",
        "date": f"{header}__date",
        "invoice": f"{header}__{against}__number",
        "invoice_date": f"{header}__{against}__date",
        "party": f"{header}__{party}__name",
        "gstin": f"{header}__{against}__party_gstin",
        "place_of_supply": f"{header}__{against}__place_of_supply",
        "value": f"{header}__total",
    }
    rows = (
        lines.values(*fields.values()).annotate(**TAX_SUMS).order_by(f"{header}__date", f"{header}__number")
    )
    return [
        _money_row(
            {
                **{
                    name: row[path]
                    for name, path in fields.items()
                    if name not in ("value", "place_of_supply")
                },
                "place_of_supply": _state(row[fields["place_of_supply"]]),
                "value": money(row[fields["value"]]),
                **{k: row[k] for k in TAX_SUMS},
            }
        )
        for row in rows
    ]


def _note_totals(lines, notes) -> dict:
    """The notes' tax per head from their lines, their value from the notes themselves."""
    value = money(notes.aggregate(s=Sum("total"))["s"])
    blank = {
        "date": None,
        "invoice": "",
        "invoice_date": None,
        "party": "",
        "gstin": "",
        "place_of_supply": "",
    }
    return {**_totals(lines, "number"), **blank, "value": value}


def _state(code: str) -> str:
    return f"{code} {state_name(code)}".strip()


def _invoice_values(queryset, key: str) -> dict:
    """Σ grand totals per ``key``, from the headers (a bill's value is counted once, not per line)."""
    return {row[key]: money(row["value"]) for row in queryset.values(key).annotate(value=Sum("total"))}


def build_outward(period: Period) -> Report:
    lines = sale_lines(period)
    notes = credit_note_lines(period)
    by_hsn = [
        _money_row({**row, "quantity": int(row["quantity"] or 0)})
        for row in _net_by(
            lines.values("hsn_code", "tax_rate").annotate(quantity=Sum("quantity"), **TAX_SUMS).order_by(),
            notes.values("sale_line__hsn_code", "tax_rate")
            .annotate(quantity=Sum("quantity"), **TAX_SUMS)
            .order_by(),
            key=("hsn_code", "tax_rate"),
            note_key=("sale_line__hsn_code", "tax_rate"),
        )
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
    # A credit note is registered (CDNR) when its bill was issued to a GSTIN (B2B), else CDNUR.
    cdnr_lines = notes.exclude(sales_return__sale__party_gstin="")
    cdnur_lines = notes.filter(sales_return__sale__party_gstin="")
    posted_notes = _posted(SalesReturn, period)
    note_args = {"header": "sales_return", "against": "sale", "party": "customer"}
    by_rate = [
        _money_row(r)
        for r in _net_by(
            lines.values("tax_rate").annotate(**TAX_SUMS).order_by(),
            notes.values("tax_rate").annotate(**TAX_SUMS).order_by(),
            key=("tax_rate",),
            note_key=("tax_rate",),
            extra=(),
        )
    ]
    invoiced = _money_row(lines.aggregate(**TAX_SUMS))
    credited = _money_row(notes.aggregate(**TAX_SUMS))
    net_rows = [
        {"what": "Invoices (B2B + B2C)", **{k: invoiced[k] for k in HEADS}},
        {"what": "Less credit notes (CDNR + CDNUR)", **{k: -credited[k] for k in HEADS}},
        {"what": "Net outward supplies", **_less(invoiced, credited)},
    ]
    note_columns = [
        *NOTE_COLUMNS,
        Column("party", "Customer"),
        Column("gstin", "GSTIN"),
        Column("place_of_supply", "Place of supply"),
        *TAX_COLUMNS,
        Column("value", "Note value", "money"),
    ]
    report = Report(
        name="outward-supplies",
        title="Outward supplies (GSTR-1)",
        period=period,
        tables=[
            Table(
                "by_hsn",
                "By HSN code and rate, net of credit notes",
                [
                    Column("hsn_code", "HSN"),
                    Column("tax_rate", "Rate %", "money"),
                    Column("quantity", "Quantity", "int"),
                    *TAX_COLUMNS,
                ],
                by_hsn,
                totals={
                    "hsn_code": "Total",
                    "tax_rate": None,
                    "quantity": int(lines.aggregate(q=Sum("quantity"))["q"] or 0)
                    - int(notes.aggregate(q=Sum("quantity"))["q"] or 0),
                    **_less(invoiced, credited),
                },
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
            Table(
                "cdnr",
                "CDNR: credit notes to registered customers",
                note_columns,
                _note_rows(cdnr_lines, **note_args),
                totals=_note_totals(cdnr_lines, posted_notes.exclude(sale__party_gstin="")),
            ),
            Table(
                "cdnur",
                "CDNUR: credit notes to unregistered customers",
                note_columns,
                _note_rows(cdnur_lines, **note_args),
                totals=_note_totals(cdnur_lines, posted_notes.filter(sale__party_gstin="")),
            ),
            Table(
                "net", "Output tax net of credit notes", [Column("what", "Supplies"), *TAX_COLUMNS], net_rows
            ),
            _documents_table(Sale, period, "bills"),
            _notes_table(SalesReturn, period, "credit notes"),
        ],
        notes=[
            "Posted bills dated in the period; cancelled bills are left out. The invoice value includes "
            "the round-off to the rupee, which is not tax.",
            "Credit notes count in the period they are dated, against the bill they name: each reverses "
            "its share of the bill lines' taxable value and tax. The HSN summary and the net table are "
            "invoices less credit notes.",
        ],
    )
    report.charts.append(
        bar_chart(
            "Output tax by rate, net of credit notes",
            [f"{r['tax_rate']}%" for r in by_rate],
            [r["tax"] for r in by_rate],
        )
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
    notes = debit_note_lines(period)
    by_rate = [
        _money_row(r)
        for r in _net_by(
            lines.values("tax_rate").annotate(**TAX_SUMS).order_by(),
            notes.values("tax_rate").annotate(**TAX_SUMS).order_by(),
            key=("tax_rate",),
            note_key=("tax_rate",),
            extra=(),
        )
    ]
    supplier_total = _totals(lines, "gstin", purchases=Count("purchase", distinct=True))
    supplier_total["value"] = money(sum(values.values(), money(0)))
    bought, sent_back = _money_row(lines.aggregate(**TAX_SUMS)), _money_row(notes.aggregate(**TAX_SUMS))
    note_columns = [
        *NOTE_COLUMNS,
        Column("party", "Supplier"),
        Column("gstin", "GSTIN"),
        Column("place_of_supply", "Place of supply"),
        *TAX_COLUMNS,
        Column("value", "Note value", "money"),
    ]
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
                "debit_notes",
                "Debit notes: goods sent back, input tax reversed",
                note_columns,
                _note_rows(notes, header="purchase_return", against="purchase", party="supplier"),
                totals=_note_totals(notes, _posted(PurchaseReturn, period)),
            ),
            Table(
                "by_rate",
                "By rate, net of debit notes",
                [Column("tax_rate", "Rate %", "money"), *TAX_COLUMNS],
                by_rate,
                totals={"tax_rate": "Total", **_less(bought, sent_back)},
            ),
            _documents_table(Purchase, period, "purchases"),
            _notes_table(PurchaseReturn, period, "debit notes"),
        ],
        notes=[
            "Posted purchases dated in the period. Input tax is recoverable: it is not part of stock value.",
            "Debit notes count in the period they are dated: each reverses its share of the purchase "
            "lines' taxable value and input tax; the table by rate is purchases less debit notes.",
        ],
    )
    report.charts.append(
        bar_chart(
            "Input tax by rate, net of debit notes",
            [f"{r['tax_rate']}%" for r in by_rate],
            [r["tax"] for r in by_rate],
        )
    )
    return report


def expense_input(period: Period) -> dict:
    """The input tax on the period's posted expenses (power, diesel, repairs… billed with tax), per
    head, with the taxable value of those expenses. An expense records one tax figure: it is split
    as a bill from its supplier's state would be (IGST across states; CGST and SGST halves within,
    the odd paisa to SGST; one tax under VAT). Expenses are few, so they are read as they are."""
    figures = dict.fromkeys(HEADS, ZERO)
    taxed = _posted(Expense, period).filter(input_tax__gt=0).select_related("supplier")
    seller_state = None
    for expense in taxed:
        if seller_state is None:
            seller_state = SellerProfile.current().state_code
        tax = expense.input_tax
        figures["taxable"] += expense.amount
        figures["tax"] += tax
        if settings.TAX_REGIME != compute.Regime.GST:
            continue
        place = taxation.party_state(expense.supplier, seller_state) if expense.supplier else seller_state
        if compute.is_inter_state(seller_state, place):
            figures["igst"] += tax
        else:
            half = compute.paisa(tax / 2)
            figures["cgst"] += half
            figures["sgst"] += tax - half
    return figures


def payable(period: Period) -> dict:
    """{"output": {...}, "input": {...}, "expenses": {...}}: the period's tax per head on bills less
    credit notes, and on purchases less debit notes plus the expenses' input tax."""
    output = _less(sale_lines(period).aggregate(**TAX_SUMS), credit_note_lines(period).aggregate(**TAX_SUMS))
    expenses = expense_input(period)
    input_ = _less(
        purchase_lines(period).aggregate(**TAX_SUMS), debit_note_lines(period).aggregate(**TAX_SUMS)
    )
    input_ = {key: input_[key] + expenses[key] for key in HEADS}
    return {"output": output, "input": input_, "expenses": expenses}


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
                    {
                        "what": "Outward (bills less credit notes)",
                        "taxable": output["taxable"],
                        "tax": output["tax"],
                    },
                    {
                        "what": "Inward (purchases less debit notes)",
                        "taxable": input_["taxable"] - figures["expenses"]["taxable"],
                        "tax": input_["tax"] - figures["expenses"]["tax"],
                    },
                    {
                        "what": "Expenses billed with input tax",
                        "taxable": figures["expenses"]["taxable"],
                        "tax": figures["expenses"]["tax"],
                    },
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
