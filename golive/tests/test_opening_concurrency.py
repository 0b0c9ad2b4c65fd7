"""Two Managers entering one item's opening stock at once: exactly one is kept (PostgreSQL)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import InvalidDocument
from golive import services
from inventory.models import OpeningStock, StockBalance
from inventory.tests.test_concurrency import race, unexpected
from inventory.verification import verify_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_racing_opening_stocks_of_one_item_keep_exactly_one(plant, manager_user, settings):
    settings.GO_LIVE_DATE = timezone.localdate() - timedelta(days=1)
    results = race(
        [
            lambda: services.enter_opening_stock(
                by=manager_user, item=plant.bottle, quantity=100, unit_cost=Decimal("2.00")
            )
            for _ in range(6)
        ]
    )
    assert unexpected(results, InvalidDocument) == []
    assert sum(isinstance(r, OpeningStock) for r in results) == 1
    balance = StockBalance.objects.get(item=plant.bottle)
    assert (balance.quantity, balance.value) == (100, Decimal("200.00"))
    assert verify_ledger() == []
