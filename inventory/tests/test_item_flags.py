"""Sold / bought / made: what each document offers (issue 14, item 2)."""

from __future__ import annotations

import pytest

from inventory.models import Item, ItemKind
from inventory.search_text import normalise
from inventory.services import save_item
from production.forms import RunForm
from purchasing.forms import PurchaseLineForm
from sales.forms import SaleLineForm

pytestmark = pytest.mark.django_db


def test_items_take_the_flags_of_their_kind_unless_given(manager_user):
    bottle = Item.objects.create(sku="B", name="Bottle", kind=ItemKind.BOTTLE)
    preform = save_item(by=manager_user, sku="P", name="Preform", kind=ItemKind.PREFORM)
    traded = save_item(by=manager_user, sku="T", name="Traded bottle", kind=ItemKind.BOTTLE, is_bought=True)
    assert (bottle.is_sold, bottle.is_bought, bottle.is_made) == (True, False, True)
    assert (preform.is_sold, preform.is_bought, preform.is_made) == (False, True, False)
    assert (traded.is_sold, traded.is_bought, traded.is_made) == (True, True, True)


def test_a_bill_offers_sold_items_a_purchase_bought_ones_a_run_made_ones(db):
    for sku, kind in (
        ("BTL", ItemKind.BOTTLE),
        ("PF", ItemKind.PREFORM),
        ("CAP", ItemKind.CAP),
        ("RG", ItemKind.SCRAP),
    ):
        Item.objects.create(sku=sku, name=sku, kind=kind)
    Item.objects.create(sku="OLD", name="Old bottle", kind=ItemKind.BOTTLE, is_active=False)

    def offered(field):
        return {item.sku for item in field.queryset}

    assert offered(SaleLineForm().fields["item"]) == {"BTL", "RG"}
    assert offered(PurchaseLineForm().fields["item"]) == {"PF", "CAP"}
    assert offered(RunForm().fields["product"]) == {"BTL"}


def test_search_text_is_lower_case_without_accents_and_kept_on_every_save(plant, manager_user):
    assert normalise("  Nâsik   ROAD ") == "nasik road"
    item = save_item(by=manager_user, item=plant.bottle, name="Bouteille Évian 500 ml")
    assert Item.objects.get(pk=item.pk).search_text == "btl-500 bouteille evian 500 ml"
