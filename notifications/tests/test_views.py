"""The pages: each user's alert choices, the header's count of what waits for them, and the
dashboard's 30-day trend."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from notifications import preferences
from notifications.models import AlertPreferences
from reporting.periods import Period
from reporting.reports import profit_loss, trend
from reporting.tests.conftest import month  # noqa: F401 - the shared month of a small plant

pytestmark = pytest.mark.django_db
D = Decimal


def _checked(page: str, name: str) -> bool:
    return re.search(rf'<input[^>]*name="{name}"[^>]*checked', page) is not None


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_a_manager_chooses_their_alerts_and_the_choice_is_kept(manager_client, manager_user):
    url = reverse("notifications:preferences")
    page = manager_client.get(url).content.decode()
    assert _checked(page, "approvals") and _checked(page, "low_stock")
    assert not _checked(page, "digest")  # Managers opt in to the digest
    saved = manager_client.post(url, {"digest": "on", "low_stock": "on"})
    assert saved.status_code == 302
    row = AlertPreferences.objects.get(user=manager_user)
    assert (row.approvals, row.low_stock, row.digest) == (False, True, True)


def test_the_owner_is_offered_approvals_and_the_digest_and_gets_the_digest_by_default(
    owner_client, owner_user
):
    page = owner_client.get(reverse("notifications:preferences")).content.decode()
    assert _checked(page, "digest") and _checked(page, "approvals")
    assert 'name="low_stock"' not in page
    assert preferences.chosen(owner_user) == {"approvals": True, "digest": True}


def test_staff_are_offered_no_alerts_and_a_post_saves_none(staff_client, staff_user):
    url = reverse("notifications:preferences")
    assert "no alerts for your role" in staff_client.get(url).content.decode()
    staff_client.post(url, {"digest": "on", "approvals": "on", "low_stock": "on"})
    row = AlertPreferences.objects.get(user=staff_user)
    assert (row.approvals, row.low_stock, row.digest) == (False, False, False)
    assert preferences.recipients("digest") == []


def test_the_header_counts_what_waits_for_each_user(
    plant, manager_user, owner_client, manager_client, settings
):
    plant.buy(manager_user, (plant.bottle, 150, "3.00"))  # reorder level 100: preform and cap are at 0
    settings.APPROVAL_THRESHOLD = D("100")
    plant.sell(manager_user, (plant.bottle, 40, "5.00"))  # waits for a second person
    owner_page = owner_client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="waiting-approvals">1 to approve' in owner_page
    manager_page = manager_client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="waiting-approvals"' not in manager_page  # her own bill: she may not decide it
    assert 'id="waiting-low-stock">2 low stock' in manager_page  # preforms and caps


def test_staff_see_no_waiting_count(plant, staff_client):
    page = staff_client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="waiting"' not in page
    assert reverse("notifications:preferences") in page


def test_the_dashboard_shows_a_30_day_trend_of_revenue_and_bottles_made(month, manager_client):  # noqa: F811
    page = manager_client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="trend"' in page
    assert "Revenue, last 30 days" in page and "Bottles made, last 30 days" in page
    data = trend.series()
    today = timezone.localdate()
    assert len(data["days"]) == 30 and data["days"][-1] == today
    last_30 = profit_loss.totals(Period(today - timedelta(days=29), today))
    assert sum(data["revenue"]) == last_30["revenue"] == D("1000.00")  # 350 (mid) + 650 (today)
    assert sum(data["bottles"]) == 0  # the month's only run was 40 days ago


def test_a_manager_who_changed_a_pending_bill_is_not_counted_as_one_who_may_decide_it(
    plant, staff_user, manager_user, other_manager, owner_user, settings
):
    from documents import lifecycle
    from notifications import waiting
    from sales.models import Sale
    from sales.services import SaleLineInput, update_sale

    plant.buy(manager_user, (plant.bottle, 150, "3.00"))
    settings.APPROVAL_THRESHOLD = D("100")
    draft = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    update_sale(
        sale=draft,
        by=other_manager,
        customer=plant.customer,
        lines=[SaleLineInput(item=plant.bottle, quantity=30, unit_price=D("5.00"))],
        date=draft.date,
    )
    lifecycle.submit(document=Sale.objects.get(pk=draft.pk), by=staff_user)
    assert waiting.may_decide(other_manager) == 0
    assert waiting.may_decide(manager_user) == 1 and waiting.may_decide(owner_user) == 1
    assert waiting.may_decide(staff_user) == 0
