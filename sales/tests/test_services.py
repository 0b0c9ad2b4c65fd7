"""Bills and payments through the services: refusals leave everything as it was."""

from decimal import Decimal

import pytest

from core.errors import DomainError, InsufficientStock, InvalidDocument, NotAllowed, WrongState
from documents import lifecycle
from inventory.models import StockBalance
from sales import selectors
from sales.models import Customer, Payment, Sale
from sales.services import (
    CreditLimitExceeded,
    SaleLineInput,
    record_payment,
    save_customer,
    update_sale,
)
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


@pytest.fixture
def stocked(plant, staff_user):
    """120 preforms, 10 caps and 50 bottles in stock."""
    plant.buy(staff_user, (plant.preform, 120, "2.00"), (plant.cap, 10, "0.50"), (plant.bottle, 50, "3.00"))
    return plant


def test_a_bill_beyond_stock_is_refused_naming_every_short_line_and_writes_nothing(stocked, staff_user):
    plant = stocked
    before = ledger_state()
    with pytest.raises(InsufficientStock) as refused:
        plant.sell(
            staff_user,
            (plant.preform, 150, "3.00"),
            (plant.bottle, 5, "5.00"),  # this line alone would be fine
            (plant.cap, 11, "1.00"),
        )
    assert str(refused.value) == (
        "Not enough stock — PF-500: 120 in stock, 150 requested; CAP-28: 10 in stock, 11 requested."
    )
    assert [(s.sku, s.available, s.requested) for s in refused.value.shortages] == [
        ("PF-500", 120, 150),
        ("CAP-28", 10, 11),
    ]
    assert ledger_state() == before
    assert not Sale.objects.exists()


def test_two_lines_of_one_item_are_refused_when_together_they_exceed_stock(stocked, staff_user):
    plant = stocked
    draft = plant.sell(staff_user, (plant.bottle, 30, "5.00"), (plant.bottle, 30, "5.00"), submit=False)
    before = ledger_state()
    with pytest.raises(InsufficientStock, match="BTL-500: 50 in stock, 60 requested"):
        lifecycle.submit(document=draft, by=staff_user)
    assert ledger_state() == before
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)


def test_a_posted_bill_stores_each_lines_cost_and_issues_the_stock(stocked, staff_user):
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 20, "5.00", "10.00"))
    line = sale.lines.get()
    assert (sale.status, sale.total, sale.cost) == ("posted", D("90.00"), D("60.00"))
    assert (line.amount, line.unit_cost, line.cost) == (D("90.00"), D("3.0000"), D("60.00"))
    assert stock(plant.bottle) == (30, D("90.00"))


def test_the_owner_may_not_enter_a_bill(stocked, owner_user):
    before = ledger_state()
    with pytest.raises(NotAllowed, match=f"{owner_user} may not enter sales bills"):
        stocked.sell(owner_user, (stocked.bottle, 1, "5.00"))
    assert ledger_state() == before


def test_the_owner_may_not_post_a_draft_someone_else_entered(stocked, staff_user, owner_user):
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    before = ledger_state()
    with pytest.raises(NotAllowed, match=f"{owner_user} may not enter sales bills"):
        lifecycle.submit(document=draft, by=owner_user)
    assert ledger_state() == before


def test_the_owner_may_not_record_a_payment(stocked, owner_user):
    before = ledger_state()
    with pytest.raises(NotAllowed, match="may not enter payments"):
        record_payment(by=owner_user, customer=stocked.customer, amount=D("10"), method="cash")
    assert ledger_state() == before


def test_staff_may_not_cancel_a_posted_bill(stocked, staff_user):
    sale = stocked.sell(staff_user, (stocked.bottle, 5, "5.00"))
    before = ledger_state()
    with pytest.raises(NotAllowed, match="Only a Manager may cancel a posted document."):
        lifecycle.cancel(document=sale, by=staff_user, reason="typo")
    assert ledger_state() == before


def test_a_posted_bill_can_be_neither_edited_nor_deleted(stocked, staff_user, manager_user):
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 5, "5.00"))
    before = ledger_state()
    message = f"Cannot change {sale.number}: it is posted, not draft."
    with pytest.raises(WrongState, match=message):
        update_sale(
            sale=sale,
            by=manager_user,
            customer=plant.customer,
            lines=[SaleLineInput(plant.bottle, 1, D("5"))],
            date=sale.date,
        )
    with pytest.raises(WrongState, match=message):
        lifecycle.delete_draft(document=sale, by=manager_user)
    assert ledger_state() == before
    assert sale.lines.get().quantity == 5


