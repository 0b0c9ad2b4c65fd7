"""Opening balances on the go-live date: stock at its cost, what customers owe, what is owed to suppliers.

Each is entered once per item or party by a Manager, dated on the go-live date (``GO_LIVE_DATE``,
or today when none is set), and refused once that date lies in a closed period. Opening stock is
written through the ledger (kind ``opening``) at the stated unit cost, and the stock summary is
kept in the same transaction, as for any posting.
"""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from core.bounds import MAX_DOCUMENT_TOTAL, MAX_LINE_QUANTITY, MAX_PRICE
from core.errors import InvalidDocument, NotAllowed, PeriodClosed
from core.money import CENT, money
from documents import dates, lifecycle
from inventory import ledger
from inventory.models import Item, MovementKind, OpeningStock
from purchasing.models import Supplier, SupplierOpeningDue
from reporting import freshness, summaries
from sales.models import Customer, CustomerOpeningDue


def go_live_date() -> Date:
    return settings.GO_LIVE_DATE or timezone.localdate()


def _require_manager(by: User) -> None:
    if not roles.can_manage_master_data(by):
        raise NotAllowed("Only a Manager may enter opening balances.")


def _opening_date(when: Date | None) -> Date:
    when = when or go_live_date()
    if when > timezone.localdate():
        raise InvalidDocument(fields={"date": ["Opening balances cannot be dated ahead."]})
    through = dates.closed_through()
    if through is not None and when <= through:
        raise PeriodClosed(when, through)
    return when


def _money(value: Decimal, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidDocument(fields={field: ["Enter an amount."]})
    if value <= 0 or value > MAX_DOCUMENT_TOTAL:
        raise InvalidDocument(fields={field: [f"Enter an amount above 0 and at most {MAX_DOCUMENT_TOTAL}."]})
    if value != value.quantize(CENT):
        raise InvalidDocument(fields={field: ["Enter at most 2 decimal places."]})
    return value


@transaction.atomic
def enter_opening_stock(
    *, by: User, item: Item, quantity: int, unit_cost: Decimal, date: Date | None = None
) -> OpeningStock:
    """Bring ``quantity`` of ``item`` into stock at ``unit_cost`` on the go-live date, once."""
    _require_manager(by)
    if not isinstance(quantity, int) or quantity <= 0 or quantity > MAX_LINE_QUANTITY:
        raise InvalidDocument(fields={"quantity": ["Enter a whole quantity above 0."]})
    if not isinstance(unit_cost, Decimal) or not unit_cost.is_finite() or unit_cost < 0:
        raise InvalidDocument(fields={"unit_cost": ["Enter a unit cost of 0 or more."]})
    if unit_cost != unit_cost.quantize(ledger.UNIT_COST_PLACES) or unit_cost > MAX_PRICE:
        raise InvalidDocument(
            fields={"unit_cost": [f"Enter a unit cost up to {MAX_PRICE}, with at most 4 decimals."]}
        )
    when = _opening_date(date)
    ledger.check_period_open(when)
    # The balance lock also serialises two openings of one item: the second sees the first's row.
    balances = ledger.lock_balances([item.pk])
    if OpeningStock.objects.filter(item=item).exists():
        raise InvalidDocument(fields={"item": [f"{item.sku} already has its opening stock."]})
    value = money(unit_cost * quantity)
    if value > MAX_DOCUMENT_TOTAL:
        raise InvalidDocument(fields={"quantity": ["Quantity × unit cost is too large."]})
    opening = OpeningStock(
        item=item, quantity=quantity, unit_cost=unit_cost, value=value, date=when, entered_by=by
    )
    lifecycle.save_as(opening, by)
    source = ledger.Source(type=OpeningStock._meta.label_lower, id=opening.pk, number="Opening")
    ledger.post(
        changes=[ledger.StockChange(item_id=item.pk, quantity=quantity, value=value)],
        kind=MovementKind.OPENING,
        date=when,
        source=source,
        by=by,
        balances=balances,
    )
    summaries.apply_movements(
        where="m.source_type = %s AND m.source_id = %s", params=[source.type, source.id]
    )
    freshness.mark_changed()  # the balance moved by plain SQL, so no save signal tells the dashboard
    return opening


@transaction.atomic
def enter_customer_due(*, by: User, customer: Customer, amount: Decimal, date: Date | None = None):
    """What ``customer`` owed on the go-live date; receivables count it like a posted bill."""
    _require_manager(by)
    amount = _money(amount, "amount")
    when = _opening_date(date)
    Customer.objects.select_for_update().get(pk=customer.pk)
    if CustomerOpeningDue.objects.filter(customer=customer).exists():
        raise InvalidDocument(fields={"customer": [f"{customer} already has an opening due."]})
    due = CustomerOpeningDue(customer=customer, amount=amount, date=when, entered_by=by)
    lifecycle.save_as(due, by)
    summaries.apply_customer_opening_due(customer.pk)
    freshness.mark_changed()  # what customers owe, on the dashboard
    return due


@transaction.atomic
def enter_supplier_due(*, by: User, supplier: Supplier, amount: Decimal, date: Date | None = None):
    """What was owed to ``supplier`` on the go-live date (payables read it as an opening bill)."""
    _require_manager(by)
    amount = _money(amount, "amount")
    when = _opening_date(date)
    Supplier.objects.select_for_update().get(pk=supplier.pk)
    if SupplierOpeningDue.objects.filter(supplier=supplier).exists():
        raise InvalidDocument(fields={"supplier": [f"{supplier} already has an opening due."]})
    due = SupplierOpeningDue(supplier=supplier, amount=amount, date=when, entered_by=by)
    lifecycle.save_as(due, by)
    return due
