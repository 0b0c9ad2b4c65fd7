"""Sales and purchase returns: what they refuse, and that a refusal writes nothing."""

from decimal import Decimal

import pytest

from core.errors import DomainError, InsufficientStock, InvalidDocument, LedgerConflict, NotAllowed
from documents import lifecycle
from inventory.verification import verify_ledger
from returns.models import Disposition, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def bill(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.bottle, 100, "3.00"))
    return plant.sell(staff_user, (plant.preform, 40, "2.50"), (plant.bottle, 10, "5.00"))


def _line(bill, sku):
    return bill.lines.get(item__sku=sku)


def test_over_return_names_the_line_and_what_was_already_returned_and_writes_nothing(bill, staff_user):
    preforms = _line(bill, "PF-500")
    create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 30)], submit=True)
    before = ledger_state()
    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(
            by=staff_user,
            sale=bill,
            lines=[SalesReturnLineInput(_line(bill, "BTL-500"), 2), SalesReturnLineInput(preforms, 15)],
            submit=True,
        )
    assert refused.value.lines == {1: {"quantity": ["PF-500: 40 sold, 30 already returned, 15 requested."]}}
    assert "PF-500: 40 sold, 30 already returned, 15 requested" in str(refused.value)
    assert ledger_state() == before


def test_a_draft_beyond_what_is_left_is_refused_when_it_posts(bill, staff_user):
    preforms = _line(bill, "PF-500")
    draft = create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 30)])
    create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 20)], submit=True)
    before = ledger_state()
    with pytest.raises(InvalidDocument, match="PF-500: 40 sold, 20 already returned, 30 requested"):
        lifecycle.submit(document=draft, by=staff_user)
    assert ledger_state() == before


def test_a_return_against_a_draft_or_cancelled_bill_is_refused(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    draft = plant.sell(staff_user, (plant.bottle, 2, "5.00"), submit=False)
    with pytest.raises(InvalidDocument, match="only a posted sale takes returns"):
        create_sales_return(by=staff_user, sale=draft, lines=[SalesReturnLineInput(draft.lines.get(), 1)])


def test_a_bill_with_a_posted_return_cannot_be_cancelled_until_the_return_is(bill, staff_user, manager_user):
    returned = create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(_line(bill, "BTL-500"), 4)], submit=True
    )
    with pytest.raises(DomainError, match="has returns against it"):
        lifecycle.cancel(document=bill, by=manager_user, reason="wrong customer")
    lifecycle.cancel(document=returned, by=manager_user, reason="entered twice")
    lifecycle.cancel(document=bill, by=manager_user, reason="wrong customer")
    assert verify_ledger() == []


def test_a_refund_needs_a_method_and_a_credit_none(bill, staff_user):
    line = [SalesReturnLineInput(_line(bill, "BTL-500"), 1)]
    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(by=staff_user, sale=bill, lines=line, settlement=Settlement.REFUND)
    assert "refund_method" in refused.value.fields
    with pytest.raises(InvalidDocument):
        create_sales_return(
            by=staff_user, sale=bill, lines=line, settlement=Settlement.CREDIT, refund_method="cash"
        )
    with pytest.raises(InvalidDocument):
        create_sales_return(
            by=staff_user, sale=bill, lines=line, settlement=Settlement.REFUND, refund_method="cheque"
        )


@pytest.mark.parametrize("quantity", [0, -1, True, "3", 1.5])
def test_a_quantity_that_is_not_a_whole_number_above_zero_is_refused(bill, staff_user, quantity):
    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(
            by=staff_user, sale=bill, lines=[SalesReturnLineInput(_line(bill, "BTL-500"), quantity)]
        )
    assert refused.value.lines[0]["quantity"] == ["Enter a whole number above zero."]


def test_a_line_of_another_bill_is_refused(plant, bill, staff_user):
    other = plant.sell(staff_user, (plant.bottle, 1, "5.00"))
    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(other.lines.get(), 1)])
    assert refused.value.lines[0]["sale_line"] == [f"Choose a line of {bill}."]


def test_scrap_value_without_a_scrap_item_is_refused(bill, staff_user):
    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(
            by=staff_user,
            sale=bill,
            lines=[SalesReturnLineInput(_line(bill, "BTL-500"), 1, Disposition.SCRAP, scrap_value=D("1.00"))],
        )
    assert "scrap_item" in refused.value.lines[0]


def test_a_return_over_the_approval_limit_waits_and_nobody_approves_their_own(
    plant, staff_user, manager_user, owner_user, settings
):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"))
    bill = plant.sell(manager_user, (plant.bottle, 10, "5.00"))
    settings.APPROVAL_THRESHOLD = D("20")
    waiting = create_sales_return(
        by=manager_user, sale=bill, lines=[SalesReturnLineInput(bill.lines.get(), 5)], submit=True
    )
    assert (waiting.status, waiting.total) == ("pending", D("25.00"))
    with pytest.raises(NotAllowed):
        lifecycle.approve(document=waiting, by=manager_user)
    approved = lifecycle.approve(document=waiting, by=owner_user)
    assert approved.status == "posted" and approved.number.startswith("CN/")


