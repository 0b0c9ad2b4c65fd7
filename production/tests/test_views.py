"""Production run entry: inputs filled from the recipe on request, rejects, scrap, shortages per line."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from inventory.models import StockBalance
from production.models import ProductionRun

pytestmark = pytest.mark.django_db


def run_data(plant, *, inputs=(), rejects=(), **extra):
    data = {
        "request_key": str(uuid.uuid4()),
        "product": plant.bottle.pk,
        "good_quantity": "90",
        "machine": "BM-2",
        "shift": "night",
        "date": "2026-11-20",
        "conversion_cost": "30.00",
        "scrap_item": "",
        "scrap_quantity": "",
        "scrap_value": "",
        "notes": "",
        "inputs-TOTAL_FORMS": str(max(len(inputs), 1)),
        "inputs-INITIAL_FORMS": "0",
        "rejects-TOTAL_FORMS": str(max(len(rejects), 1)),
        "rejects-INITIAL_FORMS": "0",
    }
    for index, (item, quantity) in enumerate(inputs):
        data |= {f"inputs-{index}-item": item.pk, f"inputs-{index}-quantity": str(quantity)}
    for index, (reason, quantity) in enumerate(rejects):
        data |= {f"rejects-{index}-reason": reason, f"rejects-{index}-quantity": str(quantity)}
    return data | extra


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    return plant


def test_fill_from_recipe_puts_the_recipe_inputs_for_good_and_rejected_bottles_in_the_rows(
    stocked, staff_client
):
    data = run_data(stocked, rejects=[("burst", 5)], fill_recipe="1")
    response = staff_client.post(reverse("production:run-new"), data)
    assert response.status_code == 200
    rows = [
        (form["item"].value(), form["quantity"].value())
        for form in response.context["formsets"]["inputs"].forms
    ]
    assert sorted(rows) == sorted([(str(stocked.preform.pk), "95"), (str(stocked.cap.pk), "95")])
    assert ProductionRun.objects.count() == 0


def test_fill_from_recipe_without_a_bottle_asks_for_one(stocked, staff_client):
    response = staff_client.post(
        reverse("production:run-new"), run_data(stocked, product="", fill_recipe="1")
    )
    assert "Choose the bottle and the good quantity first" in response.content.decode()


def test_a_run_with_rejects_and_scrap_posts_stock(stocked, staff_client):
    data = run_data(
        stocked,
        inputs=[(stocked.preform, 95), (stocked.cap, 95)],
        rejects=[("burst", 3), ("thin_wall", 2)],
        scrap_item=stocked.scrap.pk,
        scrap_quantity="5",
        scrap_value="1.00",
        submit="1",
    )
    response = staff_client.post(reverse("production:run-new"), data)
    assert response.status_code == 302
    run = ProductionRun.objects.get()
    assert (run.status, run.reject_quantity, run.scrap_quantity) == ("posted", 5, 5)
    assert StockBalance.objects.get(item=stocked.bottle).quantity == 90
    assert StockBalance.objects.get(item=stocked.preform).quantity == 5


def test_a_run_short_of_preforms_marks_that_input_and_writes_nothing(stocked, staff_client):
    data = run_data(stocked, inputs=[(stocked.cap, 95), (stocked.preform, 150)], submit="1")
    response = staff_client.post(reverse("production:run-new"), data)
    assert response.status_code == 400
    inputs = response.context["formsets"]["inputs"].forms
    assert inputs[1].errors["quantity"] == ["Only 100 in stock (150 needed)."]
    assert not inputs[0].errors
    assert ProductionRun.objects.count() == 0


def test_inputs_left_empty_come_from_the_recipe(stocked, staff_client):
    staff_client.post(reverse("production:run-new"), run_data(stocked, submit="1"))
    run = ProductionRun.objects.get()
    assert sorted(run.inputs.values_list("item__sku", "quantity")) == [("CAP-28", 90), ("PF-500", 90)]


def test_a_repeated_reject_reason_is_shown_on_the_rejects(stocked, staff_client):
    data = run_data(stocked, rejects=[("burst", 1), ("burst", 2)], submit="1")
    response = staff_client.post(reverse("production:run-new"), data)
    assert response.status_code == 400
    assert "Give each reject reason once." in response.context["general_errors"]
    assert ProductionRun.objects.count() == 0


def test_staff_see_the_run_but_not_its_cost(stocked, staff_client, manager_client):
    staff_client.post(reverse("production:run-new"), run_data(stocked, submit="1"))
    run = ProductionRun.objects.get()
    url = reverse("production:run-detail", args=[run.pk])
    # (90 × 2.00 + 90 × 0.50 + 30) / 90 = 2.8333
    assert "2.8333" in manager_client.get(url).content.decode()
    assert "2.8333" not in staff_client.get(url).content.decode()
    assert "2.8333" not in staff_client.get(reverse("production:run-list")).content.decode()


def test_run_list_filtered_by_an_item_finds_runs_that_made_or_consumed_it(stocked, staff_client):
    staff_client.post(reverse("production:run-new"), run_data(stocked, submit="1"))
    run = ProductionRun.objects.get()
    for item in (stocked.bottle, stocked.preform):
        page = staff_client.get(reverse("production:run-list"), {"item": item.pk}).context["page"]
        assert [r.pk for r in page] == [run.pk]
    assert (
        list(staff_client.get(reverse("production:run-list"), {"item": stocked.scrap.pk}).context["page"])
        == []
    )
