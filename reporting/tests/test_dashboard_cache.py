"""The cached dashboard: never stale after a committed change, one query for the version when warm.

These tests commit for real (``transaction=True``): the data version only rises when a transaction
commits, and figures computed inside a transaction that changed data are never cached.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.api.tokens import RefreshToken
from accounts.roles import Role, set_role
from documents import lifecycle
from production.services import create_run
from reporting import freshness
from reporting.models import DataVersion
from reporting.reports import dashboard

committed = pytest.mark.django_db(transaction=True)
URL = "/api/v1/reports/dashboard/"


@pytest.fixture
def fresh_cache(db):
    """A clean cache and the version row (a transactional test's flush empties every table)."""
    DataVersion.objects.get_or_create(pk=1)
    cache.clear()
    yield
    cache.clear()


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def stocked(fresh_cache, plant, staff_user):
    """100 preforms and caps bought, 50 bottles blown from them."""
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    create_run(
        by=staff_user, product=plant.bottle, good_quantity=50, machine="BM-1", shift="day", submit=True
    )
    return plant


def _stock(data: dict, sku: str) -> dict:
    return next(s for s in data["stock"] if s["sku"] == sku)


@committed
def test_a_bill_posted_after_the_dashboard_was_cached_shows_at_once(stocked, staff_user, manager_user):
    api = _api(manager_user)
    before = api.get(URL).json()
    assert api.get(URL).json() == before  # now served from the cache
    bill = stocked.sell(staff_user, (stocked.bottle, 3, "6.00"))
    after = api.get(URL).json()
    assert after["bills_today"] == before["bills_today"] + 1
    assert after["revenue_today"] == "18.00"
    assert _stock(after, "BTL-500")["quantity"] == 47
    assert after["recent"][0]["number"] == bill.number


@committed
def test_a_cancelled_bill_shows_as_cancelled_at_once(stocked, staff_user, manager_user):
    bill = stocked.sell(staff_user, (stocked.bottle, 3, "6.00"))
    api = _api(manager_user)
    assert api.get(URL).json()["recent"][0]["status"] == "posted"
    lifecycle.cancel(document=bill, by=manager_user, reason="returned")
    after = api.get(URL).json()
    newest = after["recent"][0]
    assert (newest["number"], newest["status"]) == (bill.number, "cancelled")
    assert after["bills_today"] == 0 and after["revenue_today"] == "0.00"
    assert _stock(after, "BTL-500")["quantity"] == 50


@committed
def test_a_document_sent_for_approval_counts_as_pending_at_once(stocked, staff_user, owner_user, settings):
    api = _api(owner_user)
    assert api.get(URL).json()["pending_approvals"] == 0
    stocked.buy(staff_user, (stocked.preform, 10, str(settings.APPROVAL_THRESHOLD)))
    assert api.get(URL).json()["pending_approvals"] == 1
    # A bill submitted as it is created is stored pending at once, by a plain INSERT: still seen.
    stocked.sell(staff_user, (stocked.preform, 1, str(settings.APPROVAL_THRESHOLD + 1)), submit=True)
    assert api.get(URL).json()["pending_approvals"] == 2


@committed
def test_renaming_an_item_or_changing_its_reorder_level_shows_at_once(stocked, staff_user):
    api = _api(staff_user)
    assert _stock(api.get(URL).json(), "CAP-28")["low"] is True  # 50 left, reorder level 500
    cap = stocked.cap
    cap.name, cap.reorder_level = "Cap 28 mm, blue", 10
    cap.save()
    entry = _stock(api.get(URL).json(), "CAP-28")
    assert entry["name"] == "Cap 28 mm, blue" and entry["low"] is False


@committed
def test_staff_and_managers_get_their_own_answers_from_the_cache(stocked, staff_user, manager_user):
    for first, second in ((staff_user, manager_user), (manager_user, staff_user)):
        cache.clear()
        _api(first).get(URL)
        _api(second).get(URL)
    staff, manager = _api(staff_user).get(URL).json(), _api(manager_user).get(URL).json()
    assert "stock_value" not in staff and "gross_profit_today" not in staff
    assert all("value" not in s for s in staff["stock"])
    staff_totals = {r["type"]: r["total"] for r in staff["recent"]}
    assert staff_totals["production run"] is None and staff_totals["purchase"] == "250.00"
    assert manager["stock_value"] == str(sum((Decimal(s["value"]) for s in manager["stock"]), Decimal(0)))
    assert {r["type"]: r["total"] for r in manager["recent"]}["production run"] == "125.00"


@committed
def test_a_demoted_or_deactivated_manager_loses_cost_figures_on_the_next_request(stocked, manager_user):
    api = _api(manager_user)
    assert "stock_value" in api.get(URL).json()
    set_role(manager_user, Role.STAFF)
    assert api.get(URL).status_code == 401  # a role change ends the tokens issued before it
    api = _api(manager_user)
    assert "stock_value" not in api.get(URL).json()
    manager_user.is_active = False
    manager_user.save(update_fields=["is_active"])
    assert api.get(URL).status_code == 401


@committed
def test_a_warm_dashboard_request_reads_only_the_user_with_role_and_the_data_version(stocked, manager_user):
    api = _api(manager_user)
    cold = api.get(URL).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).json() == cold
    tables = [q["sql"].rsplit(" FROM ", 1)[1].split()[0].strip('"') for q in queries.captured_queries]
    assert tables == ["accounts_user", DataVersion._meta.db_table]


@committed
def test_the_web_dashboard_is_served_from_the_cache_and_follows_changes(
    stocked, staff_user, manager_user, manager_client
):
    manager_client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get("/").context["data"]["bills_today"] == 0
    assert not any("inventory_item" in q["sql"] for q in queries.captured_queries)
    stocked.sell(staff_user, (stocked.bottle, 1, "6.00"))
    assert manager_client.get("/").context["data"]["bills_today"] == 1


@committed
def test_a_rolled_back_transaction_raises_no_version_and_blocks_no_later_change(fresh_cache):
    start = freshness.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        freshness.mark_changed()
        raise RuntimeError("refused")
    assert freshness.current_version() == start
    with transaction.atomic():
        try:
            with transaction.atomic():
                freshness.mark_changed()
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        freshness.mark_changed()  # after the savepoint rolled back, this change needs its own bump
        freshness.mark_changed()
        assert freshness.changes_pending()
        assert freshness.current_version() == start  # not before the commit
    assert freshness.current_version() == start + 1  # once per transaction


@committed
def test_outside_a_transaction_a_change_raises_the_version_at_once(fresh_cache):
    start = freshness.current_version()
    freshness.mark_changed()
    assert freshness.current_version() == start + 1


def test_figures_computed_inside_a_transaction_with_changes_are_not_cached(fresh_cache, plant, manager_user):
    # The test's own transaction never commits: what it wrote must not reach the shared cache.
    assert freshness.changes_pending()
    first = dashboard.figures(manager_user)
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.figures(manager_user) == first
    assert any("inventory_item" in q["sql"] for q in queries.captured_queries)
