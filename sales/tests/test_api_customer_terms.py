"""A customer's credit days over the API: shown, kept, bounded as the schema says, and in history."""

import pytest

from sales.models import Customer

pytestmark = pytest.mark.django_db


def test_the_schema_states_the_bounds_of_credit_days(staff_api):
    schema = staff_api.get("/api/v1/schema/?format=json").json()
    credit_days = schema["components"]["schemas"]["CustomerRequest"]["properties"]["credit_days"]
    assert credit_days["type"] == "integer"
    assert (credit_days["minimum"], credit_days["maximum"]) == (0, 365)


def test_a_new_customer_gets_the_default_credit_days(staff_api, settings):
    settings.DEFAULT_CREDIT_DAYS = 15
    created = staff_api.post("/api/v1/customers/", {"name": "Default Terms"}, format="json")
    assert created.status_code == 201 and created.json()["credit_days"] == 15
    assert Customer.objects.get(name="Default Terms").credit_days == 15


@pytest.mark.parametrize("days", [-1, 366, 1.5, None])
def test_credit_days_outside_0_to_365_are_refused_and_nothing_is_written(staff_api, days):
    response = staff_api.post("/api/v1/customers/", {"name": "Bad Terms", "credit_days": days}, format="json")
    assert response.status_code == 400
    assert "credit_days" in response.json()["error"]["fields"]
    assert not Customer.objects.filter(name="Bad Terms").exists()


def test_credit_days_are_kept_over_the_api_and_recorded_in_history(
    manager_api, manager_user, staff_api, plant
):
    url = f"/api/v1/customers/{plant.customer.pk}/"
    assert staff_api.get(url).json()["credit_days"] == 30
    # Only a Manager sets credit terms: a longer term would keep the customer off the overdue list.
    assert staff_api.patch(url, {"credit_days": 90}, format="json").status_code == 403
    assert manager_api.patch(url, {"credit_days": 0}, format="json").json()["credit_days"] == 0
    assert manager_api.patch(url, {"credit_days": 365}, format="json").json()["credit_days"] == 365
    refused = manager_api.patch(url, {"credit_days": 366}, format="json")
    assert refused.status_code == 400
    plant.customer.refresh_from_db()
    assert plant.customer.credit_days == 365
    latest = plant.customer.history.first()
    assert latest.credit_days == 365 and latest.history_user == manager_user
    assert [h.credit_days for h in plant.customer.history.all()][:2] == [365, 0]
