"""Customer bills and payments.

Overpayment rule: a payment against a bill may not exceed what the bill still owes (refused with
the amount owed). Money received without a bill is kept on account as the customer's credit,
which lowers their outstanding balance.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts import roles
from accounts.models import User
from company import taxation
from core.errors import DomainError, InvalidDocument, NotAllowed
from core.rows import insert_with_history
from documents import approval, lifecycle
from documents.dates import check_date
from documents.drafts import check_lines, money, money_problem, replace_lines, update_with_history
from documents.models import DocumentStatus
from inventory import ledger
from inventory.models import Item, MovementKind
from parties.services import save_party
from sales import selectors
from sales.models import Customer, Payment, PaymentMethod, Sale, SaleLine


@dataclass(frozen=True)
class SaleLineInput:
    item: Item
    quantity: int
    unit_price: Decimal | None = None  # None: the item's default selling price
    discount: Decimal = Decimal("0")


def _with_item_prices(lines: Sequence[SaleLineInput]) -> list[SaleLineInput]:
    """Give a line left without a price its item's default selling price (a form sent without JS)."""
    priced, errors = [], {}
    for index, line in enumerate(lines):
        if line.unit_price is None and isinstance(line.item, Item):
            if line.item.default_price is None:
                errors[index] = {
                    "unit_price": [f"Enter a price: {line.item.sku} has no default selling price."]
                }
            else:
                line = replace(line, unit_price=line.item.default_price)
        priced.append(line)
    if errors:
        raise InvalidDocument(lines=errors)
    return priced


def _check(customer: Customer, lines: Sequence[SaleLineInput]) -> None:
    if customer is None or not customer.is_active:
        raise InvalidDocument(fields={"customer": ["Choose an active customer."]})
    check_lines(lines)
    too_big = {
        i: {"discount": ["The discount is more than the line's amount."]}
        for i, line in enumerate(lines)
        if Decimal(line.discount) > line.quantity * Decimal(line.unit_price)
    }
    if too_big:
        raise InvalidDocument(lines=too_big)


def _line_rows(sale: Sale, lines: Sequence[SaleLineInput]) -> list[SaleLine]:
    """The bill's line rows, in memory, and its total."""
    rows = [
        SaleLine(
            sale=sale,
            item=line.item,
            quantity=line.quantity,
            unit_price=money(line.unit_price),
            discount=money(line.discount),
            amount=money(line.quantity * money(line.unit_price) - money(line.discount)),
        )
        for line in lines
    ]
    taxation.apply(sale, rows, sale.customer, from_items=True)
    return rows


def _write(sale: Sale, lines: Sequence[SaleLineInput], by: User) -> Sale:
    """Store a draft bill with these lines (replacing the lines it had)."""
    rows = _line_rows(sale, lines)
    fresh = sale.pk is None
    lifecycle.save_as(sale, by)
    replace_lines(sale.lines, SaleLine, rows, by, fresh=fresh)
    if fresh:
        sale.posting_lines = rows  # a bill posted as it is created need not read its lines back
    return sale


def _store_new(sale: Sale, by: User) -> None:
    """Store a bill submitted as it is created, with the lines (and costs) it holds in memory."""
    lifecycle.store_new(sale, by)
    insert_with_history(sale.posting_lines, by)


