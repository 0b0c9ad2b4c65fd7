"""The bill form's price suggestion, driven from the keyboard as a shop PC user enters a bill."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import Item, ItemKind
from sales.models import Sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bottles(stocked_plant, manager_user):
    """Bottles whose SKUs share a prefix, so typing one selects others on the way."""
    made = {
        sku: Item.objects.create(
            sku=sku, name=f"Bottle {sku[4:]} ml", kind=ItemKind.BOTTLE, default_price=Decimal(price)
        )
        for sku, price in (("BTL-1000", "9.00"), ("BTL-1500", "12.00"), ("BTL-250", "3.00"))
    }
    stocked_plant.buy(manager_user, *((item, 100, "1.00") for item in made.values()))
    return made | {"BTL-500": stocked_plant.bottle}


def _type_item(page, index: int, text: str) -> None:
    """Focus the line's item list and type, as a keyboard user does (the list jumps as each key lands)."""
    page.focus(f"#id_lines-{index}-item")
    page.keyboard.type(text)


def test_keyboard_entered_lines_post_at_each_chosen_items_price(open_session, stocked_plant, bottles):
    staff = open_session("sam_staff")
    staff.go("/sales/bills/new/")
    page = staff.page
    page.select_option("#id_customer", str(stocked_plant.customer.pk))
    # Each of these passes BTL-1000 (and BTL-1500 for "BTL-2") before it lands.
    typed = [("BTL-5", "BTL-500"), ("BTL-2", "BTL-250"), ("BTL-15", "BTL-1500"), ("BTL-1", "BTL-1000")]
    for index, (keys, sku) in enumerate(typed):
        if index:
            page.click("[data-add-row]")
        _type_item(page, index, keys)
        expect(page.locator(f"#id_lines-{index}-item")).to_have_value(str(bottles[sku].pk))
        page.fill(f"#id_lines-{index}-quantity", "2")

    # A price typed by hand stays when the item is changed afterwards.
    page.click("[data-add-row]")
    page.select_option("#id_lines-4-item", str(bottles["BTL-1000"].pk))
    page.fill("#id_lines-4-unit_price", "4.50")
    _type_item(page, 4, "CAP")
    expect(page.locator("#id_lines-4-item")).to_have_value(str(stocked_plant.cap.pk))
    page.fill("#id_lines-4-quantity", "3")

    # Clearing a typed price lets it follow the item again.
    page.click("[data-add-row]")
    page.fill("#id_lines-5-unit_price", "7.77")
    page.fill("#id_lines-5-unit_price", "")
    page.select_option("#id_lines-5-item", str(bottles["BTL-250"].pk))
    _type_item(page, 5, "BTL-15")
    expect(page.locator("#id_lines-5-item")).to_have_value(str(bottles["BTL-1500"].pk))
    page.fill("#id_lines-5-quantity", "1")

    page.click("button[name=submit]")
    expect(page.locator("h1 .badge")).to_have_text("Posted")
    lines = Sale.objects.get().lines.order_by("id")
    assert [(line.item.sku, line.quantity, line.unit_price) for line in lines] == [
        ("BTL-500", 2, Decimal("5.00")),
        ("BTL-250", 2, Decimal("3.00")),
        ("BTL-1500", 2, Decimal("12.00")),
        ("BTL-1000", 2, Decimal("9.00")),
        ("CAP-28", 3, Decimal("4.50")),
        ("BTL-1500", 1, Decimal("12.00")),
    ]
    assert staff.errors == []


def test_an_edited_drafts_own_prices_stay_and_item_prices_follow_the_item(
    open_session, stocked_plant, bottles, staff_user
):
    plant = stocked_plant
    draft = plant.sell(staff_user, (plant.bottle, 1, "5.00"), (plant.bottle, 1, "4.50"), submit=False)
    staff = open_session("sam_staff")
    staff.go(f"/sales/bills/{draft.pk}/edit/")
    page = staff.page
    for index in (0, 1):
        _type_item(page, index, "BTL-2")
        expect(page.locator(f"#id_lines-{index}-item")).to_have_value(str(bottles["BTL-250"].pk))
    page.click("button[name=save]")
    expect(page.locator("h1 .badge")).to_have_text("Draft")
    lines = draft.lines.order_by("id")
    # The first line carried the bottle's own price, so it follows the new item; 4.50 was typed.
    assert [(line.item.sku, line.unit_price) for line in lines] == [
        ("BTL-250", Decimal("3.00")),
        ("BTL-250", Decimal("4.50")),
    ]
    assert staff.errors == []
