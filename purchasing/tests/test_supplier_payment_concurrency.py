"""Two supplier payments racing against one bill on PostgreSQL never overpay it."""

from decimal import Decimal

import pytest

from core.errors import DomainError, InvalidDocument
from inventory.tests.test_concurrency import race, unexpected
from purchasing import selectors
from purchasing.models import SupplierPayment
from purchasing.services import AllocationInput, record_supplier_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_two_payments_racing_for_one_bill_never_overpay_it(plant, staff_user, roles_exist):
    bill = plant.buy(staff_user, (plant.preform, 100, "10.00"))  # owes 1,000.00

    def pay():
        return record_supplier_payment(
            by=staff_user,
            supplier=plant.supplier,
            amount=D("600.00"),
            method="bank",
            allocations=[AllocationInput(purchase=bill, amount=D("600.00"))],
        )

    results = race([pay, pay])

    assert unexpected(results, InvalidDocument) == []
    posted = [r for r in results if isinstance(r, SupplierPayment)]
    refused = [r for r in results if isinstance(r, InvalidDocument)]
    assert (len(posted), len(refused)) == (1, 1)
    assert refused[0].fields["amount"][0].startswith(f"{bill.number} owes 400.00;")
    assert selectors.bill_outstanding(bill) == D("400.00")
    assert SupplierPayment.objects.count() == 1


def test_a_payment_racing_the_cancelling_of_its_bill_never_pays_a_cancelled_bill(
    plant, staff_user, manager_user, roles_exist
):
    from documents import lifecycle
    from purchasing.models import Purchase, SupplierPaymentLine

    for _ in range(3):
        bill = plant.buy(staff_user, (plant.preform, 10, "10.00"))

        def pay(bill=bill):
            return record_supplier_payment(
                by=staff_user,
                supplier=plant.supplier,
                amount=D("50.00"),
                method="bank",
                allocations=[AllocationInput(purchase=bill, amount=D("50.00"))],
            )

        def cancel(bill=bill):
            return lifecycle.cancel(document=bill, by=manager_user, reason="wrong supplier")

        results = race([pay, cancel])

        assert unexpected(results, InvalidDocument, DomainError) == []
        bill = Purchase.objects.get(pk=bill.pk)
        paid = SupplierPaymentLine.objects.filter(purchase=bill, payment__status="posted").exists()
        assert not (bill.status == "cancelled" and paid), results
        assert (bill.status == "cancelled") != paid  # exactly one of the two won
