"""Approvals over the API: nobody who created or changed a document decides it; why it waits."""

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(plant, manager_user, settings):
    plant.buy(
        manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), (plant.bottle, 50, "3.00")
    )
    settings.APPROVAL_THRESHOLD = D("100")
    return plant


def test_a_manager_who_changed_a_draft_may_not_approve_or_reject_it_over_the_api(
    stocked, staff_api, manager_api, other_manager_api
):
    body = {
        "customer": stocked.customer.pk,
        "lines": [{"item": stocked.bottle.pk, "quantity": 1, "unit_price": "5.00"}],
        "submit": False,
    }
    url = f"/api/v1/sales/{staff_api.post('/api/v1/sales/', body, format='json').json()['id']}/"
    body["lines"][0]["quantity"] = 30
    assert manager_api.put(url, body, format="json").status_code == 200
    assert staff_api.post(url + "submit/").json()["status"] == "pending"

    for action, data in (("approve/", None), ("reject/", {"reason": "my own change"})):
        refused = manager_api.post(url + action, data, format="json")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_allowed")
        assert "created or changed" in refused.json()["error"]["message"]
    assert manager_api.get(url).json()["status"] == "pending"

    approved = other_manager_api.post(url + "approve/")
    assert (approved.status_code, approved.json()["status"]) == (200, "posted")