def test_a_purchase_return_that_would_strand_value_is_refused_with_the_ledger_rule(plant, staff_user):
    first = plant.buy(staff_user, (plant.bottle, 10, "1.00"))
    second = plant.buy(staff_user, (plant.bottle, 10, "2.00"))
    plant.sell(staff_user, (plant.bottle, 15, "5.00"))  # leaves 5 valued at 7.50
    before = ledger_state()
    with pytest.raises(LedgerConflict, match="BTL-500: undoing this would leave 0 in stock valued at -2.50"):
        create_purchase_return(
            by=staff_user,
            purchase=second,
            lines=[PurchaseReturnLineInput(second.lines.get(), 5)],
            submit=True,
        )
    assert ledger_state() == before
    with pytest.raises(InsufficientStock, match="no longer in stock — BTL-500: 5 in stock, 6 to send back"):
        create_purchase_return(
            by=staff_user, purchase=first, lines=[PurchaseReturnLineInput(first.lines.get(), 6)], submit=True
        )
    assert ledger_state() == before
    # All five left at 1.00 each would strand 2.50 on an empty item; four leave one at 3.50.
    with pytest.raises(LedgerConflict, match="leave 0 in stock valued at 2.50"):
        create_purchase_return(
            by=staff_user, purchase=first, lines=[PurchaseReturnLineInput(first.lines.get(), 5)], submit=True
        )
    create_purchase_return(
        by=staff_user, purchase=first, lines=[PurchaseReturnLineInput(first.lines.get(), 4)], submit=True
    )
    assert verify_ledger() == []


def test_purchase_over_return_names_the_line(plant, staff_user, manager_user):
    purchase = plant.buy(staff_user, (plant.preform, 40, "2.00"))
    line = purchase.lines.get()
    create_purchase_return(
        by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(line, 30)], submit=True
    )
    with pytest.raises(InvalidDocument, match="PF-500: 40 bought, 30 already returned, 15 requested"):
        create_purchase_return(by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(line, 15)])
    with pytest.raises(DomainError, match="has returns against it"):
        lifecycle.cancel(document=purchase, by=manager_user, reason="wrong supplier")


def test_cancelling_a_sales_return_takes_the_goods_out_and_restores_the_balance(
    bill, staff_user, manager_user
):
    from sales import selectors as sales_selectors

    owed = sales_selectors.customer_outstanding(bill.customer)
    returned = create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(_line(bill, "PF-500"), 8)], submit=True
    )
    assert sales_selectors.customer_outstanding(bill.customer) == owed - D("20.00")
    lifecycle.cancel(document=returned, by=manager_user, reason="goods not received")
    assert sales_selectors.customer_outstanding(bill.customer) == owed
    assert verify_ledger() == []


def test_staff_may_not_cancel_a_return(bill, staff_user):
    returned = create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(_line(bill, "PF-500"), 1)], submit=True
    )
    with pytest.raises(NotAllowed):
        lifecycle.cancel(document=returned, by=staff_user, reason="x")


def test_verify_ledger_names_a_return_beyond_what_was_sold_or_bought(bill, plant, staff_user):
    from returns.models import PurchaseReturnLine, SalesReturnLine

    create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(_line(bill, "PF-500"), 5)], submit=True
    )
    purchase = plant.buy(staff_user, (plant.cap, 10, "0.50"))
    create_purchase_return(
        by=staff_user,
        purchase=purchase,
        lines=[PurchaseReturnLineInput(purchase.lines.get(), 2)],
        submit=True,
    )
    assert verify_ledger() == []
    # A row changed behind the services' back (as a bad import or a manual fix would).
    SalesReturnLine.objects.update(quantity=45)
    PurchaseReturnLine.objects.update(quantity=11)
    problems = verify_ledger()
    assert any("PF-500 returned 45, but only 40 were sold" in p for p in problems)
    assert any("CAP-28 sent back 11, but only 10 were bought" in p for p in problems)


def test_a_bill_returned_in_full_on_credit_owes_nothing_and_counts_as_paid(plant, staff_user):
    from sales import selectors as sales_selectors

    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 4, "5.00"))
    listed = sales_selectors.bills_with_payments().get(pk=bill.pk)
    assert (listed.outstanding, listed.payment_state) == (D("20.00"), "unpaid")
    create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(bill.lines.get(), 4)], submit=True
    )
    listed = sales_selectors.bills_with_payments().get(pk=bill.pk)
    assert (listed.outstanding, listed.payment_state) == (D("0.00"), "paid")
    assert sales_selectors.bill_outstanding(bill) == D("0.00")
