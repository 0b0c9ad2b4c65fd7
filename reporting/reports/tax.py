"""Tax reports in the shapes of the GST returns, summed from posted bills and purchases.

- outward supplies (GSTR-1): by HSN and rate, B2B by the customer's GSTIN, B2C by place of supply
  and rate;
- inward supplies: input tax by supplier GSTIN and by rate;
- credit and debit notes: the tax each note reverses, dated by the note (CDNR for registered
  customers, CDNUR for the others), so output tax is net of credit notes and input tax of debit
  notes; the HSN summary is net of returns;
- tax payable (GSTR-3B): output tax − input tax per head (CGST, SGST, IGST; one tax under VAT).

Outward supplies and the output tax read the kept summaries of posted bills (``OutwardTaxDay``,
``OutwardPartyDay`` / ``OutwardPartyMonth``, kept by ``reporting.summaries`` in the posting
transaction), never the bill lines: a year is a few thousand rows. Purchases and notes are few:
their tables read their lines.

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
from reporting.models import OutwardPartyDay, OutwardPartyMonth, OutwardTaxDay
from reporting.periods import Period
from reporting.reports.customers import split_months
from reporting.tables import Column, Report, Table, money
from returns.models import PurchaseReturn, PurchaseReturnLine, SalesReturn, SalesReturnLine
from sales.models import Customer, Sale, SaleLine
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


def _documents_table(model, period: Period, what: str, row: dict | None = None) -> Table:
    """The documents' own figures, which every other table's totals reconcile to (``row``: these
    figures summed already)."""
    row = _posted(model, period).aggregate(**HEADER_SUMS) if row is None else row
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


PARTY_SUMS = ("bills", "taxable_total", "tax_total", "round_off", "total", *HEADS)


def outward_tax_groups(period: Period) -> list[dict]:
    """The period's posted bill lines summed by HSN, rate, B2B or B2C, place of supply and supply
    (a few dozen groups), from the kept daily summary; a group whose bills were all cancelled is
    left out, as the lines themselves would leave it."""
    return [
        row
        for row in OutwardTaxDay.objects.filter(date__gte=period.start, date__lte=period.end)
        .values("hsn_code", "tax_rate", "b2b", "place_of_supply", "is_inter_state")
        .annotate(n=Sum("lines"), quantity=Sum("quantity"), **{h: Sum(h) for h in HEADS})
        .order_by()
        if row["n"]
    ]


def outward_party_groups(period: Period) -> dict[tuple[str, str], dict]:
    """{(GSTIN or '', place of supply): the period's posted bills' own figures and their lines' tax},
    from the monthly summary for whole months and the daily one for the rest, in one round trip."""
    days, months = split_months(period.start, period.end)
    queries = [OutwardPartyDay.objects.filter(date__gte=low, date__lte=high) for low, high in days]
    if months is not None:
        queries.append(OutwardPartyMonth.objects.filter(month__gte=months[0], month__lte=months[1]))
    if not queries:  # an empty period (its end before its start)
        return {}
    parts = [
        q.values("party_gstin", "place_of_supply").annotate(**{f: Sum(f) for f in PARTY_SUMS}).order_by()
        for q in queries
    ]
    found: dict[tuple[str, str], dict] = {}
    for row in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        into = found.setdefault((row["party_gstin"], row["place_of_supply"]), dict.fromkeys(PARTY_SUMS, 0))
        for f in PARTY_SUMS:
            into[f] += row[f] or 0
    return {key: sums for key, sums in found.items() if sums["bills"]}


def _summed(rows, key, fields=HEADS) -> list[dict]:
    """``rows`` (a few dozen groups already summed in SQL) added up by ``key(row)``, in key order."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        into = groups.setdefault(key(row), dict.fromkeys(fields, 0))
        for f in fields:
            into[f] += row[f] or 0
    return [{"key": group, **groups[group]} for group in sorted(groups)]


def _b2b_names(gstins: list[str], period: Period) -> dict[str, str]:
    """The customer's name per GSTIN: from the customers (a few rows); a GSTIN no customer holds
    today (it changed since the bill) is named as on its earliest bill of the period."""
    names = dict(Customer.objects.filter(gstin__in=gstins).values_list("gstin", "name"))
    missing = [g for g in gstins if g not in names]
    if missing:
        names.update(
            _posted(Sale, period).filter(party_gstin__in=missing).values_list("party_gstin", "customer__name")
        )
    return names


def _notes_by_rows(rows: list[dict]) -> dict:
    """The note rows' totals (a few notes: each row is one note, its value the note's own)."""
    return {
        "number": "Total",
        "date": None,
        "invoice": "",
        "invoice_date": None,
        "party": "",
        "gstin": "",
        "place_of_supply": "",
        **_money_row({h: sum((r[h] for r in rows), money(0)) for h in HEADS}),
        "value": money(sum((r["value"] for r in rows), money(0))),
    }


def build_outward(period: Period) -> Report:
    notes = credit_note_lines(period)
    groups = outward_tax_groups(period)
    parties = outward_party_groups(period)
    # The period's credit notes by HSN and rate, read once: the HSN, rate and net tables net of them.
    note_groups = list(
        notes.values("sale_line__hsn_code", "tax_rate")
        .annotate(quantity=Sum("quantity"), **TAX_SUMS)
        .order_by()
    )
    by_hsn = [
        _money_row({**row, "quantity": int(row["quantity"] or 0)})
        for row in _net_by(
            [
                {"hsn_code": g["key"][0], "tax_rate": g["key"][1], **g}
                for g in _summed(groups, lambda r: (r["hsn_code"], r["tax_rate"]), ("quantity", *HEADS))
            ],
            note_groups,
            key=("hsn_code", "tax_rate"),
            note_key=("sale_line__hsn_code", "tax_rate"),
        )
    ]
    # One row per GSTIN; its place of supply is its bills' state (the GSTIN's own, normally).
    b2b_parties = [
        {"gstin": gstin, "state": state, **sums} for (gstin, state), sums in parties.items() if gstin
    ]
    states: dict[str, str] = {}
    for row in b2b_parties:
        states[row["gstin"]] = min(states.get(row["gstin"], row["state"]), row["state"])
    by_gstin = _summed(b2b_parties, lambda r: r["gstin"], ("bills", "total", *HEADS))
    names = _b2b_names([g["key"] for g in by_gstin], period)
    b2b = [
        _money_row(
            {
                "gstin": g["key"],
                "customer": names.get(g["key"], ""),
                "place_of_supply": states[g["key"]],
                "invoices": g["bills"],
                "value": money(g["total"]),
                **{k: g[k] for k in HEADS},
            }
        )
        for g in by_gstin
    ]
    b2c = [
        _money_row(
            {
                "place_of_supply": _state(g["key"][0]),
                "supply": "inter-state" if g["key"][2] else "intra-state",
                "rate": g["key"][1],
                **{k: g[k] for k in HEADS},
            }
        )
        for g in _summed(
            [r for r in groups if not r["b2b"]],
            lambda r: (r["place_of_supply"], r["tax_rate"], r["is_inter_state"]),
        )
    ]
    b2b_total = {
        "gstin": "Total",
        **_money_row({h: sum((r[h] for r in b2b), money(0)) for h in HEADS}),
        "invoices": sum(r["invoices"] for r in b2b),
        "value": money(sum((r["value"] for r in b2b), money(0))),
    }
    b2c_total = {
        "place_of_supply": "Total",
        **_money_row({h: sum((r[h] for r in b2c), money(0)) for h in HEADS}),
    }
    # A credit note is registered (CDNR) when its bill was issued to a GSTIN (B2B), else CDNUR.
    # A credit note is registered (CDNR) when its bill was issued to a GSTIN, else CDNUR.
    note_rows = _note_rows(notes, header="sales_return", against="sale", party="customer")
    cdnr = [r for r in note_rows if r["gstin"]]
    cdnur = [r for r in note_rows if not r["gstin"]]
    by_rate = [
        _money_row(r)
        for r in _net_by(
            [{"tax_rate": g["key"], **g} for g in _summed(groups, lambda r: r["tax_rate"])],
            [{"tax_rate": g["key"], **g} for g in _summed(note_groups, lambda r: r["tax_rate"])],
            key=("tax_rate",),
            note_key=("tax_rate",),
            extra=(),
        )
    ]
    invoiced = _money_row({h: sum((g[h] or 0 for g in groups), money(0)) for h in HEADS})
    credited = _money_row({h: sum((g[h] or 0 for g in note_groups), money(0)) for h in HEADS})
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
                    "quantity": sum(int(g["quantity"] or 0) for g in groups)
                    - sum(int(g["quantity"] or 0) for g in note_groups),
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
                totals={**b2c_total, "supply": "", "rate": None},
            ),
            Table(
                "cdnr",
                "CDNR: credit notes to registered customers",
                note_columns,
                cdnr,
                totals=_notes_by_rows(cdnr),
            ),
            Table(
                "cdnur",
                "CDNUR: credit notes to unregistered customers",
                note_columns,
                cdnur,
                totals=_notes_by_rows(cdnur),
            ),
            Table(
                "net", "Output tax net of credit notes", [Column("what", "Supplies"), *TAX_COLUMNS], net_rows
            ),
            _documents_table(Sale, period, "bills", _bill_figures(parties)),
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


