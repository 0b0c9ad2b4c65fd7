"""The one rule for document dates (documents/dates.py), through services, the API, forms and reports."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidDocument
from inventory.models import ClosedPeriod
from inventory.services import CountLineInput, create_stock_count
from production.services import create_run
from sales.services import record_payment
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db

TYPES = ["purchase", "productionrun", "sale", "payment", "stockcount"]


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(
        manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), (plant.bottle, 100, "3.00")
    )
    return plant


def enter(kind: str, plant, user, when: date):
    """Enter (and post) one document of ``kind`` dated ``when``, through its service."""
    if kind == "purchase":
        return plant.buy(user, (plant.preform, 5, "2.00"), date=when)
    if kind == "sale":
        return plant.sell(user, (plant.bottle, 1, "5.00"), date=when)
    if kind == "productionrun":
        return create_run(
            by=user,
            product=plant.bottle,
            good_quantity=2,
            machine="BM-1",
            shift="day",
            date=when,
            submit=True,
        )
    if kind == "payment":
        return record_payment(
            by=user, customer=plant.customer, amount=Decimal("5.00"), method="cash", date=when
        )
    return create_stock_count(by=user, lines=[CountLineInput(plant.bottle, 100)], date=when, submit=True)


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("when", [date(1, 1, 1), date(1999, 12, 31), date(9999, 12, 31)])
def test_a_document_dated_outside_the_years_any_report_shows_is_refused_and_writes_nothing(
    stocked, manager_user, kind, when
):
    before = ledger_state()
    with pytest.raises(InvalidDocument) as refused:
        enter(kind, stocked, manager_user, when)
    assert list(refused.value.fields) == ["date"]
    assert ledger_state() == before


@pytest.mark.parametrize("kind", TYPES)
def test_no_document_is_dated_ahead_by_default_and_a_setting_allows_days_ahead_per_type(
    stocked, manager_user, settings, kind
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidDocument) as refused:
        enter(kind, stocked, manager_user, tomorrow)
    assert refused.value.fields["date"] == [
        {
            "purchase": "Enter today's date or earlier: a purchase cannot be dated ahead.",
            "productionrun": "Enter today's date or earlier: a production run cannot be dated ahead.",
            "sale": "Enter today's date or earlier: a sale cannot be dated ahead.",
            "payment": "Enter today's date or earlier: a payment cannot be dated ahead.",
            "stockcount": "Enter today's date or earlier: a stock count cannot be dated ahead.",
        }[kind]
    ]
    settings.MAX_DAYS_AHEAD_BY_TYPE = {kind: 1}
    assert enter(kind, stocked, manager_user, tomorrow).date == tomorrow
    with pytest.raises(InvalidDocument, match="no later than"):
        enter(kind, stocked, manager_user, tomorrow + timedelta(days=1))


def test_max_days_ahead_applies_to_every_type_without_its_own_number(stocked, manager_user, settings):
    settings.MAX_DAYS_AHEAD = 2
    settings.MAX_DAYS_AHEAD_BY_TYPE = {"sale": 0}
    ahead = timezone.localdate() + timedelta(days=2)
    assert enter("purchase", stocked, manager_user, ahead).status == "posted"
    with pytest.raises(InvalidDocument, match="a sale cannot be dated ahead"):
        enter("sale", stocked, manager_user, ahead)


@pytest.mark.parametrize("kind", TYPES)
def test_nothing_is_dated_before_the_go_live_date(stocked, manager_user, settings, kind):
    go_live = timezone.localdate() - timedelta(days=10)
    settings.GO_LIVE_DATE = go_live
    with pytest.raises(InvalidDocument) as refused:
        enter(kind, stocked, manager_user, go_live - timedelta(days=1))
    assert refused.value.fields["date"] == [
        f"Enter a date on or after {go_live:%d %b %Y}, when Bottleworks went live."
    ]
    assert enter(kind, stocked, manager_user, go_live).date == go_live


@pytest.mark.parametrize("kind", TYPES)
def test_nothing_is_entered_in_a_closed_period_but_a_reopened_one_is_open(
    stocked, manager_user, owner_user, kind
):
    through = timezone.localdate() - timedelta(days=5)
    period = ClosedPeriod.objects.create(closed_through=through, closed_by=manager_user)
    with pytest.raises(InvalidDocument) as refused:
        enter(kind, stocked, manager_user, through)
    day = f"{through:%d %b %Y}"
    assert refused.value.fields["date"] == [
        f"{day} is in a closed period (closed through {day}); enter a later date."
    ]
    assert enter(kind, stocked, manager_user, through + timedelta(days=1)).status == "posted"
    period.reopened_by, period.reopened_at, period.reopen_reason = owner_user, timezone.now(), "late bill"
    period.save()
    assert enter(kind, stocked, manager_user, through).status == "posted"


def test_the_bill_form_puts_the_date_error_on_the_date_field_and_keeps_what_was_typed(stocked, staff_client):
    data = {
        "request_key": str(uuid.uuid4()),
        "customer": stocked.customer.pk,
        "date": "0001-01-01",
        "notes": "typed",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": stocked.bottle.pk,
        "lines-0-quantity": "3",
        "lines-0-unit_price": "5.25",
        "lines-0-discount": "",
        "submit": "1",
    }
    before = ledger_state()
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["Enter a date on or after 01 Jan 2000."]
    assert ledger_state() == before
    assert 'value="5.25"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"start": "1900-01-01", "end": "1900-01-01"},
        {"start": "1999-12-31", "end": "2000-01-31"},
        {"start": "0001-01-01", "end": "0001-01-01"},
    ],
)
def test_a_report_asked_for_dates_no_document_can_carry_is_a_form_error(manager_client, params):
    for name in ("stock-valuation", "profit-loss"):
        response = manager_client.get(reverse(f"reporting:{name}"), params)
        assert response.status_code == 400
        assert response.context["form"].errors["start"] == [
            "Choose dates between 01 Jan 2000 and 31 Dec 2999."
        ]
        api = manager_client.get(f"/api/v1/reports/{name}/", params)
        assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["start"]


def test_the_valuation_at_the_earliest_date_a_document_can_carry_is_never_negative(
    stocked, manager_user, manager_client
):
    with pytest.raises(InvalidDocument):
        stocked.sell(manager_user, (stocked.bottle, 40, "5.00"), date=date(1, 1, 1))
    response = manager_client.get(
        reverse("reporting:stock-valuation"), {"start": "2000-01-01", "end": "2000-01-01"}
    )
    assert response.status_code == 200
    assert all(row["quantity"] >= 0 for row in response.context["report"].tables[0].rows)