def test_another_staff_member_may_not_edit_or_delete_someone_elses_draft(stocked, staff_user, make_user):
    from accounts.roles import Role

    colleague = make_user("tom_staff", Role.STAFF)
    plant = stocked
    draft = plant.sell(staff_user, (plant.bottle, 5, "5.00"), submit=False)
    before = ledger_state()
    message = f"Only the person who created {draft} or a Manager may change it."
    with pytest.raises(NotAllowed, match=message):
        update_sale(
            sale=draft,
            by=colleague,
            customer=plant.customer,
            lines=[SaleLineInput(plant.bottle, 1, D("5"))],
            date=draft.date,
        )
    with pytest.raises(NotAllowed, match=message):
        lifecycle.delete_draft(document=draft, by=colleague)
    with pytest.raises(NotAllowed, match=message):
        lifecycle.submit(document=draft, by=colleague)
    assert ledger_state() == before
    assert draft.lines.get().quantity == 5


def test_a_manager_may_edit_a_staff_members_draft(stocked, staff_user, manager_user):
    plant = stocked
    draft = plant.sell(staff_user, (plant.bottle, 5, "5.00"), submit=False)
    update_sale(
        sale=draft,
        by=manager_user,
        customer=plant.customer,
        lines=[SaleLineInput(plant.bottle, 7, D("4.00"))],
        date=draft.date,
    )
    draft.refresh_from_db()
    assert (draft.total, draft.lines.get().quantity) == (D("28.00"), 7)


def test_a_bill_above_the_approval_threshold_waits_and_another_manager_posts_it(
    stocked, staff_user, manager_user, settings
):
    settings.APPROVAL_THRESHOLD = D("100")
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 30, "5.00"))
    assert (sale.status, sale.number) == ("pending", None)
    assert stock(plant.bottle) == (50, D("150.00"))

    approved = lifecycle.approve(document=sale, by=manager_user)
    assert approved.status == "posted"
    assert approved.number.endswith("/00001")
    assert approved.decided_by == manager_user
    assert stock(plant.bottle) == (20, D("60.00"))


def test_a_bill_for_approval_is_refused_at_once_when_stock_cannot_cover_it(stocked, staff_user, settings):
    settings.APPROVAL_THRESHOLD = D("100")
    plant = stocked
    before = ledger_state()
    with pytest.raises(InsufficientStock, match="BTL-500: 50 in stock, 60 requested"):
        plant.sell(staff_user, (plant.bottle, 60, "5.00"))
    assert ledger_state() == before
    assert not Sale.objects.exists()


def test_a_pending_bill_whose_stock_went_elsewhere_is_refused_when_approved(
    stocked, staff_user, manager_user, settings
):
    settings.APPROVAL_THRESHOLD = D("100")
    plant = stocked
    pending = plant.sell(staff_user, (plant.bottle, 30, "5.00"))
    plant.sell(staff_user, (plant.bottle, 30, "1.00"))  # below the threshold: posts at once
    with pytest.raises(InsufficientStock, match="BTL-500: 20 in stock, 30 requested"):
        lifecycle.approve(document=pending, by=manager_user)
    pending.refresh_from_db()
    assert (pending.status, pending.number) == ("pending", None)


def test_a_bill_at_the_threshold_posts_at_once(stocked, staff_user, settings):
    settings.APPROVAL_THRESHOLD = D("150")
    sale = stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    assert sale.status == "posted"


def test_the_owner_may_approve_a_pending_bill(stocked, staff_user, owner_user, settings):
    settings.APPROVAL_THRESHOLD = D("100")
    sale = stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    assert lifecycle.approve(document=sale, by=owner_user).status == "posted"


def test_nobody_approves_their_own_bill(stocked, manager_user, settings):
    settings.APPROVAL_THRESHOLD = D("100")
    sale = stocked.sell(manager_user, (stocked.bottle, 30, "5.00"))
    before = ledger_state()
    with pytest.raises(NotAllowed, match="Nobody may approve a document they created or changed."):
        lifecycle.approve(document=sale, by=manager_user)
    assert ledger_state() == before
    sale.refresh_from_db()
    assert sale.status == "pending"


def test_staff_may_not_approve_a_bill(stocked, staff_user, make_user, settings):
    from accounts.roles import Role

    settings.APPROVAL_THRESHOLD = D("100")
    sale = stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    colleague = make_user("tom_staff", Role.STAFF)
    before = ledger_state()
    with pytest.raises(NotAllowed, match="may not approve documents"):
        lifecycle.approve(document=sale, by=colleague)
    assert ledger_state() == before


