"""Purchases: received at their price; cancelled only while their stock is still there."""

from decimal import Decimal

import pytest

from core.errors import InsufficientStock, InvalidDocument, NotAllowed
from documents import lifecycle
from documents.numbering import financial_year_label
from inventory.models import StockBalance, StockMovement
from inventory.verification import verify_ledger
from production.services import create_run
from purchasing.models import Purchase, Supplier
from purchasing.services import PurchaseLineInput, create_purchase, save_supplier, update_purchase
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


def test_a_posted_purchase_receives_its_lines_at_the_purchase_price(plant, staff_user):
    purchase = plant.buy(staff_user, (plant.preform, 1000, "2.1234"), (plant.cap, 3, "0.333"))
    assert (purchase.status, purchase.number) == ("posted", f"P/{financial_year_label(purchase.date)}/00001")
    # 1000 × 2.1234 = 2123.40; 3 × 0.333 = 0.999 → 1.00
    assert purchase.total == D("2124.40")
    assert stock(plant.preform) == (1000, D("2123.40"))
    assert stock(plant.cap) == (3, D("1.00"))
    assert verify_ledger() == []


def test_cancelling_a_purchase_whose_preforms_were_used_is_refused_and_changes_nothing(
    plant, staff_user, manager_user
):
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    create_run(
        by=staff_user, product=plant.bottle, good_quantity=70, machine="BM-1", shift="day", submit=True
    )
    before = ledger_state()
    with pytest.raises(InsufficientStock) as refused:
        lifecycle.cancel(document=purchase, by=manager_user, reason="wrong supplier")
    assert str(refused.value) == (
        f"Cannot cancel {purchase.number}: its stock has already been used — "
        "PF-500: 30 in stock, 100 to take back; CAP-28: 30 in stock, 100 to take back."
    )
    assert ledger_state() == before
    purchase.refresh_from_db()
    assert purchase.status == "posted"


def test_cancelling_an_unused_purchase_takes_its_stock_back_and_nets_to_zero(plant, staff_user, manager_user):
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    plant.buy(staff_user, (plant.preform, 50, "3.00"))
    cancelled = lifecycle.cancel(document=purchase, by=manager_user, reason="duplicate entry")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "cancelled",
        "duplicate entry",
        manager_user,
    )
    assert stock(plant.preform) == (50, D("150.00"))
    moved = StockMovement.objects.filter(source_type="purchasing.purchase", source_id=purchase.pk)
    assert sorted(moved.values_list("quantity", "value")) == [(-100, D("-200.00")), (100, D("200.00"))]
    assert verify_ledger() == []


def test_a_cancel_needs_a_reason(plant, staff_user, manager_user):
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    before = ledger_state()
    with pytest.raises(InvalidDocument, match="A reason is needed to cancel."):
        lifecycle.cancel(document=purchase, by=manager_user, reason="")
    assert ledger_state() == before


def test_staff_may_not_keep_suppliers(staff_user, manager_user):
    before = list(Supplier.objects.values_list("name", flat=True))
    with pytest.raises(NotAllowed, match="may not change suppliers"):
        save_supplier(by=staff_user, name="Cheap Preforms")
    supplier = save_supplier(by=manager_user, name="Good Preforms")
    with pytest.raises(NotAllowed, match="may not change suppliers"):
        save_supplier(by=staff_user, supplier=supplier, phone="123")
    supplier.refresh_from_db()
    assert supplier.phone == ""
    assert sorted(Supplier.objects.values_list("name", flat=True)) == sorted([*before, "Good Preforms"])


def test_the_owner_may_not_enter_a_purchase(plant, owner_user):
    before = ledger_state()
    with pytest.raises(NotAllowed, match=f"{owner_user} may not enter purchases."):
        plant.buy(owner_user, (plant.preform, 1, "1.00"))
    assert ledger_state() == before


def test_a_purchase_from_an_inactive_supplier_is_refused(plant, staff_user):
    plant.supplier.is_active = False
    plant.supplier.save()
    with pytest.raises(InvalidDocument, match="Choose an active supplier."):
        plant.buy(staff_user, (plant.preform, 1, "1.00"))
    assert not Purchase.objects.exists()


def test_editing_a_draft_purchase_replaces_its_lines(plant, staff_user):
    draft = plant.buy(staff_user, (plant.preform, 10, "1.00"), submit=False)
    update_purchase(
        purchase=draft,
        by=staff_user,
        supplier=plant.supplier,
        lines=[PurchaseLineInput(plant.cap, 4, D("0.25"))],
        date=draft.date,
        supplier_bill_number="INV-7",
    )
    draft.refresh_from_db()
    assert (draft.total, draft.supplier_bill_number) == (D("1.00"), "INV-7")
    assert list(draft.lines.values_list("item__sku", "quantity")) == [("CAP-28", 4)]
    assert not StockMovement.objects.exists()


def test_a_purchase_above_the_threshold_waits_for_approval(plant, staff_user, manager_user, settings):
    settings.APPROVAL_THRESHOLD = D("1000")
    purchase = create_purchase(
        by=staff_user,
        supplier=plant.supplier,
        lines=[PurchaseLineInput(plant.preform, 1000, D("1.01"))],
        submit=True,
    )
    assert (purchase.status, StockMovement.objects.count()) == ("pending", 0)
    assert lifecycle.approve(document=purchase, by=manager_user).status == "posted"
    assert stock(plant.preform) == (1000, D("1010.00"))
