import pytest

from documents import lifecycle
from sales.services import record_payment

BACKUP_KEY = "k3y-for-tests-only-0123456789abcdefghijklmnop"


@pytest.fixture
def backup_key(monkeypatch):
    monkeypatch.setenv("BACKUP_KEY", BACKUP_KEY)
    return BACKUP_KEY


@pytest.fixture
def populated(plant, staff_user, manager_user, settings):
    """Posted, pending and cancelled documents, a payment, and the history rows they leave."""
    settings.APPROVAL_THRESHOLD = 1000
    plant.buy(staff_user, (plant.preform, 300, "2.10"), (plant.cap, 300, "0.40"))
    plant.buy(staff_user, (plant.bottle, 200, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 50, "5.00"))
    plant.sell(staff_user, (plant.bottle, 20, "5.50", "2.00"))
    plant.sell(staff_user, (plant.bottle, 100, "11.00"))  # above the threshold: pending
    cancelled = plant.sell(staff_user, (plant.bottle, 10, "5.00"))
    lifecycle.cancel(document=cancelled, by=manager_user, reason="keyed twice")
    record_payment(by=staff_user, customer=plant.customer, amount="100.00", method="cash", sale=bill)
    return plant
