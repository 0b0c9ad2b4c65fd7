"""Read-side figures of returns that other parts of the plant's books use.

``scrapped_cost`` is a stock write-off for the profit & loss (not COGS); ``refunds_between`` are
money paid out for the cash book; ``debit_notes_total`` is what a supplier owes back (payables).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce

from django.db.models import F, Q, QuerySet, Sum

from core.money import CENT
from documents.models import DocumentStatus
from purchasing.models import Purchase, Supplier
from returns.models import Disposition, PurchaseReturn, PurchaseReturnLine, SalesReturn, SalesReturnLine
from sales.models import Sale


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)  # SQLite hands back sums without their scale


TAX_FIELDS = ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount", "tax_amount")


@dataclass(frozen=True)
class Taken:
    """What posted returns of one line already took back: its quantity, amount, discount and cost,
    and (``tax``) its taxable value and each tax head, per field."""

    quantity: int = 0
    amount: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    cost: Decimal = Decimal("0.00")
    tax: dict[str, Decimal] = field(default_factory=dict)


def posted_returned(model: type, line_field: str, line_ids) -> dict[int, Taken]:
    """{line id: what posted returns already took back of it}, in one query."""
    header = "sales_return" if model is SalesReturnLine else "purchase_return"
    sums = {"q": Sum("quantity"), "a": Sum("amount"), **{name: Sum(name) for name in TAX_FIELDS}}
    if model is SalesReturnLine:
        sums |= {"d": Sum("discount"), "c": Sum("cost")}
    rows = (
        model.objects.filter(
            **{f"{line_field}__in": list(line_ids), f"{header}__status": DocumentStatus.POSTED}
        )
        .values(line_field)
        .annotate(**sums)
        .order_by()
    )
    return {
        row[line_field]: Taken(
            int(row["q"]),
            _cents(row["a"]),
            _cents(row.get("d")),
            _cents(row.get("c")),
            {name: _cents(row[name]) for name in TAX_FIELDS},
        )
        for row in rows
    }


def returned_quantities(sale: Sale) -> dict[int, int]:
    """{bill line id: quantity returned by posted returns}."""
    found = posted_returned(SalesReturnLine, "sale_line", sale.lines.values_list("pk", flat=True))
    return {line_id: taken.quantity for line_id, taken in found.items()}


def bought_back_quantities(purchase: Purchase) -> dict[int, int]:
    """{purchase line id: quantity sent back by posted returns}."""
    found = posted_returned(PurchaseReturnLine, "purchase_line", purchase.lines.values_list("pk", flat=True))
    return {line_id: taken.quantity for line_id, taken in found.items()}


def posted_sales_returns(sale: Sale) -> QuerySet[SalesReturn]:
    return SalesReturn.objects.filter(sale=sale, status=DocumentStatus.POSTED).order_by("date", "id")


def posted_purchase_returns(purchase: Purchase) -> QuerySet[PurchaseReturn]:
    return PurchaseReturn.objects.filter(purchase=purchase, status=DocumentStatus.POSTED).order_by(
        "date", "id"
    )


def scrapped_cost(date_from: date, date_to: date) -> Decimal:
    """Cost of returned goods written off as scrap in the period, less the scrap value received.

    The goods left stock at their cost when sold; a return takes that cost off COGS, and what was
    scrapped rather than restocked is a stock write-off instead.
    """
    total = SalesReturnLine.objects.filter(
        sales_return__status=DocumentStatus.POSTED,
        sales_return__date__gte=date_from,
        sales_return__date__lte=date_to,
        disposition=Disposition.SCRAP,
    ).aggregate(s=Sum(F("cost") - F("scrap_value")))["s"]
    return _cents(total)


@dataclass(frozen=True)
class Refund:
    date: date
    method: str
    amount: Decimal
    document: str  # the credit note's number
    customer: str


def refunds_between(date_from: date, date_to: date) -> list[Refund]:
    """Refunds paid out on posted credit notes in the period (money out, for the cash book)."""
    rows = (
        SalesReturn.objects.filter(
            status=DocumentStatus.POSTED, date__gte=date_from, date__lte=date_to, refund__gt=0
        )
        .order_by("date", "id")
        .values_list("date", "refund_method", "refund", "number", "customer__name")
    )
    return [
        Refund(day, method, _cents(amount), number, customer)
        for day, method, amount, number, customer in rows
    ]


def debit_notes_total(supplier: Supplier, upto: date | None = None) -> Decimal:
    """What ``supplier`` owes the plant back on posted debit notes (dated on or before ``upto``)."""
    notes = PurchaseReturn.objects.filter(supplier=supplier, status=DocumentStatus.POSTED)
    if upto is not None:
        notes = notes.filter(date__lte=upto)
    return _cents(notes.aggregate(s=Sum("total"))["s"])


def debit_notes_by_supplier(upto: date | None = None) -> dict[int, Decimal]:
    """``debit_notes_total`` of every supplier with posted debit notes, in one grouped query."""
    notes = PurchaseReturn.objects.filter(status=DocumentStatus.POSTED)
    if upto is not None:
        notes = notes.filter(date__lte=upto)
    rows = notes.order_by().values("supplier_id").annotate(s=Sum("total")).values_list("supplier_id", "s")
    return {supplier_id: _cents(total) for supplier_id, total in rows}


def _over_returned(model: type, line: str, header: str, number: str) -> list[tuple[str, str, int, int]]:
    rows = (
        model.objects.filter(**{f"{header}__status": DocumentStatus.POSTED})
        .values(line, f"{line}__quantity", number, "item__sku")
        .annotate(returned=Sum("quantity"))
        .filter(returned__gt=F(f"{line}__quantity"))
        .order_by(number)
    )
    return [(row[number], row["item__sku"], row[f"{line}__quantity"], row["returned"]) for row in rows]


def over_returned_sale_lines() -> list[tuple[str, str, int, int]]:
    """(bill number, sku, sold, returned) of every bill line returned beyond what was sold."""
    return _over_returned(SalesReturnLine, "sale_line", "sales_return", "sale_line__sale__number")


def over_returned_purchase_lines() -> list[tuple[str, str, int, int]]:
    """(purchase number, sku, bought, returned) of every purchase line sent back beyond its quantity."""
    return _over_returned(
        PurchaseReturnLine, "purchase_line", "purchase_return", "purchase_line__purchase__number"
    )


# SQLite sums decimals as floats: compared in SQL with half a paisa to spare, then exactly here.
HALF_PAISA = Decimal("0.005")
TAX_HEAD_LABELS = {
    "taxable_value": "taxable value",
    "cgst_amount": "CGST",
    "sgst_amount": "SGST",
    "igst_amount": "IGST",
    "tax_amount": "tax",
}


def _over_reversed(
    model: type, line: str, header: str, number: str
) -> list[tuple[str, str, str, Decimal, Decimal]]:
    """(document number, sku, head, on the line, reversed) where posted notes reversed more of a
    line's taxable value or tax than the line carries."""
    sums = {f"r_{name}": Sum(name) for name in TAX_FIELDS}
    rows = (
        model.objects.filter(**{f"{header}__status": DocumentStatus.POSTED})
        .values(line, number, "item__sku", *(f"{line}__{name}" for name in TAX_FIELDS))
        .annotate(**sums)
        .filter(
            reduce(
                operator.or_,
                (Q(**{f"r_{name}__gt": F(f"{line}__{name}") + HALF_PAISA}) for name in TAX_FIELDS),
            )
        )
        .order_by(number, line)
    )
    return [
        (
            row[number],
            row["item__sku"],
            TAX_HEAD_LABELS[name],
            _cents(row[f"{line}__{name}"]),
            _cents(row[f"r_{name}"]),
        )
        for row in rows
        for name in TAX_FIELDS
        if _cents(row[f"r_{name}"]) > _cents(row[f"{line}__{name}"])
    ]


def over_reversed_sale_lines() -> list[tuple[str, str, str, Decimal, Decimal]]:
    """Credit-note tax never exceeds the bill line's: (bill, sku, head, billed, reversed) where it does."""
    return _over_reversed(SalesReturnLine, "sale_line", "sales_return", "sale_line__sale__number")


def over_reversed_purchase_lines() -> list[tuple[str, str, str, Decimal, Decimal]]:
    """Debit-note tax never exceeds the purchase line's: (purchase, sku, head, bought, reversed)."""
    return _over_reversed(
        PurchaseReturnLine, "purchase_line", "purchase_return", "purchase_line__purchase__number"
    )


def returns_against_unposted() -> list[str]:
    """Numbers of posted returns whose bill or purchase is no longer posted."""
    sales = SalesReturn.objects.filter(status=DocumentStatus.POSTED).exclude(
        sale__status=DocumentStatus.POSTED
    )
    purchases = PurchaseReturn.objects.filter(status=DocumentStatus.POSTED).exclude(
        purchase__status=DocumentStatus.POSTED
    )
    return [*sales.values_list("number", flat=True), *purchases.values_list("number", flat=True)]
