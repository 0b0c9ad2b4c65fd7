"""Many bills (or payments) of one day posted at once: the bulk path of ``create_sale`` and
``record_payment``, for loads such as ``seed_demo``'s million lines a year.

Each document keeps every rule its one-at-a-time service keeps, through the same functions:

- who may enter it (``lifecycle.require_may_enter``), its date (``check_date``), its lines and
  customer (``lines.check_bill``), its prices and amounts (``lines.with_prices``, ``lines.line_rows``;
  each price list's prices read once for the batch);
- stock: ``ledger.post_many`` checks and prices every bill in the order given exactly as
  ``ledger.price`` would (availability, moving-average cost, one movement per line), under one
  lock, in one COPY; the lines take their cost from the movements through ``services.cost_lines``,
  as ``_post_sale`` does;
- the rules other apps hold over a posting (``lifecycle.guard_posted_many``: e.g. no money dated
  into a cash day already counted);
- the period lock, then the stock locks, then the numbers (``next_numbers``: gapless, in the order
  given), the order every posting keeps;
- the credit limit (a customer's bills of the batch count together) and, for payments, what each
  bill still owes (the batch's earlier payments count too).

A bulk posting takes only documents that post at once: one that would wait for approval (over
its type's limit) is refused, with the rest, before anything is written. Documents and lines are
stored once, already posted, each with one "created" history row by ``by``, at its ``entered_at``
(default now); the posting observers (the report summaries) are told once per batch
(``lifecycle.notify_posted_many``). Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from cashbook import services as cashbook_services
from company import taxation
from company.models import SellerProfile
from core.bounds import MAX_PAYMENT
from core.bulk_copy import copy_with_history, take_ids
from core.errors import DomainError, InvalidDocument
from core.money import money
from documents import lifecycle
from documents.dates import check_date
from documents.drafts import money_problem
from documents.models import DocumentStatus
from documents.numbering import next_numbers
from inventory import ledger
from inventory.models import MovementKind
from sales import pricing, selectors
from sales.lines import SaleLineInput, check_bill, line_rows, with_prices
from sales.models import Customer, Payment, Sale, SaleLine
from sales.services import CreditLimitExceeded, cost_lines


@dataclass(frozen=True)
class BulkBill:
    customer: Customer
    lines: Sequence[SaleLineInput]
    entered_at: datetime | None = None  # when it was entered (a load of past business); None: now


@dataclass(frozen=True)
class BulkPayment:
    customer: Customer
    amount: Decimal
    method: str
    sale_id: int | None = None
    reference: str = ""
    entered_at: datetime | None = None


class NeedsApproval(DomainError):
    code = "needs_approval"


def _refuse_waiting(model: type, documents: Sequence) -> None:
    rules = lifecycle.rules_for(model)
    for document in documents:
        reason = rules.approval_reason(document)
        if reason:
            raise NeedsApproval(
                f"A {rules.verbose} for {document.customer} would wait for approval ({reason}); "
                "a bulk posting takes only documents that post at once."
            )


def _check_credit(sales: Sequence[Sale]) -> None:
    """``services._check_credit`` for a batch: a customer's bills of the batch count together."""
    limited = sorted({s.customer_id for s in sales if s.customer.credit_limit is not None})
    if not limited:
        return
    batch: dict[int, Decimal] = defaultdict(Decimal)
    for sale in sales:
        batch[sale.customer_id] += sale.total
    for customer in Customer.objects.select_for_update().filter(pk__in=limited).order_by("pk"):
        if customer.credit_limit is None:
            continue
        owed = selectors.customer_outstanding(customer)
        if owed + batch[customer.pk] > customer.credit_limit:
            raise CreditLimitExceeded(
                f"{customer.name} would owe {owed + batch[customer.pk]} against a credit limit of "
                f"{customer.credit_limit} (owes {owed} now)."
            )


