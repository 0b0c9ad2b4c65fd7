"""Items, recipes and stock counts: Managers keep them; items in use are never deleted."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from core.errors import DomainError, InvalidDocument, NotAllowed
from documents.numbering import financial_year_label
from inventory.models import Item, ItemKind, StockBalance, StockCount
from inventory.services import (
    CountLineInput,
    RecipeInput,
    create_stock_count,
    delete_item,
    save_item,
    set_recipe,
)
from inventory.verification import verify_ledger
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


def test_staff_may_not_create_or_change_items_prices_or_recipes(plant, staff_user):
    with pytest.raises(NotAllowed, match="Only a Manager may change items and prices."):
        save_item(by=staff_user, sku="PF-1000", name="Preform 1 l", kind=ItemKind.PREFORM)
    with pytest.raises(NotAllowed, match="Only a Manager may change items and prices."):
        save_item(by=staff_user, item=plant.bottle, default_price=D("0.01"))
    with pytest.raises(NotAllowed, match="Only a Manager may change recipes."):
        set_recipe(by=staff_user, bottle=plant.bottle, lines=[RecipeInput(plant.preform, D("2"))])
    plant.bottle.refresh_from_db()
    assert plant.bottle.default_price == D("5.00")
    assert not Item.objects.filter(sku="PF-1000").exists()
    assert list(plant.bottle.recipe_lines.values_list("component__sku", "quantity")) == [
        ("CAP-28", D("1.0000")),
        ("PF-500", D("1.0000")),
    ]


def test_a_manager_creates_an_item_with_its_balance_and_history(manager_user):
    item = save_item(
        by=manager_user, sku=" LBL-500 ", name="Label 500", kind=ItemKind.LABEL, reorder_level=50
    )
    assert item.sku == "LBL-500"
    assert stock(item) == (0, D("0.00"))
    assert item.history.get().history_user == manager_user


@pytest.mark.parametrize(
    "fields",
    [
        {"sku": "", "name": "No SKU"},
        {"sku": "pf-500", "name": "Same SKU, other case"},
        {"sku": "X1", "name": "Bad kind", "kind": "rocket"},
        {"sku": "X2", "name": "Bad price", "default_price": D("-1")},
        {"sku": "X3", "name": ""},
    ],
)
def test_an_item_with_unusable_fields_is_refused(plant, manager_user, fields):
    count = Item.objects.count()
    with pytest.raises(InvalidDocument):
        save_item(by=manager_user, **fields)
    assert Item.objects.count() == count


def test_an_item_in_use_cannot_be_deleted_but_an_unused_one_can(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    with pytest.raises(DomainError, match="PF-500 is in use; deactivate it instead of deleting it."):
        delete_item(by=manager_user, item=plant.preform)
    # A draft line is a use too.
    plant.sell(staff_user, (plant.scrap, 1, "1.00"), submit=False)
    with pytest.raises(DomainError, match="REGRIND is in use"):
        delete_item(by=manager_user, item=plant.scrap)
    with pytest.raises(NotAllowed, match="Only a Manager may delete items."):
        delete_item(by=staff_user, item=plant.cap)
    assert Item.objects.filter(sku__in=["PF-500", "REGRIND", "CAP-28"]).count() == 3

    unused = save_item(by=manager_user, sku="LBL-1", name="Label", kind=ItemKind.LABEL)
    delete_item(by=manager_user, item=unused)
    assert not Item.objects.filter(sku="LBL-1").exists()
    assert not StockBalance.objects.filter(item_id=unused.pk).exists()


@pytest.mark.parametrize("who", ["staff_user", "owner_user"])
def test_staff_and_the_owner_may_not_count_stock(request, plant, staff_user, who):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    user = request.getfixturevalue(who)
    before = ledger_state()
    with pytest.raises(NotAllowed, match=f"{user} may not enter stock counts"):
        create_stock_count(by=user, lines=[CountLineInput(plant.preform, 8)], submit=True)
    assert ledger_state() == before
    assert not StockCount.objects.exists()


def test_a_stock_count_writes_adjustments_at_average_cost_and_keeps_the_variance(
    plant, staff_user, manager_user
):
    plant.buy(staff_user, (plant.preform, 300, "2.00"), (plant.cap, 10, "0.50"))
    plant.buy(staff_user, (plant.preform, 300, "2.01"))  # average 2.005
    count = create_stock_count(
        by=manager_user,
        lines=[
            CountLineInput(plant.preform, 593),
            CountLineInput(plant.cap, 12),
            CountLineInput(plant.bottle, 0),
        ],
        submit=True,
    )
    assert (count.status, count.number) == ("posted", f"C/{financial_year_label(count.date)}/00001")
    lines = {line.item.sku: line for line in count.lines.select_related("item")}
    # 7 × 1203 / 600 = 14.035 → 14.04 (half up); 2 caps found at 0.50
    assert (lines["PF-500"].system_quantity, lines["PF-500"].difference) == (600, -7)
    assert lines["PF-500"].variance_value == D("-14.04")
    assert (lines["CAP-28"].difference, lines["CAP-28"].variance_value) == (2, D("1.00"))
    assert (lines["BTL-500"].difference, lines["BTL-500"].variance_value) == (0, D("0.00"))
    assert count.total == D("-13.04")
    assert stock(plant.preform) == (593, D("1188.96"))
    assert stock(plant.cap) == (12, D("6.00"))
    assert verify_ledger() == []


def test_counting_an_item_to_zero_takes_all_its_value(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 3, "0.01"), (plant.preform, 0 + 1, "0.02"))
    create_stock_count(by=manager_user, lines=[CountLineInput(plant.preform, 0)], submit=True)
    assert stock(plant.preform) == (0, D("0.00"))
    assert verify_ledger() == []


def test_verify_ledger_command_passes_on_good_data(plant, staff_user, capsys):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    call_command("verify_ledger")
    assert "Ledger OK" in capsys.readouterr().out
