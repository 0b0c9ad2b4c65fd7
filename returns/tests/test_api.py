"""Returns over the REST API: one service path, errors in the one JSON shape, costs hidden."""

from decimal import Decimal

import pytest

from returns.models import PurchaseReturn, SalesReturn
from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def bill(plant, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"))
    return plant.sell(manager_user, (plant.preform, 40, "2.50"))


def test_a_credit_note_through_the_api_and_an_over_return_refused_with_the_facts(bill, staff_user):
    api = bearer_client(staff_user)
    line = bill.lines.get()
    body = {
        "sale": bill.pk,
        "settlement": "refund",
        "refund_method": "upi",
        "submit": True,
        "lines": [{"sale_line": line.pk, "quantity": 30, "disposition": "restock", "reason": "leaking"}],
    }
    made = api.post("/api/v1/sales-returns/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert made.status_code == 201, made.content
    answer = made.json()
    assert (answer["status"], answer["total"], answer["refund"]) == ("posted", "75.00", "75.00")
    assert "cost" not in answer and "cost" not in answer["lines"][0]  # Staff see no costs
    body["lines"][0]["quantity"] = 15
    refused = api.post("/api/v1/sales-returns/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 400
    assert "PF-500: 40 sold, 30 already returned, 15 requested" in refused.json()["error"]["message"]
    assert SalesReturn.objects.count() == 1


def test_an_unknown_bill_line_is_a_400_naming_the_line(bill, staff_user):
    api = bearer_client(staff_user)
    body = {"sale": bill.pk, "lines": [{"sale_line": 987654, "quantity": 1}]}
    refused = api.post("/api/v1/sales-returns/", body, format="json")
    assert refused.status_code == 400
    assert "sale_line" in str(refused.json()["error"]["fields"])


def test_a_debit_note_through_the_api_and_the_manager_sees_it(plant, bill, staff_user, manager_user):
    purchase = plant.buy(manager_user, (plant.cap, 10, "0.70"))
    body = {
        "purchase": purchase.pk,
        "submit": True,
        "lines": [{"purchase_line": purchase.lines.get().pk, "quantity": 4}],
    }
    made = bearer_client(staff_user).post("/api/v1/purchase-returns/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["total"] == "2.80"
    listed = bearer_client(manager_user).get(f"/api/v1/purchase-returns/?purchase={purchase.pk}").json()
    assert [row["number"] for row in listed["results"]] == [PurchaseReturn.objects.get().number]
