"""A run's total is the value of the good bottles it made: shown to those who see costs only."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from production.models import ProductionRun, RejectReason
from production.services import RejectLine, create_run
from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db
D = Decimal


def _run(plant, by, submit=True):
    """1010 preforms at 2.00 and caps at 0.50 (2,525.00) + 700.00 conversion − 15.00 scrap credit."""
    return create_run(
        by=by,
        product=plant.bottle,
        good_quantity=1000,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine(RejectReason.BURST, 10)],
        conversion_cost=D("700.00"),
        scrap_item=plant.scrap,
        scrap_quantity=10,
        scrap_value=D("15.00"),
        submit=submit,
    )


@pytest.fixture
def stocked(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 1010, "2.00"), (plant.cap, 1010, "0.50"))
    return plant


def test_a_posted_run_totals_the_value_of_the_bottles_it_made(stocked, staff_user):
    run = _run(stocked, staff_user)
    run.refresh_from_db()
    assert (run.input_value, run.total, run.unit_cost) == (D("2525.00"), D("3210.00"), D("3.2100"))
    made = run.product.movements.get(source_id=run.pk)
    assert made.value == run.total


def test_the_api_shows_a_run_total_to_a_manager_and_hides_it_from_staff(stocked, staff_user, manager_user):
    run = _run(stocked, staff_user)
    url = f"/api/v1/production-runs/{run.pk}/"
    assert bearer_client(manager_user).get(url).json()["total"] == "3210.00"
    listed = bearer_client(manager_user).get("/api/v1/production-runs/").json()["results"]
    assert [r["total"] for r in listed] == ["3210.00"]
    staff = bearer_client(staff_user).get(url).json()
    assert "total" not in staff and "unit_cost" not in staff
    assert staff["good_quantity"] == 1000


def test_a_draft_run_has_no_value_yet(stocked, staff_user):
    assert _run(stocked, staff_user, submit=False).total == D("0")


def test_the_migration_fills_the_total_of_runs_posted_before(stocked, staff_user):
    posted = _run(stocked, staff_user)
    draft = _run(stocked, staff_user, submit=False)
    ProductionRun.objects.update(total=D("0"))  # as every run posted before the fix was left
    import_module("production.migrations.0003_run_total_is_the_bottles_value").fill_totals(apps, None)
    posted.refresh_from_db()
    draft.refresh_from_db()
    assert (posted.total, draft.total) == (D("3210.00"), D("0.00"))