def post_bills(*, by: User, date: date, bills: Sequence[BulkBill]) -> list[Sale]:
    """Post these bills of ``date``, in the order given, or refuse them all (see the module)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sales.bulk.post_bills must run inside transaction.atomic()")
    if not bills:
        return []
    lifecycle.require_may_enter(Sale, by)
    check_date(date, model=Sale)
    now = timezone.now()
    # The seller's state and the items' tax rates, read once for the batch (as each bill reads them).
    seller_state = SellerProfile.current().state_code
    items = {getattr(line.item, "pk", None) for bill in bills for line in bill.lines}
    rates = taxation.item_rates(pk for pk in items if pk is not None)
    # Each price list's prices on the day, read once: customers on one list share its prices
    # (``pricing.list_prices`` looks at the customer's list only), instead of two queries a bill.
    listed: dict[int | None, dict[int, Decimal]] = {}
    for bill in bills:
        key = getattr(bill.customer, "price_list_id", None)
        if key not in listed and isinstance(bill.customer, Customer):
            listed[key] = pricing.list_prices(customer=bill.customer, item_ids=items - {None}, on=date)
    sales, lines = [], []
    for bill in bills:
        key = getattr(bill.customer, "price_list_id", None)
        priced = with_prices(bill.customer, bill.lines, date, listed.get(key))
        check_bill(bill.customer, priced)
        at = bill.entered_at or now
        sale = Sale(
            customer=bill.customer,
            date=date,
            status=DocumentStatus.POSTED,
            created_by=by,
            created_at=at,
            submitted_at=at,
            posted_at=at,
        )
        lines.append(line_rows(sale, priced, seller_state=seller_state, rates=rates))
        sales.append(sale)
    _refuse_waiting(Sale, sales)
    ledger.check_period_open(date)
    lifecycle.guard_posted_many(Sale, sales, by)
    _check_credit(sales)
    ledger.lock_balances(line.item_id for rows in lines for line in rows)
    numbers = next_numbers(Sale.NUMBER_PREFIX, date, len(sales))
    # Ids first, so that the ledger prices each bill before it is stored and the bill is written
    # once, in its final state (its cost), as a bill posted on entry is.
    for sale, rows, number, pk in zip(sales, lines, numbers, take_ids(Sale, len(sales)), strict=True):
        sale.number, sale.pk = number, pk
        for line in rows:
            line.sale_id = pk  # made before its bill had an id (nothing here reads line.sale again)
    movements = ledger.post_many(
        postings=[
            ledger.Posting(
                source=ledger.Source.of(sale),
                changes=[ledger.StockChange(item_id=line.item_id, quantity=-line.quantity) for line in rows],
            )
            for sale, rows in zip(sales, lines, strict=True)
        ],
        kind=MovementKind.SALE,
        date=date,
        by=by,
    )
    for sale, rows, made in zip(sales, lines, movements, strict=True):
        cost_lines(sale, rows, made)
    copy_with_history(Sale, sales, by=by, at=[s.created_at for s in sales])
    all_lines = [line for rows in lines for line in rows]
    entered = [sale.created_at for sale, rows in zip(sales, lines, strict=True) for _line in rows]
    copy_with_history(SaleLine, all_lines, by=by, at=entered)
    lifecycle.notify_posted_many(Sale, [s.pk for s in sales])
    return sales


def _check_payment(payment: BulkPayment) -> None:
    if payment.customer is None:
        raise InvalidDocument(fields={"customer": ["Choose a customer."]})
    if problem := money_problem(payment.amount, above_zero=True, below=MAX_PAYMENT):
        raise InvalidDocument(fields={"amount": [problem]})
    if problems := cashbook_services.payment_problems(method=payment.method, account=None):
        raise InvalidDocument(fields=problems)


def _check_against_bills(payments: Sequence[Payment]) -> None:
    """``services._check_against_bill`` for a batch: the batch's earlier payments count too."""
    ids = sorted({p.sale_id for p in payments if p.sale_id is not None})
    if not ids:
        return
    bills = {s.pk: s for s in Sale.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    paid = dict(
        Payment.objects.filter(sale_id__in=ids, status=DocumentStatus.POSTED)
        .values("sale_id")
        .annotate(s=Sum("amount"))
        .values_list("sale_id", "s")
        .order_by()
    )
    owed = {pk: bill.total - Decimal(paid.get(pk) or 0) for pk, bill in bills.items()}
    for payment in payments:
        if payment.sale_id is None:
            continue
        sale = bills.get(payment.sale_id)
        if sale is None or sale.customer_id != payment.customer_id:
            raise InvalidDocument(
                fields={"sale": [f"{sale or 'That bill'} is not a bill of {payment.customer}."]}
            )
        if sale.status != DocumentStatus.POSTED:
            raise InvalidDocument(fields={"sale": [f"{sale} is not posted, so nothing is owed on it."]})
        if payment.amount > owed[sale.pk]:
            raise InvalidDocument(
                fields={
                    "amount": [
                        f"{sale.number} owes {owed[sale.pk]}; a payment of {payment.amount} would overpay it."
                    ]
                }
            )
        owed[sale.pk] -= payment.amount


def post_payments(*, by: User, date: date, payments: Sequence[BulkPayment]) -> list[Payment]:
    """Post these payments of ``date``, in the order given, or refuse them all (see the module)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sales.bulk.post_payments must run inside transaction.atomic()")
    if not payments:
        return []
    lifecycle.require_may_enter(Payment, by)
    check_date(date, model=Payment)
    now = timezone.now()
    documents = []
    for given in payments:
        _check_payment(given)
        at = given.entered_at or now
        amount = money(given.amount)
        documents.append(
            Payment(
                customer=given.customer,
                sale_id=given.sale_id,
                amount=amount,
                total=amount,
                method=given.method,
                reference=given.reference,
                date=date,
                status=DocumentStatus.POSTED,
                created_by=by,
                created_at=at,
                submitted_at=at,
                posted_at=at,
            )
        )
    _refuse_waiting(Payment, documents)
    ledger.check_period_open(date)
    lifecycle.guard_posted_many(Payment, documents, by)  # e.g. a cash day already counted
    _check_against_bills(documents)
    numbers = next_numbers(Payment.NUMBER_PREFIX, date, len(documents))
    for payment, number in zip(documents, numbers, strict=True):
        payment.number = number
    copy_with_history(Payment, documents, by=by, at=[p.created_at for p in documents])
    lifecycle.notify_posted_many(Payment, [p.pk for p in documents])
    return documents
