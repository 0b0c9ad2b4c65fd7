"""Django admin: Managers only; the ledger and posted documents read-only; actions call the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.models import Item, StockMovement
from sales.models import Sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(plant, manager_user, staff_user):
    plant.buy(manager_user, (plant.bottle, 40, "3.00"))
    return plant.sell(staff_user, (plant.bottle, 10, "5.00"))


def test_staff_and_owner_cannot_reach_admin(staff_client, owner_client, manager_client):
    for client in (staff_client, owner_client):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert manager_client.get(reverse("admin:index")).status_code == 200


def test_every_business_model_is_registered_with_history(manager_client):
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    for label in ("inventory", "purchasing", "production", "sales", "expenses", "cashbook"):
        from django.apps import apps

        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert admin.site.is_registered(model), model
            if hasattr(model, "history"):
                assert isinstance(admin.site.get_model_admin(model), SimpleHistoryAdmin), model


def test_admin_lists_open_for_managers(posted, manager_client):
    for name in (
        "inventory_stockmovement",
        "inventory_stockbalance",
        "sales_sale",
        "sales_customer",
        "inventory_item",
    ):
        assert manager_client.get(reverse(f"admin:{name}_changelist"), {"q": "a"}).status_code == 200, name
    assert manager_client.get(reverse("admin:sales_sale_change", args=[posted.pk])).status_code == 200


def test_admin_cannot_change_or_delete_a_movement(posted, manager_client):
    movement = StockMovement.objects.first()
    change = reverse("admin:inventory_stockmovement_change", args=[movement.pk])
    delete = reverse("admin:inventory_stockmovement_delete", args=[movement.pk])
    page = manager_client.get(change).content.decode()
    assert 'name="_save"' not in page
    assert manager_client.post(change, {"quantity": "999"}).status_code == 403
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    assert manager_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    movement.refresh_from_db()
    assert StockMovement.objects.filter(pk=movement.pk, quantity=movement.quantity).exists()


def test_a_posted_bill_cannot_be_changed_or_deleted_in_admin(posted, manager_client):
    change = reverse("admin:sales_sale_change", args=[posted.pk])
    assert manager_client.post(change, {"notes": "edited"}).status_code == 403
    assert (
        manager_client.post(reverse("admin:sales_sale_delete", args=[posted.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Sale.objects.get(pk=posted.pk).notes == ""


def test_admin_cancel_action_asks_for_a_reason_then_cancels_through_the_lifecycle(posted, manager_client):
    url = reverse("admin:sales_sale_changelist")
    ask = manager_client.post(url, {"action": "cancel_documents", "_selected_action": [posted.pk]})
    assert ask.status_code == 200 and b"Reason" in ask.content
    posted.refresh_from_db()
    assert posted.status == "posted"
    manager_client.post(
        url,
        {
            "action": "cancel_documents",
            "_selected_action": [posted.pk],
            "confirmed": "yes",
            "reason": "returned",
        },
    )
    posted.refresh_from_db()
    assert (posted.status, posted.cancel_reason) == ("cancelled", "returned")


def test_admin_approve_action_reports_a_refusal_as_a_message(
    plant, manager_user, manager_client, other_manager
):
    plant.buy(manager_user, (plant.bottle, 2000, "2.00"))
    own = plant.sell(manager_user, (plant.bottle, 1500, "5.00"))
    theirs = plant.sell(other_manager, (plant.bottle, 1100, "5.00"))
    assert own.status == theirs.status == "pending"
    response = manager_client.post(
        reverse("admin:sales_sale_changelist"),
        {"action": "approve_documents", "_selected_action": [own.pk, theirs.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Nobody may approve a document they created or changed." in text
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.status, theirs.status) == ("pending", "posted")


def test_items_saved_in_admin_go_through_the_service_with_history(manager_client, plant):
    url = reverse("admin:inventory_item_change", args=[plant.cap.pk])
    data = {
        "sku": "CAP-28",
        "name": "Cap 28 mm blue",
        "kind": "cap",
        "unit": "pcs",
        "reorder_level": "10",
        "is_active": "on",
        "recipe_lines-TOTAL_FORMS": "0",
        "recipe_lines-INITIAL_FORMS": "0",
    }
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Item.objects.get(pk=plant.cap.pk).name == "Cap 28 mm blue"
    assert plant.cap.history.first().history_user.username == "mia_manager"
