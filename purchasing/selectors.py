"""Read-side queries for suppliers' bills: what is paid, what is owed, when it falls due.

A bill's outstanding = its total − the posted supplier payments allocated to it. A supplier's
outstanding = Σ its bills' outstanding − money paid on account (not allocated to a bill) − debit
notes (purchase returns) not yet set against a bill.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from company import taxation
from core.money import CENT
from documents import payment_state as states
from documents.models import DocumentStatus
from purchasing.models import (
    Purchase,
    PurchaseLine,
    Supplier,
    SupplierOpeningDue,
    SupplierPayment,
    SupplierPaymentLine,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _allocated(upto: date | None = None) -> Subquery:
    lines = SupplierPaymentLine.objects.filter(purchase=OuterRef("pk"), payment__status=DocumentStatus.POSTED)
    if upto is not None:
        lines = lines.filter(payment__date__lte=upto)
    return Subquery(lines.values("purchase").annotate(s=Sum("amount")).values("s"), output_field=MONEY)


def bills_with_payments(queryset: QuerySet[Purchase] | None = None, *, upto: date | None = None):
    """Purchases annotated with ``paid``, ``outstanding`` and ``payment_state``; ``upto``: only
    payments dated up to that day count."""
    queryset = Purchase.objects.all() if queryset is None else queryset
    return queryset.annotate(
        paid=Coalesce(_allocated(upto), ZERO),
    ).annotate(
        outstanding=Case(When(status=DocumentStatus.POSTED, then=F("total") - F("paid")), default=ZERO),
        payment_state=states.payment_state_case(paid="paid", due="total"),
    )


def due_date(purchase: Purchase) -> date:
    """A bill falls due its supplier's credit days after its date."""
    return purchase.date + timedelta(days=purchase.supplier.credit_days)


