"""The reports there are: name, title, which form options they use and how each is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reporting.periods import ReportForm, parse
from reporting.reports import (
    cash_book,
    customers,
    exceptions,
    payables,
    production,
    profit_loss,
    stock,
    suppliers,
    tax,
)
from reporting.tables import Report


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    summary: str
    build: Callable[[dict[str, Any]], Report]
    uses: tuple[str, ...] = ()
    default_preset: str = "this_month"
    # The report's own choices for a form option it uses (e.g. the exceptions' checks).
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def form(self, params) -> ReportForm:
        return parse(params, uses=self.uses, default_preset=self.default_preset, choices=self.choices)


REPORTS = {
    spec.name: spec
    for spec in [
        ReportSpec(
            "profit-loss",
            "Profit & loss",
            "Revenue, discounts, cost of goods sold, gross profit and margin, against the period before.",
            lambda d: profit_loss.build(d["period"], d["group"]),
            uses=("group",),
        ),
        ReportSpec(
            "stock-movement",
            "Stock movement",
            "Opening, purchased, produced, consumed, sold, adjusted, reversed and closing per item.",
            lambda d: stock.build_movement(d["period"]),
        ),
        ReportSpec(
            "stock-valuation",
            "Stock valuation",
            "Quantity, average cost and value per item at the end of a date.",
            lambda d: stock.build_valuation(d["period"]),
        ),
        ReportSpec(
            "customer-sales",
            "Customer sales",
            "Bills, revenue, profit, payments and what each customer owes, with ageing.",
            lambda d: customers.build(d["period"], customers.PAGE_ROWS if d.get("on_page") else None),
        ),
        ReportSpec(
            "supplier-costs",
            "Supplier costs",
            "Purchases, spend and average prices per supplier and item, and how prices moved.",
            lambda d: suppliers.build(d["period"]),
        ),
        ReportSpec(
            "payables",
            "Payables",
            "What the plant owes each supplier, the ageing of its open bills and when each falls due.",
            lambda d: payables.build(d["period"]),
        ),
        ReportSpec(
            "cash-book",
            "Cash book",
            "Money in and out of each account (cash, banks, UPI), running balances and day-end closings.",
            lambda d: cash_book.build(
                d["period"], d.get("account"), d.get("after") or "", bool(d.get("on_page"))
            ),
            uses=("account",),
        ),
        ReportSpec(
            "production",
            "Production",
            "Runs, preforms used, good bottles, rejects by reason, yield and cost per good bottle.",
            lambda d: production.build(d["period"], d["by"], d["group"]),
            uses=("by", "group"),
        ),
        ReportSpec(
            "outward-supplies",
            "Outward supplies (GSTR-1)",
            "Tax on posted bills by HSN code and rate, B2B by customer GSTIN and B2C by place of supply.",
            lambda d: tax.build_outward(d["period"]),
        ),
        ReportSpec(
            "inward-supplies",
            "Inward supplies",
            "Input tax on posted purchases by supplier GSTIN and by rate.",
            lambda d: tax.build_inward(d["period"]),
        ),
        ReportSpec(
            "tax-payable",
            "Tax payable (GSTR-3B)",
            "Output tax on bills less input tax on purchases, per head: what is owed to the tax office.",
            lambda d: tax.build_payable(d["period"]),
        ),
        ReportSpec(
            "exceptions",
            "Exceptions",
            "Split bills, sales below cost, big discounts, odd prices, back-dated and late-night entries, "
            "count variances, production outliers and payments worth a second look, each with its reason.",
            lambda d: exceptions.build(
                d["period"],
                exceptions.shown_rows(on_page=bool(d.get("on_page")), check=d["check"]),
                d["check"],
            ),
            uses=("check",),
            choices={"check": [(check.key, check.title) for check in exceptions.CHECKS]},
        ),
    ]
}
