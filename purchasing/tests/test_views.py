"""Purchases and suppliers through the web pages."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from inventory.models import StockBalance
from purchasing.models import Purchase, Supplier

pytestmark = pytest.mark.django_db


def purchase_data(plant, *lines, **extra):
    data = {
        "request_key": str(uuid.uuid4()),
        "supplier": plant.supplier.pk,
        "date": "2026-11-20",
        "supplier_bill_number": "INV-7",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (item, quantity, price) in enumerate(lines):
        data |= {
            f"lines-{index}-item": item.pk,
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit_price": price,
        }
    return data | extra


def test_a_purchase_is_saved_as_a_draft_edited_then_submitted(plant, staff_client):
    data = purchase_data(plant, (plant.preform, "100", "2.50"), save="1")
    staff_client.post(reverse("purchasing:purchase-new"), data)
    purchase = Purchase.objects.get()
    assert purchase.status == "draft"
    edit_url = reverse("purchasing:purchase-edit", args=[purchase.pk])
    form = staff_client.get(edit_url)
    assert form.context["formsets"]["lines"].forms[0]["quantity"].value() == 100
    changed = purchase_data(plant, (plant.preform, "120", "2.50"), (plant.cap, "10", "0.40"), submit="1")
    assert staff_client.post(edit_url, changed).status_code == 302
    purchase.refresh_from_db()
    assert (purchase.status, str(purchase.total)) == ("posted", "304.00")
    assert StockBalance.objects.get(item=plant.preform).quantity == 120
    # A posted purchase can no longer be edited.
    assert staff_client.get(edit_url).status_code == 302


def test_another_staff_member_cannot_edit_someones_draft(plant, staff_client, make_user):
    from django.test import Client

    from accounts.roles import Role

    staff_client.post(
        reverse("purchasing:purchase-new"), purchase_data(plant, (plant.cap, "1", "1"), save="1")
    )
    purchase = Purchase.objects.get()
    other = Client()
    other.force_login(make_user("tom_staff", Role.STAFF))
    assert other.get(reverse("purchasing:purchase-edit", args=[purchase.pk])).status_code == 403
    assert other.post(reverse("purchasing:purchase-action", args=[purchase.pk, "delete"])).status_code == 403


def test_an_empty_purchase_says_to_add_a_line(plant, staff_client):
    data = purchase_data(plant, save="1") | {"lines-TOTAL_FORMS": "1"}
    response = staff_client.post(reverse("purchasing:purchase-new"), data)
    assert response.status_code == 400
    assert "Add at least one line." in response.content.decode()


def test_managers_keep_suppliers_and_can_deactivate_them(plant, manager_client, staff_client):
    url = reverse("purchasing:supplier-edit", args=[plant.supplier.pk])
    response = manager_client.post(url, {"name": "Polymer Preforms Ltd", "phone": "123"})
    assert response.status_code == 302
    plant.supplier.refresh_from_db()
    assert (plant.supplier.phone, plant.supplier.is_active) == ("123", False)
    assert staff_client.post(url, {"name": "x", "is_active": "on"}).status_code == 403
    listed = manager_client.get(reverse("purchasing:supplier-list"), {"show": "inactive"}).context["page"]
    assert [s.name for s in listed] == ["Polymer Preforms Ltd"]
    assert Supplier.history.filter(id=plant.supplier.pk).first().history_user.username == "mia_manager"
