"""Customer bills and payments.

Overpayment rule: a payment against a bill may not exceed what the bill still owes (refused with
the amount owed). Money received without a bill is kept on account as the customer's credit,
which lowers their outstanding balance.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from cashbook import flows
from cashbook import services as cashbook_services
from cashbook.models import Account
from company import taxation
from core.bounds import MAX_PAYMENT
from core.errors import DomainError, InvalidDocument, NotAllowed
from core.money import money
from core.rows import insert_with_history
from documents import approval, lifecycle
from documents.dates import check_date
from documents.drafts import money_problem, replace_lines, update_with_history
from documents.models import DocumentStatus
from inventory import ledger
from inventory.models import Item, MovementKind, StockMovement
from parties.services import save_party
from sales import bill_terms, pricing, selectors
from sales.lines import SaleLineInput, check_bill, line_rows, with_prices
from sales.models import Customer, Payment, Sale, SaleLine


def _write(
    sale: Sale, lines: Sequence[SaleLineInput], by: User, terms: bill_terms.BillTerms | None = None
) -> list[SaleLine]:
    """Store a draft bill with these lines (replacing the lines it had); its stored line rows.
    ``terms``: its items' tax, if already read."""
    if terms is None:
        rows = line_rows(sale, lines)
    else:
        rows = line_rows(sale, lines, seller_state=terms.seller_state, rates=terms.rates)
    fresh = sale.pk is None
    lifecycle.save_as(sale, by)
    return replace_lines(sale.lines, SaleLine, rows, by, fresh=fresh)


def _store_new(posting: lifecycle.PostingContext) -> None:
    """Store a bill submitted as it is created, with the lines (and costs) it holds in memory."""
    lifecycle.store_new(posting.document, posting.by)
    insert_with_history(posting.lines, posting.by)


@dataclass(frozen=True)
class CreatedBill:
    """A bill just made and the line rows it was stored with (None: it was made before, by an
    earlier request with the same one-time key, and its lines are read as usual)."""

    sale: Sale
    lines: list[SaleLine] | None


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
    """``create_bill`` for whoever needs only the bill."""
    return create_bill(
        by=by, customer=customer, lines=lines, date=date, notes=notes, request_key=request_key, submit=submit
    ).sale


