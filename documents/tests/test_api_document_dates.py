"""Document dates out of range over the API: a 400 naming the date, nothing written."""

import pytest

from inventory.models import StockMovement

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(
        manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), (plant.bottle, 100, "3.00")
    )
    return plant


API_BODIES = {
    "/api/v1/sales/": lambda p: {
        "customer": p.customer.pk,
        "submit": True,
        "lines": [{"item": p.bottle.pk, "quantity": 1, "unit_price": "5.00"}],
    },
    "/api/v1/purchases/": lambda p: {
        "supplier": p.supplier.pk,
        "submit": True,
        "lines": [{"item": p.preform.pk, "quantity": 1, "unit_price": "2.00"}],
    },
    "/api/v1/production-runs/": lambda p: {
        "product": p.bottle.pk,
        "good_quantity": 1,
        "machine": "BM-1",
        "submit": True,
    },
    "/api/v1/payments/": lambda p: {"customer": p.customer.pk, "amount": "4.00", "method": "upi"},
    "/api/v1/stock-counts/": lambda p: {"lines": [{"item": p.bottle.pk, "quantity": 97}], "submit": True},
}


@pytest.mark.parametrize("url", list(API_BODIES))
@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_the_api_answers_a_date_out_of_range_with_a_400_on_the_date(stocked, manager_api, url, when):
    movements = StockMovement.objects.count()
    response = manager_api.post(url, {**API_BODIES[url](stocked), "date": when}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", ["date"])
    assert StockMovement.objects.count() == movements
