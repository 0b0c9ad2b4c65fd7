"""A purchase's payment state has one definition (the SQL annotation); the one-bill reading agrees
with the bill list for bills not posted too."""

from decimal import Decimal

import pytest

from purchasing import selectors
from purchasing.models import Purchase
from purchasing.services import AllocationInput, record_supplier_payment

pytestmark = pytest.mark.django_db
D = Decimal


def _listed(bill):
    return selectors.bills_with_payments(Purchase.objects.filter(pk=bill.pk)).get()


def test_a_bill_not_posted_is_unpaid_in_memory_as_in_the_bill_list(plant, staff_user, owner_user, settings):
    draft = plant.buy(staff_user, (plant.preform, 10, "2.50"), submit=False)
    settings.APPROVAL_THRESHOLD = D("100")
    waiting = plant.buy(staff_user, (plant.preform, 1000, "2.50"))
    assert waiting.status == "pending"
    for bill in (draft, waiting):
        assert _listed(bill).payment_state == "unpaid"
        assert selectors.payment_state(bill) == "unpaid"
        assert selectors.bill_outstanding(bill) == D("0.00")


@pytest.mark.parametrize(("paid", "state"), [("0", "unpaid"), ("0.01", "partly paid"), ("25.00", "paid")])
def test_a_posted_bill_reads_the_same_state_in_memory_and_in_the_list(plant, staff_user, paid, state):
    bill = plant.buy(staff_user, (plant.preform, 10, "2.50"))
    if D(paid):
        record_supplier_payment(
            by=staff_user,
            supplier=plant.supplier,
            amount=D(paid),
            method="bank",
            allocations=[AllocationInput(purchase=bill, amount=D(paid))],
        )
    assert selectors.payment_state(bill) == _listed(bill).payment_state == state
