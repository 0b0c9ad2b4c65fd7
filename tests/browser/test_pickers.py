"""A 5-line bill at 360 px by keyboard alone: the customer found by their town, items by a middle
word of their name, prices from the customer's price list (issue 14, items 1–4)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory.models import Item, ItemKind, PackSize
from sales import pricing
from sales.models import Customer, PriceList, Sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEYS_OUT = Path(__file__).resolve().parents[2] / "test-output" / "keypresses.json"

# (word typed, SKU it must find, quantity typed, the customer's list price)
LINES = [
    ("500", "BTL-500", "100", Decimal("4.50")),
    ("250", "BTL-250", "200", Decimal("2.70")),
    ("1000", "BTL-1000", "50", Decimal("8.00")),
    ("200", "BTL-200", "100", Decimal("2.20")),
    ("litre", "JAR-20", "10", Decimal("35.00")),
]


class Keys:
    """The page's keyboard, counting every key pressed (a chord such as Control+Enter is 2)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += len(key.split("+"))


@pytest.fixture
def distributor(stocked_plant, manager_user):
    plant = stocked_plant
    made = [
        Item.objects.create(sku=sku, name=name, kind=ItemKind.BOTTLE, default_price=Decimal(price))
        for sku, name, price in (
            ("BTL-250", "Bottle 250 ml", "3.00"),
            ("BTL-1000", "Bottle 1000 ml", "9.00"),
            ("BTL-200", "Mini bottle 200 ml", "2.50"),
            ("JAR-20", "Water jar 20 litre", "40.00"),
        )
    ]
    plant.buy(manager_user, *((item, 500, "1.00") for item in made))
    PackSize.objects.create(item=plant.bottle, name="carton", quantity=24)
    distributors = pricing.save_price_list(by=manager_user, name="Distributors")
    start = date(2026, 1, 1)
    for _, sku, _, price in LINES:
        pricing.set_price(
            by=manager_user,
            price_list=distributors,
            item=Item.objects.get(sku=sku),
            price=price,
            valid_from=start,
        )
    # Namesakes and near misses: "sangli" must find the customer in Sangli, not these.
    Customer.objects.create(name="Shah Agencies", address="Station Road, Nashik", phone="0253 245 1100")
    Customer.objects.create(name="Sangam Traders", address="Peth, Kolhapur")
    customer = Customer.objects.create(
        name="Patil Water Supply",
        address="Market Yard, Sangli",
        phone="0233 262 4411",
        price_list=distributors,
    )
    return customer


def test_a_five_line_bill_by_keyboard_alone_at_360_px_posts_at_the_customers_list_prices(
    open_session, distributor
):
    staff = open_session("sam_staff", width=360)
    staff.go("/sales/bills/new/")
    page = staff.page
    keys = Keys(page)
    # The customer's box has the focus as the page opens.
    expect(page.locator("#id_customer_search")).to_be_focused()
    keys.type("sangli")
    expect(page.locator("#id_customer_search_list [role=option]")).to_have_count(1)
    keys.press("Enter")
    expect(page.locator("#id_customer")).to_have_value(str(distributor.pk))
    for index, (word, sku, quantity, price) in enumerate(LINES):
        search = page.locator(f"#id_lines-{index}-item_search")
        expect(search).to_be_focused()
        keys.type(word)
        expect(page.locator(f"#id_lines-{index}-item_search_list [aria-selected=true]")).to_contain_text(sku)
        if index == 0:
            staff.shot("picker-item-list-360")
            # The open list fits the phone: the lines need no sideways scrolling.
            wrap = "document.querySelector('fieldset.lines .table-wrap')"
            assert page.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth")
        keys.press("Enter")
        expect(page.locator(f"#id_lines-{index}-quantity")).to_be_focused()
        expect(page.locator(f"#id_lines-{index}-unit_price")).to_have_value(str(price))
        # The choice shows the stock (a quantity, with packs) and the customer's price.
        expect(page.locator(f"#id_lines-{index}-item_search ~ [data-picker-meta]")).to_contain_text(
            "In stock"
        )
        keys.type(quantity)
        if index < len(LINES) - 1:
            keys.press("Enter")  # a new line, its item box focused
    expect(page.locator("#id_lines-0-item_search ~ [data-picker-meta]")).to_contain_text(
        "50 cartons = 1,200 pcs"
    )
    expect(page.locator("[data-total]")).to_have_text("1,960.00")
    staff.shot("picker-bill-entry-360")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    keys.press("Control+Enter")
    expect(page.locator("h1 .badge")).to_have_text("Posted")
    staff.shot("picker-bill-posted-360")

    sale = Sale.objects.get()
    assert sale.customer == distributor
    assert [(line.item.sku, line.quantity, line.unit_price) for line in sale.lines.order_by("id")] == [
        (sku, int(quantity), price) for _, sku, quantity, price in LINES
    ]
    assert sale.total == Decimal("1960.00") and sale.off_list_lines == 0
    assert staff.errors == []
    KEYS_OUT.parent.mkdir(parents=True, exist_ok=True)
    KEYS_OUT.write_text(json.dumps({"keys": keys.count, "lines": len(LINES)}))
    assert keys.count <= 60


def test_pickers_at_desktop_width_and_the_price_list_admin(open_session, distributor):
    staff = open_session("sam_staff", width=1280)
    staff.go("/sales/bills/new/")
    page = staff.page
    page.keyboard.type("nashik")
    expect(page.locator("#id_customer_search_list [role=option]")).to_contain_text("Shah Agencies")
    staff.shot("picker-customer-list-1280")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator("#id_customer_search_list")).to_be_hidden()
    manager = open_session("mia_manager", width=1280)
    price_list = PriceList.objects.get(name="Distributors")
    for width in (360, 1280):
        manager.page.set_viewport_size({"width": width, "height": 800})
        manager.go(f"/admin/sales/pricelist/{price_list.pk}/change/")
        expect(manager.page.locator("body")).to_contain_text("JAR-20")
        manager.shot(f"price-list-admin-{width}")
        manager.go(f"/inventory/stock/{distributor.pk and Item.objects.get(sku='BTL-500').pk}/")
        expect(manager.page.locator("[data-on-hand]")).to_contain_text("cartons")
        manager.shot(f"stock-item-packs-{width}")
    assert staff.errors == []
