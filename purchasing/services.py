"""Purchases: a supplier's bill received into stock at its prices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects

from accounts import roles
from accounts.models import User
from company import taxation
from core.errors import InvalidDocument
from documents import lifecycle
from documents.dates import check_date
from documents.drafts import check_lines, money, replace_lines
from inventory import ledger
from inventory.models import Item, MovementKind
from parties.services import PARTY_FIELDS as PARTY_FIELDS  # the supplier admin and API list these
from parties.services import save_party
from purchasing.models import Purchase, PurchaseLine, Supplier


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
    """Suppliers are master data: Managers keep them."""
    return save_party(
        supplier or Supplier(),
        by=by,
        allowed=roles.can_manage_master_data(by),
        what="supplier",
        fields=fields,
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
        return lifecycle.submit_new(document=purchase, by=by) if submit else purchase

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
) -> Purchase:
    purchase = lifecycle.edit_draft(document=purchase, by=by)
    check_date(date, model=Purchase)
    _check(supplier, lines)
    purchase.supplier, purchase.date = supplier, date
    purchase.supplier_bill_number, purchase.notes = supplier_bill_number, notes
    return _write(purchase, lines, by)


def _lines(purchase: Purchase) -> list[PurchaseLine]:
    prefetch_related_objects([purchase], "lines")  # read once for the lock and the post steps
    return list(purchase.lines.all())


def _post(purchase: Purchase, by: User) -> None:
    ledger.post(
        changes=[
            # Stock is valued at the taxable value: input tax is recovered, not a cost.
            ledger.StockChange(item_id=line.item_id, quantity=line.quantity, value=line.taxable_value)
            for line in _lines(purchase)
        ],
        kind=MovementKind.PURCHASE,
        date=purchase.date,
        source=ledger.Source.of(purchase),
        by=by,
        balances=lifecycle.held_balances(purchase),
    )


lifecycle.register(
    Purchase,
    lifecycle.DocumentRules(
        verbose="purchase",
        post=_post,
        touched_items=lambda purchase: [line.item_id for line in _lines(purchase)],
        expected_quantities=lambda: PurchaseLine.objects.filter(purchase__status="posted").values_list(
            "purchase_id", "item_id", "quantity"
        ),
    ),
)
