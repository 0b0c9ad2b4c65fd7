"""Every page by role: allowed roles get it, others 403, the anonymous go to login; and Staff never
see a cost, a stock value or a profit figure anywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from documents import lifecycle
from inventory.models import StockBalance, StockCount, StockMovement
from inventory.services import CountLineInput, create_stock_count
from production.models import RejectReason
from production.services import RejectLine, create_run
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal

# Figures of the plant below, worked out by hand (see test_worked_example.py).
COST_FIGURES = ["3.0137", "2712.32", "2442.32", "1808.21", "904.11", "1091.79", "1976.82"]


@pytest.fixture
def week(plant, staff_user, manager_user):
    """A costed week: purchases, a run with rejects, a posted bill, a payment, a count, a pending bill."""
    purchase = plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"))
    plant.buy(staff_user, (plant.preform, 500, "2.37"))
    run = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=900,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine(RejectReason.THIN_WALL, 21), RejectLine(RejectReason.BURST, 10)],
        conversion_cost=D("270.00"),
        submit=True,
    )
    sale = plant.sell(staff_user, (plant.bottle, 600, "5.00", "100.00"))
    payment = record_payment(
        by=staff_user, customer=plant.customer, sale=sale, amount=D("1000"), method="cash"
    )
    pending = plant.sell(staff_user, (plant.preform, 10, "600.00"))
    draft = plant.sell(staff_user, (plant.cap, 5, "1.00"), submit=False)
    count = create_stock_count(
        by=manager_user, lines=[CountLineInput(item=plant.cap, quantity=69)], submit=True
    )
    assert run.unit_cost == D("3.0137") and sale.cost == D("1808.21") and pending.status == "pending"
    return {
        "purchase": purchase,
        "run": run,
        "sale": sale,
        "payment": payment,
        "pending": pending,
        "draft": draft,
        "count": count,
        "item": plant.bottle,
        "supplier": plant.supplier,
        "customer": plant.customer,
    }


ALL = {"staff", "manager", "owner"}
ENTER = {"staff", "manager"}
MANAGER = {"manager"}
READERS_OF_COSTS = {"manager", "owner"}

PAGES = [
    ("sales:bill-list", None, ALL),
    ("sales:bill-new", None, ENTER),
    ("sales:bill-detail", "sale", ALL),
    ("sales:bill-print", "sale", ALL),
    ("sales:bill-edit", "draft", ENTER),
    ("sales:payment-list", None, ALL),
    ("sales:payment-new", None, ENTER),
    ("sales:payment-detail", "payment", ALL),
    ("sales:customer-list", None, ALL),
    ("sales:customer-new", None, ENTER),
    ("sales:customer-edit", "customer", ENTER),
    ("purchasing:purchase-list", None, ALL),
    ("purchasing:purchase-new", None, ENTER),
    ("purchasing:purchase-detail", "purchase", ALL),
    ("purchasing:supplier-list", None, ALL),
    ("purchasing:supplier-new", None, MANAGER),
    ("purchasing:supplier-edit", "supplier", MANAGER),
    ("production:run-list", None, ALL),
    ("production:run-new", None, ENTER),
    ("production:run-detail", "run", ALL),
    ("inventory:item-list", None, ALL),
    ("inventory:item-new", None, MANAGER),
    ("inventory:item-edit", "item", MANAGER),
    ("inventory:stock-list", None, ALL),
    ("inventory:stock-item", "item", ALL),
    ("inventory:count-list", None, READERS_OF_COSTS),
    ("inventory:count-new", None, MANAGER),
    ("inventory:count-detail", "count", READERS_OF_COSTS),
    ("documents:approvals", None, READERS_OF_COSTS),
    ("accounts:audit", None, READERS_OF_COSTS),
]


def _url(week, name, target):
    return reverse(name, args=[week[target].pk] if target else [])


def test_each_page_opens_for_its_roles_only(week, staff_client, manager_client, owner_client):
    # One costed week for all pages (building it per page would multiply the suite's time).
    clients = {"staff": staff_client, "manager": manager_client, "owner": owner_client}
    wrong = []
    for name, target, allowed in PAGES:
        url = _url(week, name, target)
        for role, client in clients.items():
            status = client.get(url).status_code
            if status != (200 if role in allowed else 403):
                wrong.append((name, role, status))
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or reverse("accounts:login") not in anonymous["Location"]:
            wrong.append((name, "anonymous", anonymous.status_code))
    assert wrong == []


def test_staff_pages_never_show_a_cost_value_or_profit_figure(week, staff_client):
    urls = [_url(week, name, target) for name, target, allowed in PAGES if "staff" in allowed]
    urls += [reverse("inventory:stock-item", args=[week["run"].inputs.first().item_id])]
    assert len(urls) > 15
    for url in urls:
        body = staff_client.get(url).content.decode()
        for figure in COST_FIGURES:
            assert figure not in body, (url, figure)


def test_managers_see_the_cost_figures_staff_are_spared(week, manager_client):
    bill = manager_client.get(_url(week, "sales:bill-detail", "sale")).content.decode()
    run = manager_client.get(_url(week, "production:run-detail", "run")).content.decode()
    stock = manager_client.get(_url(week, "inventory:stock-item", "item")).content.decode()
    assert "1808.21" in bill and "3.0137" in run and "2442.32" in run and "904.11" in stock


def test_stock_page_shows_each_movement_with_a_running_balance(week, staff_client):
    page = staff_client.get(_url(week, "inventory:stock-item", "item")).content.decode()
    # Bottles: +900 made, −600 sold: balances 900 then 300, newest first.
    assert page.index(">300<") < page.index(">900<")
    assert StockBalance.objects.get(item=week["item"]).quantity == 300


def test_nav_shows_each_role_only_what_it_may_use(week, staff_client, manager_client, owner_client):
    staff = staff_client.get(reverse("inventory:stock-list")).content.decode()
    manager = manager_client.get(reverse("inventory:stock-list")).content.decode()
    owner = owner_client.get(reverse("inventory:stock-list")).content.decode()
    for link in ("reporting:profit-loss", "accounts:audit", "documents:approvals"):
        assert reverse(link) not in staff
        assert reverse(link) in manager and reverse(link) in owner
    assert reverse("admin:index") in manager
    assert reverse("admin:index") not in staff and reverse("admin:index") not in owner


def test_owner_pages_carry_no_entry_buttons(week, owner_client):
    for name in ("sales:bill-list", "purchasing:purchase-list", "production:run-list", "sales:customer-list"):
        body = owner_client.get(reverse(name)).content.decode()
        assert "/new/" not in body, name
    detail = owner_client.get(_url(week, "sales:bill-detail", "draft")).content.decode()
    assert "Save and submit" not in detail and "Delete draft" not in detail


def test_stock_count_entry_posts_the_difference(week, manager_client, plant):
    response = manager_client.post(
        reverse("inventory:count-new"),
        {
            "request_key": "5b2c9a53-8a0d-4c43-9f7e-1b9d6d6d2a01",
            "date": week["sale"].date.isoformat(),
            "notes": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": plant.preform.pk,
            "lines-0-quantity": "560",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    count = StockCount.objects.get(request_key="5b2c9a53-8a0d-4c43-9f7e-1b9d6d6d2a01")
    assert count.status == "posted"
    assert StockBalance.objects.get(item=plant.preform).quantity == 560


def test_approvals_queue_lists_pending_documents_and_approves_them(week, manager_client):
    queue = manager_client.get(reverse("documents:approvals")).content.decode()
    pending = week["pending"]
    assert pending.display_number in queue
    url = reverse("sales:bill-action", args=[pending.pk, "approve"])
    response = manager_client.post(url, {"next": "approvals"})
    assert response.status_code == 302 and response["Location"] == reverse("documents:approvals")
    pending.refresh_from_db()
    assert pending.status == "posted"


def test_item_can_be_created_with_a_recipe_and_deactivated(manager_client, plant):
    response = manager_client.post(
        reverse("inventory:item-new"),
        {
            "sku": "BTL-1000",
            "name": "Bottle 1 l",
            "kind": "bottle",
            "unit": "pcs",
            "reorder_level": "10",
            "default_price": "9.00",
            "is_active": "on",
            "recipe-TOTAL_FORMS": "2",
            "recipe-INITIAL_FORMS": "0",
            "recipe-0-item": plant.preform.pk,
            "recipe-0-quantity": "1",
            "recipe-1-item": plant.cap.pk,
            "recipe-1-quantity": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from inventory.models import Item

    item = Item.objects.get(sku="BTL-1000")
    assert sorted(item.recipe_lines.values_list("component__sku", flat=True)) == ["CAP-28", "PF-500"]
    manager_client.post(reverse("inventory:item-deactivate", args=[item.pk]), {"active": "0"})
    item.refresh_from_db()
    assert not item.is_active


def test_duplicate_sku_is_shown_next_to_the_sku_field(manager_client, plant):
    response = manager_client.post(
        reverse("inventory:item-new"),
        {
            "sku": "pf-500",
            "name": "Again",
            "kind": "preform",
            "unit": "pcs",
            "reorder_level": "0",
            "recipe-TOTAL_FORMS": "1",
            "recipe-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "SKU pf-500 is already used." in response.context["form"].errors["sku"]


def test_movements_have_no_web_route_that_writes(week, manager_client):
    before = StockMovement.objects.count()
    for name in ("inventory:stock-item", "inventory:stock-list"):
        url = reverse(name, args=[week["item"].pk]) if name.endswith("item") else reverse(name)
        manager_client.post(url, {"quantity": "5"})
    assert StockMovement.objects.count() == before


def test_cancel_needs_a_reason_and_reverses_stock(week, manager_client):
    sale = lifecycle.submit(document=week["draft"], by=week["draft"].created_by)
    url = reverse("sales:bill-action", args=[sale.pk, "cancel"])
    manager_client.post(url, {"reason": ""})
    sale.refresh_from_db()
    assert sale.status == "posted"
    manager_client.post(url, {"reason": "wrong customer"})
    sale.refresh_from_db()
    assert (sale.status, sale.cancel_reason) == ("cancelled", "wrong customer")


def test_list_pages_take_the_same_number_of_queries_for_few_or_many_rows(plant, staff_user, manager_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lists = [
        reverse("sales:bill-list"),
        reverse("sales:payment-list"),
        reverse("purchasing:purchase-list"),
        reverse("production:run-list"),
        reverse("inventory:stock-list"),
        reverse("inventory:stock-item", args=[plant.bottle.pk]),
        reverse("sales:customer-list"),
        reverse("inventory:item-list"),
        reverse("documents:approvals"),
    ]

    def counts():
        result = {}
        for url in lists:
            with CaptureQueriesContext(connection) as queries:
                assert manager_client.get(url).status_code == 200
            result[url] = len(queries)
        return result

    def add_activity():
        plant.buy(staff_user, (plant.bottle, 10, "3.00"), (plant.cap, 5, "0.50"))
        sale = plant.sell(staff_user, (plant.bottle, 2, "5.00"))
        plant.sell(staff_user, (plant.bottle, 1, "6000.00"))
        record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("1"), method="cash")
        create_run(
            by=staff_user, product=plant.bottle, good_quantity=1, machine="M", shift="day", submit=False
        )

    add_activity()
    few = counts()
    for _ in range(4):
        add_activity()
    assert counts() == few