def bill_outstanding(purchase: Purchase) -> Decimal:
    """What the plant still owes on one bill (nothing on a bill that is not posted)."""
    if purchase.status != DocumentStatus.POSTED:
        return Decimal("0.00")
    paid = (
        SupplierPaymentLine.objects.filter(
            purchase=purchase, payment__status=DocumentStatus.POSTED
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    return (purchase.total - paid).quantize(CENT)


def payment_state(purchase: Purchase) -> str:
    """One bill's state as ``bills_with_payments`` works it out (read from it: one definition, so
    a bill not posted, which nothing has paid, is "unpaid" in both, not "paid" for owing nothing)."""
    one = bills_with_payments(Purchase.objects.filter(pk=purchase.pk))
    return one.values_list("payment_state", flat=True).get()


# Documents of other apps that the supplier owes back (debit notes of purchase returns) register a
# total here, so what the plant owes stays one sum without this app importing them.
_OWED_BACK: list[Callable[[Supplier, date | None], Decimal]] = []


def count_owed_back(total: Callable[[Supplier, date | None], Decimal]) -> None:
    """``total(supplier, upto)``: what the supplier owes the plant back on posted documents."""
    if total not in _OWED_BACK:
        _OWED_BACK.append(total)


def debit_notes_total(supplier: Supplier, upto: date | None = None) -> Decimal:
    """What the supplier owes back for goods returned to it (purchase returns / debit notes)."""
    return sum((Decimal(total(supplier, upto) or 0) for total in _OWED_BACK), Decimal("0")).quantize(CENT)


# The same totals for every supplier at once ({supplier id: owed back}), so a report of all
# suppliers asks one query per kind of document instead of one per supplier.
_OWED_BACK_BY_SUPPLIER: list[Callable[[date | None], dict[int, Decimal]]] = []


def count_owed_back_by_supplier(totals: Callable[[date | None], dict[int, Decimal]]) -> None:
    """``totals(upto)``: {supplier id: what it owes back}, the per-supplier sums of ``count_owed_back``."""
    if totals not in _OWED_BACK_BY_SUPPLIER:
        _OWED_BACK_BY_SUPPLIER.append(totals)


def debit_notes_by_supplier(upto: date | None = None) -> dict[int, Decimal]:
    """{supplier id: ``debit_notes_total``} for every supplier that owes something back."""
    found: dict[int, Decimal] = {}
    for totals in _OWED_BACK_BY_SUPPLIER:
        for supplier_id, amount in totals(upto).items():
            found[supplier_id] = found.get(supplier_id, Decimal("0")) + Decimal(amount or 0)
    return {supplier_id: amount.quantize(CENT) for supplier_id, amount in found.items()}


def opening_due_rows(upto: date | None = None) -> QuerySet[SupplierOpeningDue]:
    """What the plant owed its suppliers on the go-live date (entered once per supplier)."""
    dues = SupplierOpeningDue.objects.all()
    return dues if upto is None else dues.filter(date__lte=upto)


def opening_dues(upto: date | None = None) -> dict[int, Decimal]:
    """{supplier id: opening due} of the dues dated on or before ``upto``."""
    return {due.supplier_id: due.amount for due in opening_due_rows(upto)}


def supplier_outstanding(supplier: Supplier, upto: date | None = None) -> Decimal:
    """What the plant owes the supplier at the end of ``upto`` (today when None): bills − payments
    (allocated or on account) − debit notes. Negative: the supplier holds the plant's money."""
    bills = Purchase.objects.filter(supplier=supplier, status=DocumentStatus.POSTED)
    paid = SupplierPayment.objects.filter(supplier=supplier, status=DocumentStatus.POSTED)
    if upto is not None:
        bills, paid = bills.filter(date__lte=upto), paid.filter(date__lte=upto)
    billed = bills.aggregate(s=Sum("total"))["s"] or 0
    billed += opening_dues(upto).get(supplier.pk, 0)
    paid_total = paid.aggregate(s=Sum("amount"))["s"] or 0
    return (Decimal(billed) - Decimal(paid_total) - debit_notes_total(supplier, upto=upto)).quantize(CENT)


def on_account(supplier: Supplier, upto: date | None = None) -> Decimal:
    """Money paid to the supplier and not allocated to any bill."""
    paid = SupplierPayment.objects.filter(supplier=supplier, status=DocumentStatus.POSTED)
    lines = SupplierPaymentLine.objects.filter(
        payment__supplier=supplier, payment__status=DocumentStatus.POSTED
    )
    if upto is not None:
        paid, lines = paid.filter(date__lte=upto), lines.filter(payment__date__lte=upto)
    total = paid.aggregate(s=Sum("amount"))["s"] or 0
    allocated = lines.aggregate(s=Sum("amount"))["s"] or 0
    return (Decimal(total) - Decimal(allocated)).quantize(CENT)


def open_bills(upto: date, supplier: Supplier | None = None) -> QuerySet[Purchase]:
    """Posted bills dated up to ``upto`` that still owe something at its end, oldest first."""
    bills = Purchase.objects.filter(status=DocumentStatus.POSTED, date__lte=upto)
    if supplier is not None:
        bills = bills.filter(supplier=supplier)
    return (
        bills.annotate(paid=Coalesce(_allocated(upto), ZERO))
        .annotate(outstanding=F("total") - F("paid"))
        .filter(outstanding__gt=0)
        .select_related("supplier")
        .order_by("date", "id")
    )


def allocation_breaches() -> list[str]:
    """verify_ledger's check: no bill is paid more than its total and no payment allocates more
    than its amount (posted payments only)."""
    posted = SupplierPaymentLine.objects.filter(payment__status=DocumentStatus.POSTED)
    overpaid = (
        posted.values("purchase__number", "purchase__total")
        .annotate(s=Sum("amount"))
        .filter(s__gt=F("purchase__total"))
    )
    overallocated = (
        posted.values("payment__number", "payment__amount")
        .annotate(s=Sum("amount"))
        .filter(s__gt=F("payment__amount"))
    )
    return [
        f"{row['purchase__number']}: paid {row['s']}, more than its total {row['purchase__total']}"
        for row in overpaid
    ] + [
        f"{row['payment__number']}: allocates {row['s']}, more than its amount {row['payment__amount']}"
        for row in overallocated
    ]


def tax_summary(purchase: Purchase) -> list[dict[str, Decimal]]:
    """The purchase's input tax by rate (rate, taxable, cgst, sgst, igst, tax), in rate order."""
    return taxation.tax_summary(PurchaseLine.objects.filter(purchase=purchase))
