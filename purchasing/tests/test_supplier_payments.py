"""Supplier payments: against one or more bills or on account; a bill is never overpaid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidDocument
from documents import lifecycle
from documents.numbering import financial_year_label
from purchasing import selectors
from purchasing.models import Purchase, SupplierPayment, SupplierPaymentLine
from purchasing.services import AllocationInput, record_supplier_payment, save_supplier

pytestmark = pytest.mark.django_db
D = Decimal


def pay(by, supplier, amount, *allocations, **kwargs):
    return record_supplier_payment(
        by=by,
        supplier=supplier,
        amount=D(amount),
        method=kwargs.pop("method", "bank"),
        allocations=[AllocationInput(purchase=bill, amount=D(a)) for bill, a in allocations],
        **kwargs,
    )


def test_a_bill_goes_from_unpaid_to_partly_paid_to_paid(plant, staff_user):
    bill = plant.buy(staff_user, (plant.preform, 1000, "2.50"))
    assert selectors.payment_state(bill) == "unpaid"
    first = pay(staff_user, plant.supplier, "1000.00", (bill, "1000.00"))
    assert (first.status, first.number) == ("posted", f"SP/{financial_year_label(first.date)}/00001")
    assert selectors.payment_state(bill) == "partly paid"
    assert selectors.bill_outstanding(bill) == D("1500.00")
    pay(staff_user, plant.supplier, "1500.00", (bill, "1500.00"))
    assert selectors.payment_state(bill) == "paid"
    annotated = selectors.bills_with_payments(Purchase.objects.filter(pk=bill.pk)).get()
    assert (annotated.paid, annotated.outstanding, annotated.payment_state) == (D("2500.00"), D("0"), "paid")
    assert selectors.supplier_outstanding(plant.supplier) == D("0.00")


def test_one_payment_settles_two_bills_and_keeps_the_rest_on_account(plant, staff_user):
    a = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    b = plant.buy(staff_user, (plant.cap, 100, "0.50"))
    payment = pay(staff_user, plant.supplier, "300.00", (a, "200.00"), (b, "50.00"))
    assert sorted(payment.lines.values_list("purchase_id", "amount")) == [
        (a.pk, D("200.00")),
        (b.pk, D("50.00")),
    ]
    assert selectors.payment_state(a) == "paid"
    assert selectors.bill_outstanding(b) == D("0.00")
    assert selectors.on_account(plant.supplier) == D("50.00")
    # 250 billed − 300 paid: the supplier holds 50 of the plant's money.
    assert selectors.supplier_outstanding(plant.supplier) == D("-50.00")


def test_a_payment_that_would_overpay_a_bill_is_refused_and_writes_nothing(plant, staff_user):
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    pay(staff_user, plant.supplier, "150.00", (bill, "150.00"))
    with pytest.raises(InvalidDocument) as refused:
        pay(staff_user, plant.supplier, "60.00", (bill, "60.00"))
    assert refused.value.fields["amount"] == [
        f"{bill.number} owes 50.00; paying 60.00 against it would overpay it. "
        "Pay the extra on account instead."
    ]
    assert SupplierPayment.objects.count() == 1
    assert SupplierPaymentLine.objects.count() == 1


def test_allocations_above_the_payment_or_to_another_suppliers_bill_are_refused(
    plant, staff_user, manager_user
):
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    with pytest.raises(InvalidDocument) as refused:
        pay(staff_user, plant.supplier, "100.00", (bill, "150.00"))
    assert refused.value.fields["amount"] == ["The bills are given 150.00, more than the payment of 100.00."]
    other = save_supplier(by=manager_user, name="Cap Co")
    with pytest.raises(InvalidDocument) as refused:
        pay(staff_user, other, "100.00", (bill, "100.00"))
    assert refused.value.fields["allocations-0-purchase"] == [f"{bill.number} is not a bill of Cap Co."]
    with pytest.raises(InvalidDocument):
        pay(staff_user, plant.supplier, "0", (bill, "0"))
    assert SupplierPayment.objects.count() == 0


def test_a_payment_over_the_threshold_waits_and_its_creator_may_not_approve_it(
    plant, staff_user, manager_user, owner_user, settings
):
    settings.SUPPLIER_PAYMENT_APPROVAL_THRESHOLD = D("1000")
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"), submit=True)
    small = pay(staff_user, plant.supplier, "100.00", (bill, "100.00"))
    assert small.status == "posted"
    big = pay(manager_user, plant.supplier, "1500.00")
    assert big.status == "pending" and big.number is None
    with pytest.raises(DomainError):
        lifecycle.approve(document=big, by=manager_user)
    approved = lifecycle.approve(document=big, by=owner_user)
    assert approved.status == "posted"
    assert selectors.supplier_outstanding(plant.supplier) == D("200.00") - D("1600.00")


def test_cancelling_a_payment_owes_the_bill_again_and_a_paid_bill_cannot_be_cancelled(
    plant, staff_user, manager_user
):
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    payment = pay(staff_user, plant.supplier, "200.00", (bill, "200.00"))
    with pytest.raises(DomainError) as refused:
        lifecycle.cancel(document=bill, by=manager_user, reason="wrong supplier")
    assert (
        str(refused.value) == f"{bill.number} has supplier payments against it; cancel those payments first."
    )
    lifecycle.cancel(document=payment, by=manager_user, reason="paid twice")
    assert selectors.payment_state(bill) == "unpaid"
    assert lifecycle.cancel(document=bill, by=manager_user, reason="wrong supplier").status == "cancelled"


def test_a_bill_falls_due_after_its_suppliers_credit_days(plant, staff_user, manager_user):
    save_supplier(by=manager_user, supplier=plant.supplier, name=plant.supplier.name, credit_days=45)
    day = timezone.localdate() - timedelta(days=10)
    bill = plant.buy(staff_user, (plant.preform, 10, "2.00"), date=day)
    bill.refresh_from_db()
    assert selectors.due_date(bill) == day + timedelta(days=45)


def test_staff_may_not_set_a_suppliers_credit_days(plant, staff_user):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        save_supplier(by=staff_user, supplier=plant.supplier, name="x", credit_days=90)


def test_supplier_outstanding_at_a_date_counts_only_what_was_dated_up_to_it(plant, staff_user):
    today = timezone.localdate()
    earlier = today - timedelta(days=20)
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"), date=earlier)
    pay(staff_user, plant.supplier, "50.00", (bill, "50.00"), date=today)
    assert selectors.supplier_outstanding(plant.supplier, upto=earlier) == D("200.00")
    assert selectors.supplier_outstanding(plant.supplier, upto=today) == D("150.00")
    assert [b.outstanding for b in selectors.open_bills(earlier)] == [D("200.00")]
    assert [b.outstanding for b in selectors.open_bills(today)] == [D("150.00")]


def test_a_bill_over_a_crore_is_paid_in_one_payment_and_a_payment_says_its_bound(
    plant, staff_user, manager_user
):
    """A payment settles whole bills, so it is bounded like a bill's total, not like one price."""
    bill = plant.buy(staff_user, (plant.preform, 6_000_000, "2.50"))
    if bill.status != "posted":  # a bill this size waits for a Manager
        bill = lifecycle.approve(document=bill, by=manager_user)
    assert bill.total == D("15000000.00")
    payment = pay(staff_user, plant.supplier, "15000000.00", (bill, "15000000.00"))
    assert payment.amount == D("15000000.00")
    with pytest.raises(InvalidDocument) as refused:
        pay(staff_user, plant.supplier, "10000000000.00")
    assert refused.value.fields["amount"] == ["Enter less than 10,000,000,000."]
