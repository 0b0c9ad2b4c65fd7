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


def test_the_approvals_queue_says_why_each_document_waits(stocked, staff_user, manager_api, settings):
    from production.services import create_run

    stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    create_run(
        by=staff_user,
        product=stocked.bottle,
        good_quantity=10,
        machine="BM-1",
        shift="day",
        conversion_cost=D("9999999"),
        submit=True,
    )
    rows = manager_api.get("/api/v1/approvals/").json()["results"]
    assert [(row["kind"], row["reason"]) for row in rows] == [
        ("sales bill", "Total 150.00 is over the approval limit 100.00."),
        (
            "production run",
            "Run value 10,000,024.00 (inputs 25.00 + conversion 9,999,999.00) is over the approval limit "
            "200,000.00; run cost per bottle 1,000,002.40 is 333,334× the average 3.00.",
        ),
    ]


def test_a_payment_waiting_for_approval_is_approved_over_the_api_by_someone_else(
    stocked, staff_user, staff_api, other_manager_api, settings
):
    settings.PAYMENT_APPROVAL_THRESHOLD = D("100")
    body = {"customer": stocked.customer.pk, "amount": "150.00", "method": "cash"}
    made = staff_api.post("/api/v1/payments/", body, format="json")
    assert (made.status_code, made.json()["status"]) == (201, "pending")
    url = f"/api/v1/payments/{made.json()['id']}/"
    assert staff_api.post(url + "approve/").status_code == 403
    approved = other_manager_api.post(url + "approve/")
    assert (approved.status_code, approved.json()["status"]) == (200, "posted")
