"""Opening balances move figures the dashboard shows, so they raise the data version on commit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from golive import services
from reporting import freshness
from reporting.models import DataVersion

pytestmark = pytest.mark.django_db(transaction=True)


def test_opening_stock_and_dues_raise_the_dashboard_data_version(roles_exist, plant, manager_user, settings):
    settings.GO_LIVE_DATE = timezone.localdate() - timedelta(days=1)
    DataVersion.objects.get_or_create(pk=1)
    cache.clear()
    start = freshness.current_version()
    services.enter_opening_stock(by=manager_user, item=plant.cap, quantity=5, unit_cost=Decimal("1"))
    assert freshness.current_version() == start + 1
    services.enter_customer_due(by=manager_user, customer=plant.customer, amount=Decimal("5"))
    assert freshness.current_version() == start + 2
