"""Blow-moulding runs: inputs leave at average cost; a short run is refused naming the item."""

from decimal import Decimal

import pytest

from core.errors import InsufficientStock, InvalidDocument, NotAllowed
from documents import lifecycle
from inventory.models import StockBalance
from inventory.verification import verify_ledger
from production.models import ProductionRun, RejectReason
from production.services import InputLine, RejectLine, create_run, recipe_inputs
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


def test_a_run_with_too_few_preforms_is_refused_naming_item_stock_and_need(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 120, "2.00"), (plant.cap, 500, "0.50"))
    draft = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=140,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine(RejectReason.BURST, 10)],
    )
    assert sorted(draft.inputs.values_list("item__sku", "quantity")) == [("CAP-28", 150), ("PF-500", 150)]
    before = ledger_state()
    with pytest.raises(InsufficientStock) as refused:
        lifecycle.submit(document=draft, by=staff_user)
    assert str(refused.value) == "Not enough stock for this run — PF-500: 120 in stock, 150 needed."
    assert ledger_state() == before
    draft.refresh_from_db()
    assert (draft.status, draft.input_value) == ("draft", None)


def test_inputs_can_be_edited_to_what_was_really_used(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    run = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=90,
        machine="BM-1",
        shift="evening",
        rejects=[RejectLine(RejectReason.THIN_WALL, 5)],
        inputs=[InputLine(plant.preform, 96), InputLine(plant.cap, 90)],
        conversion_cost=D("9.00"),
        submit=True,
    )
    # 96 × 2 + 90 × 0.5 + 9 = 246 for 90 bottles
    assert (run.input_value, run.unit_cost) == (D("237.00"), D("2.7333"))
    assert stock(plant.bottle) == (90, D("246.00"))
    assert stock(plant.preform) == (4, D("8.00"))
    assert run.reject_quantity == 5
    assert verify_ledger() == []


def test_recipe_inputs_round_up_to_whole_units(plant):
    plant.bottle.recipe_lines.filter(component=plant.cap).update(quantity=D("0.5"))
    assert [(i.item.sku, i.quantity) for i in recipe_inputs(plant.bottle, 7)] == [
        ("CAP-28", 4),
        ("PF-500", 7),
    ]


def test_the_owner_may_not_enter_a_run(plant, owner_user):
    with pytest.raises(NotAllowed, match="may not enter production runs"):
        create_run(by=owner_user, product=plant.bottle, good_quantity=1, machine="BM-1", shift="day")
    assert not ProductionRun.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"good_quantity": 0},
        {"good_quantity": "12"},
        {"conversion_cost": D("-1")},
        {"conversion_cost": 1.5},
        {"rejects": [RejectLine("melted", 1)]},
        {"rejects": [RejectLine(RejectReason.BURST, "3")]},
        {"rejects": [RejectLine(RejectReason.BURST, 1), RejectLine(RejectReason.BURST, 2)]},
        {"scrap_quantity": 3},
        {"scrap_quantity": "3", "scrap_item": "scrap"},
        {"scrap_item": "scrap", "scrap_quantity": 5, "rejects": [RejectLine(RejectReason.BURST, 2)]},
        {"inputs": [InputLine("bottle", 1)]},
        {"inputs": []},
    ],
)
def test_a_run_with_unusable_input_is_refused_and_not_saved(plant, staff_user, changes):
    kwargs = {"product": plant.bottle, "good_quantity": 10, "machine": "BM-1", "shift": "day", **changes}
    if kwargs.get("scrap_item") == "scrap":
        kwargs["scrap_item"] = plant.scrap
    if kwargs.get("inputs") and kwargs["inputs"][0].item == "bottle":
        kwargs["inputs"] = [InputLine(plant.bottle, 1)]
    with pytest.raises(InvalidDocument):
        create_run(by=staff_user, submit=True, **kwargs)
    assert not ProductionRun.objects.exists()


def test_cancelling_a_run_whose_bottles_were_sold_is_refused(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"), (plant.cap, 10, "0.50"))
    run = create_run(
        by=staff_user, product=plant.bottle, good_quantity=10, machine="BM-1", shift="day", submit=True
    )
    plant.sell(staff_user, (plant.bottle, 4, "5.00"))
    before = ledger_state()
    with pytest.raises(InsufficientStock, match="BTL-500: 6 in stock, 10 to take back"):
        lifecycle.cancel(document=run, by=manager_user, reason="wrong machine")
    assert ledger_state() == before
