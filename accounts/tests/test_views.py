"""The audit trail: every change to business records, who made it, old → new values."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory import services

pytestmark = pytest.mark.django_db


def test_audit_trail_shows_old_and_new_values_and_who_changed_them(plant, manager_user, manager_client):
    services.save_item(by=manager_user, item=plant.cap, name="Cap 28 mm red")
    response = manager_client.get(reverse("accounts:audit"), {"model": "inventory.item"})
    assert response.status_code == 200
    entry = next(e for e in response.context["entries"] if e["record"].history_type == "~")
    assert entry["record"].history_user == manager_user
    assert ("name", "Cap 28 mm", "Cap 28 mm red") in entry["changes"]
    assert "Cap 28 mm red" in response.content.decode()


def test_audit_trail_filters_by_user_and_date(plant, staff_user, manager_user, manager_client):
    plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    services.save_item(by=manager_user, item=plant.cap, name="Renamed")
    by_staff = manager_client.get(reverse("accounts:audit"), {"user": staff_user.pk}).context["entries"]
    assert by_staff and all(e["record"].history_user == staff_user for e in by_staff)
    future = manager_client.get(reverse("accounts:audit"), {"date_from": "2999-01-01"}).context["entries"]
    assert future == []


def test_audit_trail_is_for_managers_and_the_owner(staff_client, owner_client):
    assert staff_client.get(reverse("accounts:audit")).status_code == 403
    assert owner_client.get(reverse("accounts:audit")).status_code == 200


def test_audit_trail_shows_a_document_status_change(plant, staff_user, manager_client):
    sale = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    plant.buy(staff_user, (plant.bottle, 5, "3.00"))
    from documents import lifecycle

    lifecycle.submit(document=sale, by=staff_user)
    entries = manager_client.get(reverse("accounts:audit"), {"model": "sales.sale"}).context["entries"]
    changed = next(e for e in entries if e["record"].history_type == "~")
    assert ("status", "draft", "posted") in changed["changes"]
