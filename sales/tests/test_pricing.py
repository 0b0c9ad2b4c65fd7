"""Customer price lists, off-list prices, and lines counted in packs (issue 14, items 3 and 4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.errors import InvalidDocument, NotAllowed
from inventory.models import PackSize, StockMovement
from inventory.services import save_pack
from sales import pricing
from sales.models import Customer, Sale
from sales.services import SaleLineInput, create_sale, save_customer

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


@pytest.fixture
def lists(plant, manager_user):
    plant.buy(manager_user, (plant.bottle, 1500, "3.00"))
    default = pricing.save_price_list(by=manager_user, name="Standard", is_default=True)
    distributors = pricing.save_price_list(by=manager_user, name="Distributors")
    pricing.set_price(by=manager_user, price_list=default, item=plant.bottle, price=D("5.50"), valid_from=DAY)
    pricing.set_price(
        by=manager_user,
        price_list=distributors,
        item=plant.bottle,
        price=D("4.00"),
        valid_from=date(2026, 1, 1),
    )
    # A new distributor price from 1 December: bills dated before keep 4.00.
    pricing.set_price(
        by=manager_user,
        price_list=distributors,
        item=plant.bottle,
        price=D("4.40"),
        valid_from=date(2026, 12, 1),
    )
    return default, distributors


def _bill(user, customer, item, quantity, price=None, on=DAY, submit=True, **line):
    return create_sale(
        by=user,
        customer=customer,
        lines=[SaleLineInput(item=item, quantity=quantity, unit_price=price, **line)],
        date=on,
        submit=submit,
    )


def test_a_line_left_without_a_price_takes_the_customers_list_then_the_default_list_then_the_item(
    plant, lists, staff_user, manager_user
):
    _, distributors = lists
    distributor = save_customer(by=manager_user, name="Patil Water Supply", price_list=distributors)
    assert _bill(staff_user, distributor, plant.bottle, 10).lines.get().unit_price == D("4.00")
    # The customer without a list of their own gets the default list's price.
    assert _bill(staff_user, plant.customer, plant.bottle, 10).lines.get().unit_price == D("5.50")
    # Before the default list's price starts, the item's own default price.
    early = _bill(staff_user, plant.customer, plant.bottle, 10, on=date(2026, 11, 19))
    assert early.lines.get().unit_price == D("5.00")


def test_a_list_price_counts_from_its_start_date(plant, lists, manager_user):
    _, distributors = lists
    distributor = Customer.objects.create(name="Patil", price_list=distributors)
    bottle = [plant.bottle.pk]
    assert pricing.list_prices(customer=distributor, item_ids=bottle, on=date(2026, 11, 30)) == {
        plant.bottle.pk: D("4.00")
    }
    assert pricing.list_prices(customer=distributor, item_ids=bottle, on=date(2026, 12, 1)) == {
        plant.bottle.pk: D("4.40")
    }


def test_list_prices_take_the_own_list_then_the_default_skip_an_inactive_one_in_one_query(
    plant, lists, manager_user, django_assert_num_queries
):
    default, distributors = lists
    pricing.set_price(by=manager_user, price_list=default, item=plant.cap, price=D("0.90"), valid_from=DAY)
    distributor = Customer.objects.create(name="Patil", price_list=distributors)
    items = [plant.bottle.pk, plant.cap.pk, plant.preform.pk]
    with django_assert_num_queries(1):
        prices = pricing.list_prices(customer=distributor, item_ids=items, on=DAY)
    assert prices == {plant.bottle.pk: D("4.00"), plant.cap.pk: D("0.90")}  # no preform on a list
    distributors.is_active = False
    distributors.save()
    assert pricing.list_prices(customer=distributor, item_ids=items, on=DAY) == {
        plant.bottle.pk: D("5.50"),
        plant.cap.pk: D("0.90"),
    }
    default.is_active = False
    default.save()
    assert pricing.list_prices(customer=distributor, item_ids=items, on=DAY) == {}
    assert pricing.list_prices(customer=None, item_ids=[], on=DAY) == {}


def test_a_price_far_from_the_list_is_kept_marked_and_makes_the_bill_wait_with_that_reason(
    plant, lists, staff_user, manager_user
):
    _, distributors = lists
    distributor = Customer.objects.create(name="Patil", price_list=distributors)
    near = _bill(staff_user, distributor, plant.bottle, 10, price=D("4.80"))  # +20 %: within
    assert (near.status, near.off_list_lines) == ("posted", 0)
    far = _bill(staff_user, distributor, plant.bottle, 10, price=D("2.00"))
    line = far.lines.get()
    assert (far.status, far.off_list_lines, line.unit_price, line.list_price) == (
        "pending",
        1,
        D("2.00"),
        D("4.00"),
    )
    assert line.is_off_list
    from documents import lifecycle

    assert "20% from the customer's price list" in lifecycle.rules_for(far).approval_reason(far)
    # The approver sees the mark on the bill.
    from django.test import Client

    client = Client()
    client.force_login(manager_user)
    body = client.get(reverse("sales:bill-detail", args=[far.pk])).content.decode()
    assert "list 4.00" in body


def test_only_a_manager_keeps_price_lists_and_assigns_a_customer_to_one(plant, lists, staff_user):
    default, distributors = lists
    with pytest.raises(NotAllowed):
        pricing.save_price_list(by=staff_user, name="Retail")
    with pytest.raises(NotAllowed):
        pricing.set_price(by=staff_user, price_list=default, item=plant.bottle, price=D("1"), valid_from=DAY)
    with pytest.raises(NotAllowed):
        save_customer(
            by=staff_user, customer=plant.customer, name=plant.customer.name, price_list=distributors
        )
    plant.customer.refresh_from_db()
    assert plant.customer.price_list is None


def test_one_default_list_at_a_time(lists, manager_user):
    default, _ = lists
    retail = pricing.save_price_list(by=manager_user, name="Retail", is_default=True)
    default.refresh_from_db()
    assert retail.is_default and not default.is_default
    with pytest.raises(InvalidDocument):
        pricing.save_price_list(by=manager_user, name="retail")


def test_a_line_in_cartons_and_loose_bottles_posts_base_units_and_pages_show_both(
    plant, lists, staff_user, manager_user, staff_client
):
    carton = save_pack(by=manager_user, item=plant.bottle, name="carton", quantity=24)
    data = {
        "request_key": "5e0c9a4e-7d0e-4d55-9a39-3b1f0a6c2f11",
        "customer": plant.customer.pk,
        "date": DAY.isoformat(),
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": plant.bottle.pk,
        "lines-0-packs": "41",
        "lines-0-pack": carton.pk,
        "lines-0-quantity": "6",
        "lines-0-unit_price": "5.00",
        "lines-0-discount": "",
        "submit": "1",
    }
    response = staff_client.post(reverse("sales:bill-new"), data)
    sale = Sale.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    line = sale.lines.get()
    assert (line.quantity, line.packs, line.pack, sale.total) == (990, 41, carton, D("4950.00"))
    assert StockMovement.objects.filter(source_id=sale.pk, kind="sale").get().quantity == -990
    page = staff_client.get(reverse("sales:bill-detail", args=[sale.pk])).content.decode()
    assert "41 cartons + 6 = 990 pcs" in page
    printed = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert "41 cartons + 6 = 990 pcs" in printed
    stock = staff_client.get(reverse("inventory:stock-list")).content.decode()
    assert "21 cartons + 6 = 510 pcs" in stock


def test_packs_of_another_item_or_more_packs_than_the_quantity_are_refused_on_the_line(
    plant, lists, staff_user, manager_user
):
    bag = PackSize.objects.create(item=plant.preform, name="bag", quantity=1000)
    carton = PackSize.objects.create(item=plant.bottle, name="carton", quantity=24)
    with pytest.raises(InvalidDocument) as refused:
        _bill(staff_user, plant.customer, plant.bottle, 10, price=D("5"), pack=bag, packs=1)
    assert refused.value.lines == {0: {"pack": ["A bag is not a pack of this item."]}}
    with pytest.raises(InvalidDocument) as refused:
        _bill(staff_user, plant.customer, plant.bottle, 10, price=D("5"), pack=carton, packs=1)
    assert "packs" in refused.value.lines[0]
    assert Sale.objects.count() == 0


def test_a_pack_holds_at_least_two_units_and_only_a_manager_sets_packs(plant, manager_user, staff_user):
    with pytest.raises(InvalidDocument):
        save_pack(by=manager_user, item=plant.bottle, name="single", quantity=1)
    with pytest.raises(NotAllowed):
        save_pack(by=staff_user, item=plant.bottle, name="carton", quantity=24)
    assert not PackSize.objects.exists()
