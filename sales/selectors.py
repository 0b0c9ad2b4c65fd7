"""Read-side queries for bills and customers: what is paid, what is owed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from company import taxation
from documents.models import DocumentStatus
from sales.models import Customer, Payment, Sale, SaleLine

CENT = Decimal("0.01")
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


class PaymentState:
    UNPAID = "unpaid"
    PARTLY_PAID = "partly paid"
    PAID = "paid"


def _posted_payments_for_bill():
    return (
        Payment.objects.filter(sale=OuterRef("pk"), status=DocumentStatus.POSTED)
        .values("sale")
        .annotate(s=Sum("amount"))
        .values("s")
    )


def bills_with_payments(queryset: QuerySet[Sale] | None = None) -> QuerySet[Sale]:
    """Bills annotated with ``paid``, ``outstanding`` and ``payment_state``."""
    queryset = Sale.objects.all() if queryset is None else queryset
    return queryset.annotate(
        paid=Coalesce(Subquery(_posted_payments_for_bill()), ZERO),
    ).annotate(
        outstanding=Case(
            When(status=DocumentStatus.POSTED, then=F("total") - F("paid")),
            default=ZERO,
        ),
        payment_state=Case(
            When(paid__gte=F("total"), then=Value(PaymentState.PAID)),
            When(paid__gt=0, then=Value(PaymentState.PARTLY_PAID)),
            default=Value(PaymentState.UNPAID),
        ),
    )


def with_no_payments(sale: Sale) -> Sale:
    """A bill just created, annotated as ``bills_with_payments`` would: nothing is paid on it yet."""
    zero = Decimal("0.00")
    sale.paid = zero
    sale.outstanding = sale.total if sale.status == DocumentStatus.POSTED else zero
    sale.payment_state = PaymentState.PAID if zero >= sale.total else PaymentState.UNPAID
    return sale


def bill_outstanding(sale: Sale) -> Decimal:
    if sale.status != DocumentStatus.POSTED:
        return Decimal("0.00")
    paid = sale.payments.filter(status=DocumentStatus.POSTED).aggregate(s=Sum("amount"))["s"] or 0
    return (sale.total - paid).quantize(CENT)


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
    """Customers with ``billed``, ``paid`` and ``outstanding`` (negative means a credit)."""
    queryset = Customer.objects.all() if queryset is None else queryset
    return queryset.annotate(
        billed=_customer_sum(Sale, "total"), paid=_customer_sum(Payment, "amount")
    ).annotate(outstanding=F("billed") - F("paid"))


def customer_outstanding(customer: Customer) -> Decimal:
    outstanding = customers_with_balances(Customer.objects.filter(pk=customer.pk)).get().outstanding
    return Decimal(outstanding).quantize(CENT)  # SQLite hands back sums without their scale


def total_outstanding() -> Decimal:
    billed = Sale.objects.filter(status=DocumentStatus.POSTED).aggregate(s=Sum("total"))["s"] or 0
    paid = Payment.objects.filter(status=DocumentStatus.POSTED).aggregate(s=Sum("amount"))["s"] or 0
    return (Decimal(billed) - Decimal(paid)).quantize(CENT)


def posted_payment_count(sale: Sale) -> int:
    return sale.payments.filter(Q(status=DocumentStatus.POSTED)).count()


def tax_summary(sale: Sale) -> list[dict[str, Decimal]]:
    """The bill's tax by rate (rate, taxable, cgst, sgst, igst, tax), in rate order."""
    return taxation.tax_summary(SaleLine.objects.filter(sale=sale))