def create_bill(
    *,
    by: User,
    customer: Customer,
    lines: Sequence[SaleLineInput],
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> CreatedBill:
    """Write a bill as a draft, or submit it at once; a refused submit writes nothing at all.

    A bill submitted at once is stored once, already posted (or pending approval), with its
    line costs: it never exists as a draft.
    """
    lifecycle.require_may_enter(Sale, by)
    check_date(date, model=Sale, optional=True)
    on = date or timezone.localdate()
    # The items' list prices and tax, and the seller's state, in one read (sales.bill_terms).
    terms = bill_terms.read(
        customer=customer if isinstance(customer, Customer) else None,
        item_ids=[line.item.pk for line in lines if isinstance(line.item, Item) and line.item.pk],
        on=on,
    )
    lines = with_prices(customer, lines, on, listed=terms.listed)
    check_bill(customer, lines)

    made: list[SaleLine] = []
    built: list[Sale] = []

    def create() -> Sale:
        sale = Sale(customer=customer, notes=notes, created_by=by, request_key=request_key)
        built[:] = [sale]
        if date is not None:
            sale.date = date
        if not submit:
            made[:] = _write(sale, lines, by, terms)
            return sale
        made[:] = line_rows(sale, lines, seller_state=terms.seller_state, rates=terms.rates)
        return lifecycle.submit(document=sale, by=by, lines=made, write=_store_new)

    sale = lifecycle.create_once(Sale, request_key, create)
    # A bill made by an earlier request with this key holds none of these rows. (Compare the
    # objects: reading ``made[0].sale`` would fetch the bill again, as lines carry only its id.)
    return CreatedBill(sale, made if built and built[0] is sale else None)


@transaction.atomic
def update_sale(
    *,
    sale: Sale,
    by: User,
    customer: Customer,
    lines: Sequence[SaleLineInput],
    date: date,
    notes: str = "",
    submit: bool = False,
) -> Sale:
    """Change a draft bill; ``submit`` then submits it in the same transaction, so a refused
    submit leaves the draft as it was."""
    sale = lifecycle.edit_draft(document=sale, by=by)
    check_date(date, model=Sale)
    lines = with_prices(customer, lines, date)
    check_bill(customer, lines)
    sale.customer, sale.date, sale.notes = customer, date, notes
    _write(sale, lines, by)
    return lifecycle.submit(document=sale, by=by, locked=True) if submit else sale


class CreditLimitExceeded(DomainError):
    code = "credit_limit"


def _check_credit(posting: lifecycle.PostingContext) -> None:
    sale = posting.document
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


def _post_sale(posting: lifecycle.PostingContext) -> ledger.PricedPosting:
    sale, lines, by = posting.document, posting.lines, posting.by
    priced = ledger.price(
        changes=[ledger.StockChange(item_id=line.item_id, quantity=-line.quantity) for line in lines],
        kind=MovementKind.SALE,
        date=sale.date,
        by=by,
        balances=posting.balances,
    )
    cost_lines(sale, lines, priced.movements)
    if sale.pk is not None:  # a stored draft's lines; a new bill's are stored with these costs
        update_with_history(SaleLine, lines, ["cost", "unit_cost", *taxation.LINE_TAX_FIELDS], by)
    return priced


def cost_lines(sale: Sale, lines: Sequence[SaleLine], movements: Sequence[StockMovement]) -> None:
    """Give each line the cost its stock left at (COGS), and the bill their sum.

    The ledger prices a bill's movements in line order, one per line (``ledger.price`` here,
    ``ledger.post_many`` in ``sales.bulk``).
    """
    for line, movement in zip(lines, movements, strict=True):
        line.cost = -movement.value
        line.unit_cost = movement.unit_cost
    sale.cost = sum((line.cost for line in lines), Decimal("0"))


def _before_post_sale(posting: lifecycle.PostingContext) -> None:
    """A stored bill takes its items' tax rates as they are when it posts (its lines are written
    with them in ``_post_sale``); the credit check then sees the grand total it will owe."""
    sale = posting.document
    if sale.pk is not None:
        taxation.apply(sale, posting.lines, sale.customer, from_items=True)
    _check_credit(posting)


def _before_cancel_sale(posting: lifecycle.PostingContext) -> None:
    sale = posting.document
    if selectors.posted_payment_count(sale):
        raise DomainError(f"{sale} has payments against it; cancel those payments first.")


def _before_pending_sale(posting: lifecycle.PostingContext) -> None:
    """A bill over the approval threshold must be one that could post today."""
    _check_credit(posting)
    ledger.check_available(
        [ledger.StockChange(item_id=line.item_id, quantity=-line.quantity) for line in posting.lines]
    )


def _sale_approval_reason(sale: Sale) -> str | None:
    """Over the approval limit, or priced far from the customer's list: a second person looks."""
    return approval.reasons(approval.total_over_limit(sale), pricing.off_list_reason(sale))


lifecycle.register(
    Sale,
    lifecycle.DocumentRules(
        verbose="sales bill",
        approval_reason=_sale_approval_reason,
        post=_post_sale,
        lines=lambda sale: list(sale.lines.all()),
        touched_items=lambda posting: [line.item_id for line in posting.lines],
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
    account: Account | None = None,
) -> Payment:
    """Record money received and post it at once, or send it for approval when its amount is over
    PAYMENT_APPROVAL_THRESHOLD."""
    lifecycle.require_may_enter(Payment, by)
    check_date(date, model=Payment, optional=True)
    if customer is None:
        raise InvalidDocument(fields={"customer": ["Choose a customer."]})
    problem = money_problem(amount, above_zero=True, below=MAX_PAYMENT)
    if problem:
        raise InvalidDocument(fields={"amount": [problem]})
    if sale is not None and sale.customer_id != customer.pk:
        raise InvalidDocument(fields={"sale": [f"{sale} is not a bill of {customer}."]})
    if problems := cashbook_services.payment_problems(method=method, account=account):
        raise InvalidDocument(fields=problems)

    def create() -> Payment:
        payment = Payment(
            customer=customer,
            sale=sale,
            amount=money(amount),
            method=method,
            account=account,
            reference=reference,
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        payment.total = payment.amount
        if date is not None:
            payment.date = date
        return lifecycle.submit(
            document=payment, by=by, write=lambda posting: lifecycle.store_new(payment, by)
        )

    return lifecycle.create_once(Payment, request_key, create)


def _check_against_bill(posting: lifecycle.PostingContext) -> None:
    """A payment against a bill may not overpay it (checked before it waits and when it posts)."""
    payment = posting.document
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


def _posted_between(model, start: date | None, end: date | None):
    docs = model.objects.filter(status=DocumentStatus.POSTED)
    if start is not None:
        docs = docs.filter(date__gte=start)
    if end is not None:
        docs = docs.filter(date__lte=end)
    return docs


flows.register(
    flows.MoneyFlow(
        name="customer_payment",
        label="Customer payment",
        direction=flows.IN,
        documents=lambda start, end: _posted_between(Payment, start, end),
        party="customer__name",
        model=Payment,
    )
)


@transaction.atomic
def save_customer(*, by: User, customer: Customer | None = None, **fields) -> Customer:
    """Staff and Managers keep customers; only a Manager sets or changes the credit terms (limit
    and days): a longer term would keep a customer off the digest's overdue list."""
    customer = customer or Customer()
    terms = (("credit_limit", "credit limit"), ("credit_days", "credit days"), ("price_list", "price list"))
    for term, label in terms:
        if term in fields and fields[term] != getattr(customer, term) and not roles.is_manager(by):
            raise NotAllowed(f"Only a Manager may set a customer's {label}.")
    return save_party(
        customer,
        by=by,
        allowed=roles.can_enter_data(by),
        what="customer",
        fields=fields,
        extra=("credit_limit", "credit_days", "price_list"),
    )
