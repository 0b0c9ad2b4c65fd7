"""Returns racing against one bill (or purchase) on PostgreSQL: never more back than went out."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from core.errors import InvalidDocument
from inventory.models import StockBalance
from inventory.tests.test_concurrency import race, unexpected
from inventory.verification import verify_ledger
from returns.models import PurchaseReturn, PurchaseReturnLine, SalesReturn, SalesReturnLine
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_two_returns_racing_against_one_bill_never_return_more_than_was_sold(plant, staff_user, roles_exist):
    plant.buy(staff_user, (plant.bottle, 50, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 40, "5.00"))
    line = bill.lines.get()

    def give_back(quantity):
        return lambda: create_sales_return(
            by=staff_user, sale=bill, lines=[SalesReturnLineInput(line, quantity)], submit=True
        )

    for _round in range(3):
        results = race([give_back(30), give_back(25)] if _round == 0 else [give_back(6), give_back(6)])
        assert unexpected(results, InvalidDocument) == []
    returned = SalesReturnLine.objects.filter(sales_return__status="posted").aggregate(q=Sum("quantity"))["q"]
    assert returned <= 40
    # Round one: one of 30 / 25 posts; then 6s until the 40 are used up, never beyond.
    assert returned in (30 + 6 + 0, 25 + 6 + 6)
    assert SalesReturn.objects.filter(status="posted").count() in (2, 3)
    assert StockBalance.objects.get(item=plant.bottle).quantity == 10 + returned
    assert verify_ledger() == []


def test_two_returns_racing_against_one_purchase_never_send_back_more_than_was_bought(
    plant, staff_user, roles_exist
):
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    line = purchase.lines.get()
    results = race(
        [
            lambda: create_purchase_return(
                by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(line, 70)], submit=True
            )
            for _ in range(2)
        ]
    )
    assert unexpected(results, InvalidDocument) == []
    assert PurchaseReturn.objects.filter(status="posted").count() == 1
    assert PurchaseReturnLine.objects.get(purchase_return__status="posted").amount == D("140.00")
    assert StockBalance.objects.get(item=plant.preform).quantity == 30
    assert verify_ledger() == []
