"""Posting observers run after the posting's pipelined writes, so they may use the ORM freely."""

from decimal import Decimal

import pytest

from documents import lifecycle
from inventory.verification import verify_ledger
from sales.models import Customer, Sale
from sales.services import SaleLineInput, create_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def observer_saving_the_customer(monkeypatch):
    """An observer that saves an existing row (an UPDATE whose row count the ORM reads at once)."""

    def rename_customer(document, sign):
        if isinstance(document, Sale):
            customer = Customer.objects.get(pk=document.customer_id)
            customer.notes = f"last bill {document.number}"
            customer.save()

    monkeypatch.setattr(lifecycle, "_POSTING_OBSERVERS", [*lifecycle._POSTING_OBSERVERS, rename_customer])


@pytest.mark.postgres
def test_an_observer_that_saves_a_row_works_on_postgresql(plant, staff_user, observer_saving_the_customer):
    plant.buy(staff_user, (plant.bottle, 20, "3.00"))
    sale = create_sale(
        by=staff_user,
        customer=plant.customer,
        lines=[SaleLineInput(plant.bottle, 2, Decimal("5.00"))],
        submit=True,
    )
    assert sale.status == "posted"
    assert Customer.objects.get(pk=plant.customer.pk).notes == f"last bill {sale.number}"
    assert Customer.objects.filter(name=plant.customer.name).count() == 1
    assert sale.lines.count() == 1
    assert not verify_ledger()
