"""The pickers' search endpoints (issue 14, item 1): any word, any case, any accent; roles; no costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from inventory.models import Item, ItemKind, PackSize
from purchasing.models import Supplier
from sales import pricing
from sales.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(plant, manager_user):
    distributors = pricing.save_price_list(by=manager_user, name="Distributors")
    pricing.set_price(
        by=manager_user,
        price_list=distributors,
        item=plant.bottle,
        price=D("4.25"),
        valid_from=date(2026, 1, 1),
    )
    Customer.objects.create(name="Shah Agencies", address="Station Road, Nâsik", phone="0253 245 1100")
    Customer.objects.create(name="Sangam Traders", address="Peth, Kolhapur")
    patil = Customer.objects.create(
        name="Patil Water Supply",
        address="Market Yard\nSangli",
        phone="0233 262 4411",
        price_list=distributors,
    )
    Customer.objects.create(name="Old Sangli Stores", address="Sangli", is_active=False)
    return patil


def _labels(response):
    assert response.status_code == 200, response.content
    return [row["label"] for row in response.json()["results"]]


def test_customers_are_found_by_any_word_of_name_town_or_phone_in_any_case_or_accent(staff_api, customers):
    url = "/api/v1/search/customers/"
    assert _labels(staff_api.get(url, {"q": "SANGLI"})) == ["Patil Water Supply"]
    assert _labels(staff_api.get(url, {"q": "nasik"})) == ["Shah Agencies"]
    assert _labels(staff_api.get(url, {"q": "262 44"})) == ["Patil Water Supply"]
    assert _labels(staff_api.get(url, {"q": "sang"})) == ["Patil Water Supply", "Sangam Traders"]
    assert _labels(staff_api.get(url, {"q": "water yard"})) == ["Patil Water Supply"]
    assert _labels(staff_api.get(url, {"q": ""})) == []


def test_bill_items_carry_stock_and_the_customers_price_and_never_a_cost(
    plant, customers, staff_api, manager_user
):
    plant.buy(manager_user, (plant.bottle, 990, "3.00"))
    plant.preform.is_sold = False  # the test plant sells its preforms; this one does not
    plant.preform.save()
    PackSize.objects.create(item=plant.bottle, name="carton", quantity=24)
    Item.objects.create(sku="BTL-1500", name="Bottle 1500 ml", kind=ItemKind.BOTTLE, is_sold=False)
    response = staff_api.get("/api/v1/search/bill-items/", {"q": "500", "customer": customers.pk})
    rows = response.json()["results"]
    assert [row["sku"] for row in rows] == ["BTL-500"]  # not the preform (bought), nor an unsold bottle
    row = rows[0]
    assert (row["stock"], row["price"], row["list_price"]) == (990, "4.25", True)
    assert row["packs"] == [
        {"id": row["packs"][0]["id"], "name": "carton", "plural": "cartons", "quantity": 24}
    ]
    assert not {"cost", "value", "average_cost", "unit_cost"} & set(row)
    # Without a customer: the item's default price.
    plain = staff_api.get("/api/v1/search/bill-items/", {"q": "bottle"}).json()["results"][0]
    assert plain["price"] == "5.00" and "list_price" not in plain


def test_items_and_suppliers_by_use_and_any_word(plant, staff_api):
    Supplier.objects.create(name="Polymer Preforms Ltd", address="MIDC Kupwad, Sangli")
    assert [
        r["sku"]
        for r in staff_api.get("/api/v1/search/items/", {"q": "500", "use": "made"}).json()["results"]
    ] == ["BTL-500"]
    assert _labels(staff_api.get("/api/v1/search/suppliers/", {"q": "kupwad"})) == ["Polymer Preforms Ltd"]


def test_search_needs_a_signed_in_user_with_a_role_and_sane_parameters(anon_api, staff_api, customers):
    assert anon_api.get("/api/v1/search/customers/", {"q": "sangli"}).status_code == 401
    assert staff_api.get("/api/v1/search/customers/", {"q": "x", "limit": "0"}).status_code == 400
    assert staff_api.get("/api/v1/search/customers/", {"q": "x" * 81}).status_code == 400
    # Typed past ten words, a picker searches by the first ten rather than refusing.
    assert _labels(staff_api.get("/api/v1/search/customers/", {"q": "sangli " * 11})) == [
        "Patil Water Supply"
    ]
    assert staff_api.get("/api/v1/search/bill-items/", {"q": "a", "customer": "nope"}).status_code == 400
    assert staff_api.get("/api/v1/search/bill-items/", {"q": "a", "customer": "99999"}).status_code == 404
    assert staff_api.get("/api/v1/search/bill-items/", {"q": "a", "date": "2026-13-01"}).status_code == 400
    assert staff_api.get("/api/v1/search/items/", {"q": "a", "use": "eaten"}).status_code == 400
    assert staff_api.get("/api/v1/search/customers/", {"q": "sang\x00li"}).status_code == 200


def test_the_api_refuses_a_bill_of_an_item_not_sold_and_a_purchase_of_one_not_bought(
    plant, staff_api, manager_api
):
    label = Item.objects.create(sku="LBL-500", name="Label 500 ml", kind=ItemKind.LABEL)  # bought only
    bill = {
        "customer": plant.customer.pk,
        "lines": [{"item": label.pk, "quantity": 1, "unit_price": "1.00"}],
    }
    refused = staff_api.post("/api/v1/sales/", bill, format="json")
    assert refused.status_code == 400 and "not sold" in str(refused.json())
    purchase = {
        "supplier": plant.supplier.pk,
        "lines": [{"item": plant.scrap.pk, "quantity": 1, "unit_price": "1.00"}],
    }
    refused = manager_api.post("/api/v1/purchases/", purchase, format="json")
    assert refused.status_code == 400 and "not bought" in str(refused.json())


def test_managers_keep_price_lists_through_the_api_and_staff_only_read_them(plant, staff_api, manager_api):
    made = manager_api.post("/api/v1/price-lists/", {"name": "Retail", "is_default": True}, format="json")
    assert made.status_code == 201, made.content
    entry = {
        "price_list": made.json()["id"],
        "item": plant.bottle.pk,
        "price": "5.75",
        "valid_from": "2026-11-01",
    }
    assert manager_api.post("/api/v1/price-list-entries/", entry, format="json").status_code == 201
    assert staff_api.post("/api/v1/price-list-entries/", entry, format="json").status_code == 403
    assert staff_api.get("/api/v1/price-list-entries/").json()["results"][0]["price"] == "5.75"
    assert pricing.list_prices(customer=plant.customer, item_ids=[plant.bottle.pk], on=date(2026, 11, 2)) == {
        plant.bottle.pk: D("5.75")
    }


@pytest.mark.postgres
def test_the_search_columns_have_trigram_indexes_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%' ORDER BY indexname"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["customer_search_trgm", "item_search_trgm", "supplier_search_trgm"]