def test_rejecting_needs_a_reason_and_a_rejected_bill_never_moves_stock(
    stocked, staff_user, manager_user, settings
):
    settings.APPROVAL_THRESHOLD = D("100")
    sale = stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    before = ledger_state()
    with pytest.raises(InvalidDocument, match="A reason is needed to reject."):
        lifecycle.reject(document=sale, by=manager_user, reason="   ")
    assert ledger_state() == before

    rejected = lifecycle.reject(document=sale, by=manager_user, reason="price too low")
    assert (rejected.status, rejected.rejection_reason, rejected.number) == (
        "rejected",
        "price too low",
        None,
    )
    assert stock(stocked.bottle) == (50, D("150.00"))
    with pytest.raises(WrongState, match="it is rejected, not pending"):
        lifecycle.approve(document=rejected, by=manager_user)


def test_a_customer_over_their_credit_limit_is_refused(stocked, staff_user, manager_user):
    customer = save_customer(by=manager_user, name="Small Shop", credit_limit=D("100.00"))
    stocked.sell(staff_user, (stocked.bottle, 10, "5.00"), customer=customer)  # owes 50
    before = ledger_state()
    with pytest.raises(CreditLimitExceeded) as refused:
        stocked.sell(staff_user, (stocked.bottle, 12, "5.00"), customer=customer)
    assert (
        str(refused.value) == "Small Shop would owe 110.00 against a credit limit of 100.00 (owes 50.00 now)."
    )
    assert ledger_state() == before
    # Paying part of the debt makes room for the same bill.
    record_payment(by=staff_user, customer=customer, amount=D("20"), method="cash")
    assert stocked.sell(staff_user, (stocked.bottle, 12, "5.00"), customer=customer).status == "posted"


def test_staff_may_not_set_a_credit_limit(staff_user):
    with pytest.raises(NotAllowed, match="Only a Manager may set a customer's credit limit."):
        save_customer(by=staff_user, name="Shop", credit_limit=D("10"))
    assert not Customer.objects.filter(name="Shop").exists()


# Payments ---------------------------------------------------------------------------------------


def bill_state(sale):
    return selectors.bills_with_payments(Sale.objects.filter(pk=sale.pk)).get()


def test_a_bill_goes_from_unpaid_to_partly_paid_to_paid(stocked, staff_user):
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 20, "5.00"))
    assert (bill_state(sale).payment_state, bill_state(sale).outstanding) == ("unpaid", D("100.00"))

    record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("40"), method="upi")
    assert (bill_state(sale).payment_state, bill_state(sale).outstanding) == ("partly paid", D("60.00"))

    payment = record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("60"), method="cash")
    assert payment.number.startswith("M/") and payment.status == "posted"
    assert (bill_state(sale).payment_state, bill_state(sale).outstanding) == ("paid", D("0.00"))
    assert selectors.customer_outstanding(plant.customer) == D("0.00")


def test_paying_more_than_a_bill_owes_is_refused(stocked, staff_user):
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 20, "5.00"))
    record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("30"), method="cash")
    before = ledger_state()
    with pytest.raises(InvalidDocument) as refused:
        record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("70.01"), method="cash")
    assert refused.value.fields["amount"] == [
        f"{sale.number} owes 70.00; a payment of 70.01 would overpay it. "
        "Record the extra without a bill to keep it as the customer's credit."
    ]
    assert ledger_state() == before
    assert Payment.objects.count() == 1


def test_money_paid_on_account_is_kept_as_the_customers_credit(stocked, staff_user):
    plant = stocked
    plant.sell(staff_user, (plant.bottle, 20, "5.00"))
    record_payment(by=staff_user, customer=plant.customer, amount=D("130.50"), method="bank")
    assert selectors.customer_outstanding(plant.customer) == D("-30.50")
    assert selectors.total_outstanding() == D("-30.50")


def test_a_payment_for_another_customers_bill_is_refused(stocked, staff_user):
    other = Customer.objects.create(name="Other")
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    with pytest.raises(InvalidDocument, match="is not a bill of Other"):
        record_payment(by=staff_user, customer=other, sale=sale, amount=D("1"), method="cash")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", [D("0"), D("-5"), D("0.004"), 1.5, "abc", D("NaN"), None, D("1e20")])
def test_a_payment_with_an_unusable_amount_is_refused(stocked, staff_user, amount):
    with pytest.raises(InvalidDocument) as refused:
        record_payment(by=staff_user, customer=stocked.customer, amount=amount, method="cash")
    assert "amount" in refused.value.fields
    assert not Payment.objects.exists()


