"""A month of a small plant with known figures, shared by the report tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from documents import lifecycle
from inventory.services import CountLineInput, create_stock_count
from production.services import RejectLine, create_run
from sales.models import Customer
from sales.services import record_payment

D = Decimal


@pytest.fixture
def month(plant, staff_user, manager_user):
    """Purchases, a run, bills for two customers (one cancelled), payments and a count.

    Dates run from 40 days ago to today, so "this year", "last 30 days" and ageing all have data.
    """
    today = timezone.localdate()
    early, mid, late = today - timedelta(days=40), today - timedelta(days=20), today
    other = Customer.objects.create(name="Blue Springs")
    plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"), date=early)
    plant.buy(staff_user, (plant.preform, 500, "2.30"), date=mid)
    run = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=900,
        machine="BM-1",
        shift="day",
        date=early,
        rejects=[RejectLine("burst", 60), RejectLine("thin_wall", 40)],
        conversion_cost=D("180.00"),
        submit=True,
    )
    old_bill = plant.sell(staff_user, (plant.bottle, 200, "6.00", "20.00"), date=early)
    new_bill = plant.sell(staff_user, (plant.bottle, 100, "6.50"), date=late)
    other_bill = plant.sell(staff_user, (plant.bottle, 50, "7.00"), customer=other, date=mid)
    dropped = plant.sell(staff_user, (plant.bottle, 30, "6.00"), customer=other, date=mid)
    lifecycle.cancel(document=dropped, by=manager_user, reason="returned")
    record_payment(
        by=staff_user, customer=plant.customer, amount=D("600.00"), method="cash", sale=old_bill, date=mid
    )
    record_payment(by=staff_user, customer=other, amount=D("50.00"), method="upi", date=late)
    create_stock_count(
        by=manager_user, lines=[CountLineInput(item=plant.cap, quantity=0)], date=late, submit=True
    )
    return {
        "today": today,
        "early": early,
        "mid": mid,
        "run": run,
        "bills": [old_bill, new_bill, other_bill],
        "dropped": dropped,
        "other": other,
    }
