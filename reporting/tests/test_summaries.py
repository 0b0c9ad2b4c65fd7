"""The daily summaries always equal fresh sums of the ledger, bills and payments."""

from decimal import Decimal

import pytest

from documents import lifecycle
from production.services import RejectLine, create_run
from reporting import summaries
from reporting.models import CustomerBalance, SalesItemDay, StockDay
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def test_summaries_follow_posting_payment_and_cancelling(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"))
    create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=900,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine("burst", 10)],
        conversion_cost=D("90.00"),
        submit=True,
    )
    kept = plant.sell(staff_user, (plant.bottle, 300, "6.00", "10.00"))
    dropped = plant.sell(staff_user, (plant.bottle, 100, "6.00"))
    record_payment(by=staff_user, customer=plant.customer, amount=D("500.00"), method="cash", sale=kept)
    lifecycle.cancel(document=dropped, by=manager_user, reason="wrong customer")

    assert summaries.differences() == []
    day = SalesItemDay.objects.get(item=plant.bottle)
    assert (day.quantity, day.revenue, day.discount) == (300, D("1790.00"), D("10.00"))
    balance = CustomerBalance.objects.get(customer=plant.customer)
    assert (balance.billed, balance.paid) == (D("1790.00"), D("500.00"))
    reversal = StockDay.objects.get(item=plant.bottle, kind="reversal")
    assert reversal.quantity == 100


def test_rebuild_gives_the_same_rows_as_posting_kept(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    before = sorted(StockDay.objects.values_list("date", "item_id", "kind", "quantity", "value"))
    summaries.rebuild()
    after = sorted(StockDay.objects.values_list("date", "item_id", "kind", "quantity", "value"))
    assert before == after and len(after) == 1
    assert summaries.differences() == []


def test_a_wrong_summary_row_is_reported(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    StockDay.objects.update(quantity=11)
    assert len(summaries.differences()) == 1
