"""Idempotency-Key: a repeat gets the first answer and creates nothing; a changed body gets 422."""

import threading

import pytest
from django.db import connection

from accounts.models import IdempotencyRecord
from sales.models import Sale
from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db


def _bill(plant, quantity=2):
    return {
        "customer": plant.customer.pk,
        "submit": True,
        "lines": [{"item": plant.bottle.pk, "quantity": quantity, "unit_price": "5.00"}],
    }


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(manager_user, (plant.bottle, 100, "3.00"))
    return plant


def test_a_repeated_key_returns_the_first_answer_and_creates_nothing(stocked, staff_api):
    first = staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    again = staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Sale.objects.count() == 1
    assert stocked.bottle.balance.quantity == 98


def test_a_different_key_creates_a_second_document(stocked, staff_api):
    staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-2")
    assert Sale.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_with_422(stocked, staff_api):
    staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    changed = staff_api.post(
        "/api/v1/sales/", _bill(stocked, quantity=3), format="json", HTTP_IDEMPOTENCY_KEY="bill-1"
    )
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    assert Sale.objects.count() == 1


def test_keys_belong_to_their_user(stocked, staff_user, manager_api):
    staff = bearer_client(staff_user)
    staff.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    manager_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="bill-1")
    assert Sale.objects.count() == 2


def test_a_refused_request_is_replayed_as_refused_without_writing(stocked, staff_api):
    too_many = _bill(stocked, quantity=1000)
    first = staff_api.post("/api/v1/sales/", too_many, format="json", HTTP_IDEMPOTENCY_KEY="big")
    again = staff_api.post("/api/v1/sales/", too_many, format="json", HTTP_IDEMPOTENCY_KEY="big")
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()
    assert Sale.objects.count() == 0


def test_an_overlong_key_is_a_400(stocked, staff_api):
    response = staff_api.post("/api/v1/sales/", _bill(stocked), format="json", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert Sale.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_document(roles_exist, make_user, manager_user):
    from testing.plant import build_plant

    plant = build_plant()
    plant.buy(manager_user, (plant.bottle, 100, "3.00"))
    staff = make_user("conc_staff", "staff")
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            client = bearer_client(staff)
            barrier.wait()
            answers.append(
                client.post("/api/v1/sales/", _bill(plant), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Sale.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    plant.bottle.balance.refresh_from_db()
    assert plant.bottle.balance.quantity == 98
