"""Read-side queries for bills and customers: what is paid, what is owed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from company import taxation
from core.money import CENT
from documents.models import DocumentStatus
from documents.payment_state import payment_state, payment_state_case
from sales.models import Customer, CustomerOpeningDue, Payment, Sale, SaleLine

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


# Documents of other apps that change what a customer owes register their posted amounts here, so
# the balance stays one sum without this app importing them: a credit note is taken off what was
# billed, a refund paid out off what was paid (owed = bills − payments − credit notes + refunds).
# Each model has ``customer`` and ``sale`` foreign keys and a ``status``.
_BALANCE_TERMS: list[tuple[type, str, str]] = []  # (model, amount field, "billed" or "paid")


def count_in_balance(model: type, field: str, *, taken_from: str) -> None:
    if taken_from not in ("billed", "paid"):
        raise ValueError("a balance term is taken from 'billed' or 'paid'")
    if (model, field, taken_from) not in _BALANCE_TERMS:
        _BALANCE_TERMS.append((model, field, taken_from))


def _terms(taken_from: str) -> list[tuple[type, str]]:
    return [(model, field) for model, field, column in _BALANCE_TERMS if column == taken_from]


def _posted_sum(queryset, field: str) -> Decimal:
    return Decimal(queryset.filter(status=DocumentStatus.POSTED).aggregate(s=Sum(field))["s"] or 0)


def _posted_payments_for_bill():
    return (
        Payment.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED)
        .values("sale")
        .annotate(s=Sum("amount"))
        .values("s")
    )


def _bill_term(model: type, field: str):
    return Coalesce(
        Subquery(
            model.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED)
            .values("sale")
            .annotate(s=Sum(field))
            .values("s")
        ),
        ZERO,
    )


def _bill_due():
    """What a bill asks for once credit notes against it are taken off and refunds added back."""
    due = F("total")
    for model, field in _terms("billed"):
        due = due - _bill_term(model, field)
    for model, field in _terms("paid"):
        due = due + _bill_term(model, field)
    return due


def bills_with_payments(queryset: QuerySet[Sale] | None = None) -> QuerySet[Sale]:
    """Bills annotated with ``paid``, ``outstanding`` and ``payment_state``.

    A bill is paid once its payments cover what it asks for after credit notes against it
    (``billed_net``): a bill returned in full on credit owes nothing. A credit note on a bill
    already paid leaves it paid above what it asks: the bill is settled (owes 0) and the excess
    is the customer's credit, counted in what the customer owes (``customer_outstanding``) and
    shown as money on account by the ageing, not as a negative figure against the bill.
    """
    queryset = Sale.objects.all() if queryset is None else queryset
    return queryset.annotate(
        paid=Coalesce(Subquery(_posted_payments_for_bill()), ZERO),
        billed_net=_bill_due(),
    ).annotate(
        outstanding=Case(
            When(status=DocumentStatus.POSTED, billed_net__gt=F("paid"), then=F("billed_net") - F("paid")),
            default=ZERO,
        ),
        payment_state=payment_state_case(paid="paid", due="billed_net"),
    )


def with_payments(sale: Sale) -> Sale:
    """A bill in memory (e.g. one just created) with ``paid``, ``outstanding`` and
    ``payment_state`` as ``bills_with_payments`` works them out: one definition, one query."""
    sale.paid, sale.outstanding, sale.payment_state = (
        bills_with_payments(Sale.objects.filter(pk=sale.pk))
        .values_list("paid", "outstanding", "payment_state")
        .get()
    )
    sale.paid, sale.outstanding = Decimal(sale.paid).quantize(CENT), Decimal(sale.outstanding).quantize(CENT)
    return sale


def with_nothing_paid(sale: Sale) -> Sale:
    """A bill created moments ago, with the figures ``with_payments`` would read: nothing can be
    paid on it or returned from it yet, so no query is needed (the API's answer to a new bill)."""
    zero = Decimal("0.00")
    sale.paid = zero
    sale.outstanding = sale.total if sale.status == DocumentStatus.POSTED else zero
    sale.payment_state = payment_state(zero, sale.total)
    return sale


def bill_outstanding(sale: Sale) -> Decimal:
    """What a bill still owes (nothing unless it is posted), as ``bills_with_payments`` says."""
    outstanding = (
        bills_with_payments(Sale.objects.filter(pk=sale.pk)).values_list("outstanding", flat=True).get()
    )
    return Decimal(outstanding).quantize(CENT)  # SQLite hands back sums without their scale


def _customer_sum(model, field: str):
    return Coalesce(
        Subquery(
            model.objects.filter(customer=OuterRef("pk"), status=DocumentStatus.POSTED)
            .values("customer")
            .annotate(s=Sum(field))
            .values("s")
        ),
        ZERO,
    )


def customers_with_balances(queryset: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """Customers with ``billed``, ``paid`` and ``outstanding`` (negative means a credit).

    ``billed`` counts the opening due of the go-live date like a posted bill.
    """
    queryset = Customer.objects.all() if queryset is None else queryset
    billed = _customer_sum(Sale, "total") + Coalesce(F("opening_due__amount"), ZERO)
    paid = _customer_sum(Payment, "amount")
    for model, field in _terms("billed"):
        billed = billed - _customer_sum(model, field)
    for model, field in _terms("paid"):
        paid = paid - _customer_sum(model, field)
    return queryset.annotate(billed=billed, paid=paid).annotate(outstanding=F("billed") - F("paid"))


def customer_outstanding(customer: Customer) -> Decimal:
    outstanding = customers_with_balances(Customer.objects.filter(pk=customer.pk)).get().outstanding
    return Decimal(outstanding).quantize(CENT)  # SQLite hands back sums without their scale


def total_outstanding() -> Decimal:
    billed = _posted_sum(Sale.objects, "total")
    paid = _posted_sum(Payment.objects, "amount")
    billed -= sum((_posted_sum(model.objects, field) for model, field in _terms("billed")), Decimal(0))
    paid -= sum((_posted_sum(model.objects, field) for model, field in _terms("paid")), Decimal(0))
    billed += Decimal(CustomerOpeningDue.objects.aggregate(s=Sum("amount"))["s"] or 0)
    return (billed - paid).quantize(CENT)


def posted_payment_count(sale: Sale) -> int:
    return sale.payments.filter(Q(status=DocumentStatus.POSTED)).count()


def tax_summary(sale: Sale) -> list[dict[str, Decimal]]:
    """The bill's tax by rate (rate, taxable, cgst, sgst, igst, tax), in rate order."""
    return taxation.tax_summary(SaleLine.objects.filter(sale=sale))
