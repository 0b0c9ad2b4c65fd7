"""verify_ledger compares money to the cent, also where the database adds in floating point."""

from decimal import Decimal

import pytest
from django.db import transaction

from inventory import ledger
from inventory.verification import balance_breaches

pytestmark = pytest.mark.django_db


def test_many_small_movements_still_sum_to_their_balance(plant, manager_user):
    # 500 × 0.10 is 49.99999999999929 in floating point (as SQLite sums it), 50.00 to the cent.
    with transaction.atomic():
        ledger.post(
            changes=[ledger.StockChange(item_id=plant.cap.pk, quantity=1, value=Decimal("0.10"))] * 500,
            kind="purchase",
            date=plant.cap.created_at.date(),
            source=ledger.Source(type="test.bulk", id=1, number="T-1"),
            by=manager_user,
        )
    assert balance_breaches() == []
