"""A bill's paid, outstanding and payment state have one definition (the SQL annotation)."""

from decimal import Decimal

import pytest

from sales import selectors
from sales.models import PaymentMethod, Sale
from sales.services import record_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill(plant, manager_user, staff_user):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"))
    return plant.sell(staff_user, (plant.bottle, 4, "5.00"))


def _figures(sale):
    return (sale.paid, sale.outstanding, sale.payment_state)


@pytest.mark.parametrize(
    ("payments", "state"),
    [([], "unpaid"), (["5.00"], "partly paid"), (["5.00", "15.00"], "paid")],
)
def test_a_bill_in_memory_gets_the_figures_the_bill_list_shows(bill, staff_user, payments, state):
    for amount in payments:
        record_payment(
            by=staff_user,
            customer=bill.customer,
            sale=bill,
            amount=Decimal(amount),
            method=PaymentMethod.CASH,
        )
    listed = selectors.bills_with_payments().get(pk=bill.pk)
    in_memory = selectors.with_payments(Sale.objects.get(pk=bill.pk))
    assert _figures(in_memory) == _figures(listed)
    assert in_memory.payment_state == state
    paid = sum((Decimal(a) for a in payments), Decimal("0"))
    assert selectors.bill_outstanding(bill) == in_memory.outstanding == Decimal("20.00") - paid


def test_a_draft_owes_nothing(plant, staff_user):
    draft = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    assert selectors.bill_outstanding(draft) == Decimal("0.00")
    assert _figures(selectors.with_payments(draft)) == (Decimal("0.00"), Decimal("0.00"), "unpaid")


@pytest.mark.parametrize("paid", ["0", "0.01", "19.99", "20.00"])
def test_the_state_rule_in_memory_is_the_one_the_sql_applies(bill, staff_user, plant, paid):
    if Decimal(paid):
        record_payment(by=staff_user, customer=plant.customer, sale=bill, amount=Decimal(paid), method="cash")
    listed = selectors.bills_with_payments().get(pk=bill.pk)
    assert selectors.payment_state(listed.paid, listed.billed_net) == listed.payment_state


def test_a_new_bill_in_memory_reads_as_the_bill_list_shows_it(bill):
    listed = selectors.bills_with_payments().get(pk=bill.pk)
    in_memory = selectors.with_nothing_paid(Sale.objects.get(pk=bill.pk))
    assert _figures(in_memory) == _figures(listed) == (Decimal("0.00"), Decimal("20.00"), "unpaid")
