"""Purchases: a supplier's bill received into stock at its prices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import roles
from accounts.models import User
from cashbook import flows
from cashbook import services as cashbook_services
from cashbook.models import Account
from company import taxation
from core.bounds import MAX_PAYMENT
from core.errors import DomainError, InvalidDocument
from core.money import money
from documents import approval, lifecycle
from documents.dates import check_date
from documents.drafts import check_lines, money_problem, replace_lines
from documents.models import DocumentStatus
from inventory import ledger
from inventory.models import Item, MovementKind
from parties.services import PARTY_FIELDS as PARTY_FIELDS  # the supplier admin and API list these
from parties.services import save_party
from purchasing import selectors
from purchasing.models import Purchase, PurchaseLine, Supplier, SupplierPayment, SupplierPaymentLine


@dataclass(frozen=True)
class PurchaseLineInput:
    item: Item
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal | None = None  # the supplier's rate (%); None: the item's rate
    hsn_code: str = ""  # empty: the item's HSN code


PRICE_PLACES = Decimal("0.0001")  # a purchase price may carry fractions of a cent per unit


@transaction.atomic
def save_supplier(*, by: User, supplier: Supplier | None = None, **fields: Any) -> Supplier:
    """Suppliers are master data: Managers keep them (with their credit days)."""
    return save_party(
        supplier or Supplier(),
        by=by,
        allowed=roles.can_manage_master_data(by),
        what="supplier",
        fields=fields,
        extra=("credit_days",),
    )


def _check(supplier: Supplier, lines: Sequence[PurchaseLineInput]) -> None:
    if supplier is None or not supplier.is_active:
        raise InvalidDocument(fields={"supplier": ["Choose an active supplier."]})
    check_lines(lines)
    bad_rates = {
        i: {"tax_rate": ["Enter a tax rate from 0 to 100 (%)."]}
        for i, line in enumerate(lines)
        if line.tax_rate is not None and not _is_percent(line.tax_rate)
    }
    if bad_rates:
        raise InvalidDocument(lines=bad_rates)


def _is_percent(value: Any) -> bool:
    if isinstance(value, (float, bool)):
        return False
    try:
        value = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return False
    return value.is_finite() and 0 <= value <= 100 and value == value.quantize(Decimal("0.01"))


def _write(purchase: Purchase, lines: Sequence[PurchaseLineInput], by: User) -> Purchase:
    rows = [
        PurchaseLine(
            purchase=purchase,
            item=line.item,
            quantity=line.quantity,
            unit_price=Decimal(line.unit_price).quantize(PRICE_PLACES),
            amount=money(line.quantity * Decimal(line.unit_price).quantize(PRICE_PLACES)),
            hsn_code=line.hsn_code,
            tax_rate=None if line.tax_rate is None else Decimal(line.tax_rate),
        )
        for line in lines
    ]
    taxation.apply(purchase, rows, purchase.supplier, from_items=False)
    fresh = purchase.pk is None
    lifecycle.save_as(purchase, by)
    replace_lines(purchase.lines, PurchaseLine, rows, by, fresh=fresh)
    return purchase


def create_purchase(
    *,
    by: User,
    supplier: Supplier,
    lines: Sequence[PurchaseLineInput],
    date: date | None = None,
    supplier_bill_number: str = "",
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> Purchase:
    """Record a supplier's bill as a draft (or submit it at once); one document per request key."""
    lifecycle.require_may_enter(Purchase, by)
    check_date(date, model=Purchase, optional=True)
    _check(supplier, lines)

    def create() -> Purchase:
        purchase = Purchase(
            supplier=supplier,
            supplier_bill_number=supplier_bill_number,
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        if date is not None:
            purchase.date = date
        _write(purchase, lines, by)
        return lifecycle.submit(document=purchase, by=by, locked=True) if submit else purchase

    return lifecycle.create_once(Purchase, request_key, create)


@transaction.atomic
def update_purchase(
    *,
    purchase: Purchase,
    by: User,
    supplier: Supplier,
    lines: Sequence[PurchaseLineInput],
    date: date,
    supplier_bill_number: str = "",
    notes: str = "",
    submit: bool = False,
) -> Purchase:
    """Change a draft purchase; ``submit`` then submits it in the same transaction."""
    purchase = lifecycle.edit_draft(document=purchase, by=by)
    check_date(date, model=Purchase)
    _check(supplier, lines)
    purchase.supplier, purchase.date = supplier, date
    purchase.supplier_bill_number, purchase.notes = supplier_bill_number, notes
    _write(purchase, lines, by)
    return lifecycle.submit(document=purchase, by=by, locked=True) if submit else purchase


def _post(posting: lifecycle.PostingContext) -> None:
    purchase = posting.document
    ledger.post(
        changes=[
            # Stock is valued at the taxable value: input tax is recovered, not a cost.
            ledger.StockChange(item_id=line.item_id, quantity=line.quantity, value=line.taxable_value)
            for line in posting.lines
        ],
        kind=MovementKind.PURCHASE,
        date=purchase.date,
        source=ledger.Source.of(purchase),
        by=posting.by,
        balances=posting.balances,
    )


def _before_cancel_purchase(posting: lifecycle.PostingContext) -> None:
    purchase = posting.document
    if SupplierPaymentLine.objects.filter(purchase=purchase, payment__status=DocumentStatus.POSTED).exists():
        raise DomainError(f"{purchase} has supplier payments against it; cancel those payments first.")


lifecycle.register(
    Purchase,
    lifecycle.DocumentRules(
        verbose="purchase",
        post=_post,
        lines=lambda purchase: list(purchase.lines.all()),
        before_cancel=_before_cancel_purchase,
        touched_items=lambda posting: [line.item_id for line in posting.lines],
        expected_quantities=lambda: PurchaseLine.objects.filter(purchase__status="posted").values_list(
            "purchase_id", "item_id", "quantity"
        ),
    ),
)


# Supplier payments: money paid out against one or more bills, or on account.


@dataclass(frozen=True)
class AllocationInput:
    purchase: Purchase
    amount: Decimal


def record_supplier_payment(
    *,
    by: User,
    supplier: Supplier,
    amount: Decimal,
    method: str,
    allocations: Sequence[AllocationInput] = (),
    account: Account | None = None,
    date: date | None = None,
    reference: str = "",
    notes: str = "",
    request_key: uuid.UUID | None = None,
) -> SupplierPayment:
    """Record money paid to a supplier and post it at once (or send it for approval over
    SUPPLIER_PAYMENT_APPROVAL_THRESHOLD). ``allocations`` say which bills it settles and by how
    much; what they leave of ``amount`` is held on account."""
    lifecycle.require_may_enter(SupplierPayment, by)
    check_date(date, model=SupplierPayment, optional=True)
    if supplier is None:
        raise InvalidDocument(fields={"supplier": ["Choose a supplier."]})
    problem = money_problem(amount, above_zero=True, below=MAX_PAYMENT)
    if problem:
        raise InvalidDocument(fields={"amount": [problem]})
    if problems := cashbook_services.payment_problems(method=method, account=account):
        raise InvalidDocument(fields=problems)
    amount = money(amount)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for i, allocation in enumerate(allocations):
        bill = allocation.purchase
        line_problem = money_problem(allocation.amount, above_zero=True, below=MAX_PAYMENT)
        if bill is None:
            errors[f"allocations-{i}-purchase"] = ["Choose a bill."]
        elif bill.supplier_id != supplier.pk:
            errors[f"allocations-{i}-purchase"] = [f"{bill} is not a bill of {supplier}."]
        elif bill.pk in seen:
            errors[f"allocations-{i}-purchase"] = [f"{bill} is named twice."]
        if line_problem:
            errors[f"allocations-{i}-amount"] = [line_problem]
        if bill is not None:
            seen.add(bill.pk)
    if errors:
        raise InvalidDocument(fields=errors)
    allocated = sum((money(a.amount) for a in allocations), Decimal("0"))
    if allocated > amount:
        raise InvalidDocument(
            fields={"amount": [f"The bills are given {allocated}, more than the payment of {amount}."]}
        )

    def create() -> SupplierPayment:
        payment = SupplierPayment(
            supplier=supplier,
            amount=amount,
            method=method,
            account=account,
            reference=reference,
            notes=notes,
            created_by=by,
            request_key=request_key,
            total=amount,
        )
        if date is not None:
            payment.date = date
        lifecycle.save_as(payment, by)
        rows = [
            SupplierPaymentLine(payment=payment, purchase=a.purchase, amount=money(a.amount))
            for a in sorted(allocations, key=lambda a: a.purchase.pk)
        ]
        replace_lines(payment.lines, SupplierPaymentLine, rows, by, fresh=True)
        return lifecycle.submit(document=payment, by=by, locked=True)

    return lifecycle.create_once(SupplierPayment, request_key, create)


def _check_against_bills(posting: lifecycle.PostingContext) -> None:
    """No allocation may overpay its bill. The bills are locked in id order, so two payments
    racing for one bill post one after the other and the second sees what the first paid."""
    payment = posting.document
    lines = list(payment.lines.all())
    if not lines:
        return
    bills = {
        bill.pk: bill
        for bill in Purchase.objects.select_for_update()
        .select_related("supplier")
        .filter(pk__in=sorted(line.purchase_id for line in lines))
        .order_by("pk")
    }
    for line in lines:
        bill = bills[line.purchase_id]
        if bill.supplier_id != payment.supplier_id:
            raise InvalidDocument(fields={"purchase": [f"{bill} is not a bill of {payment.supplier}."]})
        if bill.status != DocumentStatus.POSTED:
            raise InvalidDocument(fields={"purchase": [f"{bill} is not posted, so nothing is owed on it."]})
        owed = selectors.bill_outstanding(bill)
        if line.amount > owed:
            raise InvalidDocument(
                fields={
                    "amount": [
                        f"{bill.number} owes {owed}; paying {line.amount} against it would overpay it. "
                        "Pay the extra on account instead."
                    ]
                }
            )


lifecycle.register(
    SupplierPayment,
    lifecycle.DocumentRules(
        verbose="supplier payment",
        post=_check_against_bills,
        approval_reason=lambda payment: approval.over_limit(
            "payment", payment.amount, settings.SUPPLIER_PAYMENT_APPROVAL_THRESHOLD
        ),
        before_pending=_check_against_bills,
        moves_stock=False,
    ),
)


def _posted_payments(start: date | None, end: date | None):
    docs = SupplierPayment.objects.filter(status=DocumentStatus.POSTED)
    if start is not None:
        docs = docs.filter(date__gte=start)
    if end is not None:
        docs = docs.filter(date__lte=end)
    return docs


flows.register(
    flows.MoneyFlow(
        name="supplier_payment",
        label="Supplier payment",
        direction=flows.OUT,
        documents=_posted_payments,
        party="supplier__name",
        model=SupplierPayment,
    )
)