def _bill_figures(parties: dict[tuple[str, str], dict]) -> dict:
    """The bills' own figures (``HEADER_SUMS``) from their kept per-GSTIN sums."""
    rows = parties.values()
    return {
        "documents": sum(r["bills"] for r in rows),
        **{
            name: sum((r[field] for r in rows), money(0))
            for name, field in (
                ("taxable", "taxable_total"),
                ("tax", "tax_total"),
                ("round_off", "round_off"),
                ("value", "total"),
            )
        },
    }


def output_tax(period: Period) -> dict:
    """The period's posted bills' tax per head (their lines' sums), from the kept daily summary:
    one aggregate over a few thousand rows a year."""
    row = OutwardTaxDay.objects.filter(date__gte=period.start, date__lte=period.end).aggregate(
        **{h: Sum(h) for h in HEADS}
    )
    return {h: money(row[h]) for h in HEADS}


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
    # The period's purchase lines summed once: the by-supplier total and the by-rate "bought".
    whole = _money_row(lines.aggregate(**TAX_SUMS, purchases=Count("purchase", distinct=True)))
    supplier_total = {"gstin": "Total", **whole, "value": money(sum(values.values(), money(0)))}
    bought = {key: whole[key] for key in TAX_SUMS}
    sent_back = _money_row(notes.aggregate(**TAX_SUMS))
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
    output = _less(output_tax(period), credit_note_lines(period).aggregate(**TAX_SUMS))
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
