"""Only a bottle has a recipe: the rule lives in one service, used by the item pages and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import InvalidDocument
from inventory.models import Item, ItemKind
from inventory.services import RecipeInput, save_item_with_recipe

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_recipe_for_an_item_that_is_not_a_bottle_and_writes_nothing(
    plant, manager_user
):
    with pytest.raises(InvalidDocument) as refused:
        save_item_with_recipe(
            by=manager_user,
            sku="CAP-38",
            name="Cap 38 mm",
            kind=ItemKind.CAP,
            recipe=[RecipeInput(item=plant.preform, quantity=Decimal("1"))],
        )
    assert refused.value.fields == {"kind": ["Only a bottle has a recipe."]}
    assert not Item.objects.filter(sku="CAP-38").exists()


def test_the_service_saves_a_bottle_with_its_recipe_and_keeps_it_when_none_is_given(plant, manager_user):
    bottle = save_item_with_recipe(
        by=manager_user,
        sku="BTL-1000",
        name="Bottle 1 l",
        kind=ItemKind.BOTTLE,
        recipe=[RecipeInput(item=plant.preform, quantity=Decimal("1"))],
    )
    save_item_with_recipe(by=manager_user, item=bottle, name="Bottle 1 litre")
    assert list(bottle.recipe_lines.values_list("component__sku", flat=True)) == ["PF-500"]


def test_a_bottle_with_a_recipe_cannot_become_another_kind(plant, manager_user):
    with pytest.raises(InvalidDocument) as refused:
        save_item_with_recipe(by=manager_user, item=plant.bottle, kind=ItemKind.CAP)
    assert "only a bottle has one" in refused.value.fields["kind"][0]
    plant.bottle.refresh_from_db()
    assert plant.bottle.kind == ItemKind.BOTTLE


def test_the_item_page_shows_the_services_refusal(plant, manager_client):
    response = manager_client.post(
        reverse("inventory:item-new"),
        {
            "sku": "CAP-38",
            "name": "Cap 38 mm",
            "kind": "cap",
            "unit": "pcs",
            "reorder_level": "0",
            "is_active": "on",
            "recipe-TOTAL_FORMS": "1",
            "recipe-INITIAL_FORMS": "0",
            "recipe-0-item": plant.preform.pk,
            "recipe-0-quantity": "1",
        },
    )
    assert response.status_code == 400
    assert "Only a bottle has a recipe." in response.content.decode()
    assert not Item.objects.filter(sku="CAP-38").exists()


def test_the_item_api_refuses_to_turn_a_bottle_with_a_recipe_into_another_kind(plant, manager_user):
    api = APIClient()
    api.force_authenticate(manager_user)
    response = api.patch(f"/api/v1/items/{plant.bottle.pk}/", {"kind": "cap"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["kind"]
    plant.bottle.refresh_from_db()
    assert plant.bottle.kind == ItemKind.BOTTLE and plant.bottle.recipe_lines.count() == 2
