"""Changing a draft and submitting it is one service in one transaction, for the pages and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import InsufficientStock
from sales import entry
from sales.models import Sale
from sales.services import SaleLineInput, update_sale
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(manager_user, (plant.bottle, 40, "3.00"))
    return plant


def test_a_refused_submit_leaves_the_draft_as_it_was(stocked, staff_user):
    draft = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"), submit=False, notes="as typed")
    before = ledger_state()
    with pytest.raises(InsufficientStock):
        update_sale(
            sale=draft,
            by=staff_user,
            customer=stocked.customer,
            lines=[SaleLineInput(stocked.bottle, 10_000, Decimal("5.00"))],
            date=draft.date,
            notes="changed",
            submit=True,
        )
    draft = Sale.objects.get(pk=draft.pk)
    assert (draft.status, draft.notes) == ("draft", "as typed")
    assert list(draft.lines.values_list("quantity", flat=True)) == [2]
    assert ledger_state() == before


def test_an_accepted_change_and_submit_posts_the_changed_bill(stocked, staff_user):
    draft = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"), submit=False)
    posted = update_sale(
        sale=draft,
        by=staff_user,
        customer=stocked.customer,
        lines=[SaleLineInput(stocked.bottle, 3, Decimal("5.00"))],
        date=draft.date,
        submit=True,
    )
    assert (posted.status, posted.total) == ("posted", Decimal("15.00"))
    assert posted.lines.get().cost is not None


@pytest.fixture
def adapter_calls(monkeypatch):
    calls = []
    for name in ("create_bill", "update_bill"):
        real = getattr(entry, name)

        def spy(*, _real=real, _name=name, **kwargs):
            calls.append((_name, kwargs.get("submit", False)))
            return _real(**kwargs)

        monkeypatch.setattr(entry, name, spy)
    return calls


def test_the_pages_and_the_api_enter_bills_through_one_adapter(
    stocked, staff_user, staff_client, adapter_calls
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff_user)
    line = {"item": stocked.bottle.pk, "quantity": 1, "unit_price": "5.00"}
    made = api.post("/api/v1/sales/", {"customer": stocked.customer.pk, "lines": [line]}, format="json")
    assert made.status_code == 201
    changed = api.put(
        f"/api/v1/sales/{made.json()['id']}/",
        {"customer": stocked.customer.pk, "lines": [{**line, "quantity": 2}]},
        format="json",
    )
    assert changed.status_code == 200
    data = {
        "customer": stocked.customer.pk,
        "date": str(Sale.objects.get().date),
        "notes": "",
        "request_key": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": stocked.bottle.pk,
        "lines-0-quantity": "3",
        "lines-0-unit_price": "5.00",
        "lines-0-discount": "0",
        "submit": "1",
    }
    edited = staff_client.post(reverse("sales:bill-edit", args=[made.json()["id"]]), data)
    assert edited.status_code == 302
    assert adapter_calls == [("create_bill", False), ("update_bill", False), ("update_bill", True)]
    assert Sale.objects.get().status == "posted"