def create_sale(
    *,
    by: User,
    customer: Customer,
    lines: Sequence[SaleLineInput],
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> Sale:
    """Write a bill as a draft, or submit it at once; a refused submit writes nothing at all.

    A bill submitted at once is stored once, already posted (or pending approval), with its
    line costs: it never exists as a draft.
    """
    lifecycle.require_may_enter(Sale, by)
    check_date(date, model=Sale, optional=True)
    lines = _with_item_prices(lines)
    _check(customer, lines)

    def create() -> Sale:
        sale = Sale(customer=customer, notes=notes, created_by=by, request_key=request_key)
        if date is not None:
            sale.date = date
        if not submit:
            return _write(sale, lines, by)
        sale.posting_lines = _line_rows(sale, lines)
        return lifecycle.create_submitted(document=sale, by=by, write=lambda bill: _store_new(bill, by))

    return lifecycle.create_once(Sale, request_key, create)


@transaction.atomic
def update_sale(
    *, sale: Sale, by: User, customer: Customer, lines: Sequence[SaleLineInput], date: date, notes: str = ""
) -> Sale:
    sale = lifecycle.edit_draft(document=sale, by=by)
    check_date(date, model=Sale)
    lines = _with_item_prices(lines)
    _check(customer, lines)
    sale.customer, sale.date, sale.notes = customer, date, notes
    return _write(sale, lines, by)


class CreditLimitExceeded(DomainError):
    code = "credit_limit"


def _check_credit(sale: Sale) -> None:
    if sale.customer.credit_limit is None:
        return  # no limit: nothing to check, and no need to queue this customer's bills
    # Bills of one customer are checked one at a time, each seeing what the previous one added.
    customer = Customer.objects.select_for_update().get(pk=sale.customer_id)
    if customer.credit_limit is None:
        return
    owed = selectors.customer_outstanding(customer)
    if owed + sale.total > customer.credit_limit:
        raise CreditLimitExceeded(
            f"{customer.name} would owe {owed + sale.total} against a credit limit of "
            f"{customer.credit_limit} (owes {owed} now)."
        )


def _lines(sale: Sale) -> list[SaleLine]:
    """The bill's lines, read once per posting (the lock step and the post step share them)."""
    if not hasattr(sale, "posting_lines"):
        sale.posting_lines = list(sale.lines.all())
    return sale.posting_lines


def _post_sale(sale: Sale, by: User) -> ledger.PricedPosting:
    lines = _lines(sale)
    priced = ledger.price(
        changes=[ledger.StockChange(item_id=line.item_id, quantity=-line.quantity) for line in lines],
        kind=MovementKind.SALE,
        date=sale.date,
        by=by,
        balances=lifecycle.held_balances(sale),
    )
    # Movements come back in line order; each line keeps the cost it left stock at (COGS).
    for line, movement in zip(lines, priced.movements, strict=True):
        line.cost = -movement.value
        line.unit_cost = movement.unit_cost
    if sale.pk is not None:  # a stored draft's lines; a new bill's are stored with these costs
        update_with_history(SaleLine, lines, ["cost", "unit_cost", *taxation.LINE_TAX_FIELDS], by)
    sale.cost = sum((line.cost for line in lines), Decimal("0"))
    return priced


def _before_post_sale(sale: Sale, by: User) -> None:
    """A stored bill takes its items' tax rates as they are when it posts (its lines are written
    with them in ``_post_sale``); the credit check then sees the grand total it will owe."""
    if sale.pk is not None:
        taxation.apply(sale, _lines(sale), sale.customer, from_items=True)
    _check_credit(sale)


def _before_cancel_sale(sale: Sale, by: User) -> None:
    if selectors.posted_payment_count(sale):
        raise DomainError(f"{sale} has payments against it; cancel those payments first.")


def _before_pending_sale(sale: Sale, by: User) -> None:
    """A bill over the approval threshold must be one that could post today."""
    _check_credit(sale)
    ledger.check_available(
        [ledger.StockChange(item_id=line.item_id, quantity=-line.quantity) for line in _lines(sale)]
    )


lifecycle.register(
    Sale,
    lifecycle.DocumentRules(
        verbose="sales bill",
        post=_post_sale,
        touched_items=lambda sale: [line.item_id for line in _lines(sale)],
        before_cancel=_before_cancel_sale,
        before_post=_before_post_sale,
        before_pending=_before_pending_sale,
        posts_unsaved=True,
        expected_quantities=lambda: (
            (sale_id, item_id, -quantity)
            for sale_id, item_id, quantity in SaleLine.objects.filter(sale__status="posted").values_list(
                "sale_id", "item_id", "quantity"
            )
        ),
    ),
)


def record_payment(
    *,
    by: User,
    customer: Customer,
    amount: Decimal,
    method: str,
    date: date | None = None,
    sale: Sale | None = None,
    reference: str = "",
    notes: str = "",
    request_key: uuid.UUID | None = None,
) -> Payment:
    """Record money received and post it at once, or send it for approval when its amount is over
    PAYMENT_APPROVAL_THRESHOLD."""
    lifecycle.require_may_enter(Payment, by)
    check_date(date, model=Payment, optional=True)
    if customer is None:
        raise InvalidDocument(fields={"customer": ["Choose a customer."]})
    problem = money_problem(amount)
    if problem is None and money(amount) <= 0:
        problem = "Enter an amount above zero."
    if problem:
        raise InvalidDocument(fields={"amount": [problem]})
    if sale is not None and sale.customer_id != customer.pk:
        raise InvalidDocument(fields={"sale": [f"{sale} is not a bill of {customer}."]})
    if method not in PaymentMethod.values:
        raise InvalidDocument(fields={"method": ["Choose a payment method."]})

    def create() -> Payment:
        payment = Payment(
            customer=customer,
            sale=sale,
            amount=money(amount),
            method=method,
            reference=reference,
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        payment.total = payment.amount
        if date is not None:
            payment.date = date
        return lifecycle.create_submitted(
            document=payment, by=by, write=lambda made: lifecycle.store_new(made, by)
        )

    return lifecycle.create_once(Payment, request_key, create)


def _check_against_bill(payment: Payment, by: User) -> None:
    """A payment against a bill may not overpay it (checked before it waits and when it posts)."""
    if payment.sale_id is None:
        return
    sale = Sale.objects.select_for_update().get(pk=payment.sale_id)
    if sale.customer_id != payment.customer_id:
        raise InvalidDocument(fields={"sale": [f"{sale} is not a bill of {payment.customer}."]})
    if sale.status != DocumentStatus.POSTED:
        raise InvalidDocument(fields={"sale": [f"{sale} is not posted, so nothing is owed on it."]})
    owed = selectors.bill_outstanding(sale)
    if payment.amount > owed:
        raise InvalidDocument(
            fields={
                "amount": [
                    f"{sale.number} owes {owed}; a payment of {payment.amount} would overpay it. "
                    "Record the extra without a bill to keep it as the customer's credit."
                ]
            }
        )


lifecycle.register(
    Payment,
    lifecycle.DocumentRules(
        verbose="payment",
        post=_check_against_bill,
        approval_reason=lambda payment: approval.over_limit(
            "payment", payment.amount, settings.PAYMENT_APPROVAL_THRESHOLD
        ),
        before_pending=_check_against_bill,
        moves_stock=False,
        posts_unsaved=True,
    ),
)


@transaction.atomic
def save_customer(*, by: User, customer: Customer | None = None, **fields) -> Customer:
    """Staff and Managers keep customers; only a Manager sets or changes the credit terms (limit
    and days): a longer term would keep a customer off the digest's overdue list."""
    customer = customer or Customer()
    for term, label in (("credit_limit", "credit limit"), ("credit_days", "credit days")):
        if term in fields and fields[term] != getattr(customer, term) and not roles.is_manager(by):
            raise NotAllowed(f"Only a Manager may set a customer's {label}.")
    return save_party(
        customer,
        by=by,
        allowed=roles.can_enter_data(by),
        what="customer",
        fields=fields,
        extra=("credit_limit", "credit_days"),
    )