def test_a_bill_with_payments_cannot_be_cancelled_until_they_are(stocked, staff_user, manager_user):
    plant = stocked
    sale = plant.sell(staff_user, (plant.bottle, 20, "5.00"))
    payment = record_payment(by=staff_user, customer=plant.customer, sale=sale, amount=D("40"), method="cash")
    before = ledger_state()
    with pytest.raises(
        DomainError, match=f"{sale.number} has payments against it; cancel those payments first."
    ):
        lifecycle.cancel(document=sale, by=manager_user, reason="returned")
    assert ledger_state() == before

    lifecycle.cancel(document=payment, by=manager_user, reason="cheque bounced")
    cancelled = lifecycle.cancel(document=sale, by=manager_user, reason="returned")
    assert cancelled.status == "cancelled"
    assert stock(plant.bottle) == (50, D("150.00"))
    assert selectors.customer_outstanding(plant.customer) == D("0.00")


def test_a_payment_against_a_cancelled_bill_is_refused(stocked, staff_user, manager_user):
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    lifecycle.cancel(document=sale, by=manager_user, reason="wrong customer")
    with pytest.raises(InvalidDocument, match="is not posted, so nothing is owed on it"):
        record_payment(by=staff_user, customer=stocked.customer, sale=sale, amount=D("1"), method="cash")
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "line",
    [
        SaleLineInput(None, 1, D("1")),
        SaleLineInput("item", 0, D("1")),
        SaleLineInput("item", 2.5, D("1")),
        SaleLineInput("item", True, D("1")),
        SaleLineInput("item", 1, D("-1")),
        SaleLineInput("item", 1, 1.1),
        SaleLineInput("item", 1, "x"),
        SaleLineInput("item", 1, D("Infinity")),
        SaleLineInput("item", 1, D("1e12")),
        SaleLineInput("item", 10**12, D("1")),
        SaleLineInput("item", 1, D("1"), D("2")),  # discount above the line's amount
    ],
)
def test_a_bill_with_an_unusable_line_is_refused_on_that_line(stocked, staff_user, line):
    from sales.services import create_sale

    if line.item == "item":
        line = SaleLineInput(stocked.bottle, line.quantity, line.unit_price, line.discount)
    good = SaleLineInput(stocked.bottle, 1, D("5.00"))
    before = ledger_state()
    with pytest.raises(InvalidDocument) as refused:
        create_sale(by=staff_user, customer=stocked.customer, lines=[good, line], submit=True)
    assert list(refused.value.lines) == [1]
    assert ledger_state() == before
    assert not Sale.objects.exists()


def test_a_repeated_request_key_returns_the_first_bill(stocked, staff_user):
    import uuid

    key = uuid.uuid4()
    first = stocked.sell(staff_user, (stocked.bottle, 5, "5.00"), request_key=key)
    again = stocked.sell(staff_user, (stocked.bottle, 5, "5.00"), request_key=key)
    assert again.pk == first.pk
    assert Sale.objects.count() == 1
    assert stock(stocked.bottle) == (45, D("135.00"))


@pytest.mark.parametrize("when", ["2026-01-01", 20260101, "yesterday"])
def test_a_bill_with_something_other_than_a_date_is_refused(stocked, staff_user, when):
    with pytest.raises(InvalidDocument) as refused:
        stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), date=when)
    assert refused.value.fields == {"date": ["Enter a date."]}
    assert not Sale.objects.exists()


def test_a_line_without_a_price_takes_the_items_default_selling_price(stocked, staff_user):
    from sales.services import create_sale

    sale = create_sale(
        by=staff_user,
        customer=stocked.customer,
        lines=[SaleLineInput(stocked.bottle, 2), SaleLineInput(stocked.bottle, 1, D("4.00"))],
        submit=True,
    )
    assert [(line.unit_price, line.amount) for line in sale.lines.order_by("id")] == [
        (D("5.00"), D("10.00")),
        (D("4.00"), D("4.00")),
    ]
    assert sale.total == D("14.00")
    draft = stocked.sell(staff_user, (stocked.cap, 1, "1.00"), submit=False)
    update_sale(
        sale=draft,
        by=staff_user,
        customer=stocked.customer,
        lines=[SaleLineInput(stocked.bottle, 3)],
        date=draft.date,
    )
    assert draft.lines.get().unit_price == D("5.00")


def test_a_line_without_a_price_for_an_item_without_a_default_price_is_refused_on_that_line(
    stocked, staff_user
):
    from sales.services import create_sale

    before = ledger_state()
    with pytest.raises(InvalidDocument) as refused:
        create_sale(
            by=staff_user,
            customer=stocked.customer,
            lines=[SaleLineInput(stocked.bottle, 1), SaleLineInput(stocked.cap, 1)],
            submit=True,
        )
    assert refused.value.lines == {1: {"unit_price": ["Enter a price: CAP-28 has no default selling price."]}}
    assert ledger_state() == before
    assert not Sale.objects.exists()
