"""Approval by value for every document that moves money or stock value: bills and purchases by
total, payments by amount, runs by value and by cost per bottle, counts by variance. The page says
why a document waits; Staff are told it waits, never the cost figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import InsufficientStock, InvalidDocument
from documents import lifecycle
from inventory.models import StockBalance
from inventory.services import CountLineInput, create_stock_count
from production.models import RejectReason
from production.services import RejectLine, create_run
from sales import selectors
from sales.services import record_payment
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


@pytest.fixture
def stocked(plant, manager_user):
    """Preforms at 2.00, caps at 0.50, and bottles whose average cost is 2.79."""
    plant.buy(
        manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), (plant.bottle, 100, "2.79")
    )
    return plant


def _run(plant, by, good=10, conversion="0", submit=True, **extra):
    return create_run(
        by=by,
        product=plant.bottle,
        good_quantity=good,
        machine="BM-1",
        shift="day",
        conversion_cost=D(conversion),
        submit=submit,
        **extra,
    )


def test_a_staff_run_with_a_huge_conversion_cost_waits_instead_of_revaluing_the_bottles(
    stocked, staff_user, manager_user, other_manager
):
    before = stock(stocked.bottle)
    run = _run(stocked, staff_user, conversion="9999999")
    assert run.status == "pending"
    assert stock(stocked.bottle) == before == (100, D("279.00"))
    assert not run.number and not StockBalance.objects.filter(item=stocked.bottle, value__gt=279).exists()

    assert lifecycle.waiting_reason(run, manager_user) == (
        "Run value 10,000,024.00 (inputs 25.00 + conversion 9,999,999.00) is over the approval limit "
        "200,000.00; run cost per bottle 1,000,002.40 is 358,424× the average 2.79."
    )
    assert lifecycle.waiting_reason(run, staff_user) == "Waits for approval by a Manager or the Owner."

    lifecycle.reject(document=run, by=other_manager, reason="conversion cost typed wrong")
    assert stock(stocked.bottle) == (100, D("279.00"))


def test_the_run_page_says_why_it_waits_to_a_manager_and_only_that_it_waits_to_staff(
    stocked, staff_user, staff_client, manager_client
):
    run = _run(stocked, staff_user, conversion="9999999")
    url = reverse("production:run-detail", args=[run.pk])
    manager_page = manager_client.get(url).content.decode()
    assert "; run cost per bottle 1,000,002.40 is 358,424× the average 2.79." in manager_page
    staff_page = staff_client.get(url).content.decode()
    assert "Waits for approval by a Manager or the Owner." in staff_page
    for figure in ("358,424", "1,000,002.40", "2.79", "9,999,999", "10,000,024"):
        assert figure not in staff_page


def test_a_run_whose_cost_per_bottle_is_far_off_the_average_waits_either_way(stocked, staff_user, settings):
    # 25.00 of inputs for 10 bottles: 2.50 a bottle, 0.90× the average 2.79: posts at once.
    assert _run(stocked, staff_user).status == "posted"
    assert stock(stocked.bottle) == (110, D("304.00"))  # the average is now 2.7636…

    # 25.00 of inputs + 70.00 for 10 bottles: 9.50 a bottle.
    dear = _run(stocked, staff_user, conversion="70")
    assert dear.status == "pending"
    assert lifecycle.rules_for(dear).approval_reason(dear) == (
        "run cost per bottle 9.50 is 3.44× the average 2.76"
    )
    # 30.00 of inputs less a 25.00 scrap credit for 10 good bottles: 0.50 a bottle.
    cheap = _run(
        stocked,
        staff_user,
        rejects=[RejectLine(RejectReason.BURST, 2)],
        scrap_item=stocked.scrap,
        scrap_quantity=2,
        scrap_value=D("25"),
    )
    assert cheap.status == "pending"
    assert lifecycle.rules_for(cheap).approval_reason(cheap) == (
        "run cost per bottle 0.50 is 0.18× the average 2.76"
    )
    assert stock(stocked.bottle) == (110, D("304.00"))

    settings.RUN_COST_RATIO_LIMIT = D("1.05")
    near = _run(stocked, staff_user, conversion="5")  # 3.00 a bottle
    assert near.status == "pending"
    assert lifecycle.rules_for(near).approval_reason(near).endswith("is 1.09× the average 2.76")


def test_the_cost_per_bottle_rule_needs_an_average_to_compare_with(plant, staff_user, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    # No bottles in stock yet: a first run at 52.50 a bottle is judged by its value alone.
    first = _run(plant, staff_user, conversion="500")
    assert first.status == "posted"
    assert stock(plant.bottle) == (10, D("525.00"))


def test_a_run_over_its_value_limit_waits_and_must_be_one_that_could_post(
    stocked, staff_user, manager_user, settings
):
    settings.RUN_APPROVAL_THRESHOLD = D("100")
    run = _run(stocked, staff_user, good=40, conversion="10")  # 80 + 20 + 10 = 110; 2.75 a bottle
    assert run.status == "pending"
    assert lifecycle.waiting_reason(run, manager_user) == (
        "Run value 110.00 (inputs 100.00 + conversion 10.00) is over the approval limit 100.00."
    )
    assert lifecycle.approve(document=run, by=manager_user).status == "posted"
    assert stock(stocked.bottle) == (140, D("389.00"))

    before = ledger_state()
    with pytest.raises(InsufficientStock, match="Not enough stock for this run"):
        _run(stocked, staff_user, good=70, conversion="10")
    assert ledger_state() == before


def test_a_payment_over_its_limit_waits_and_counts_only_once_approved(
    stocked, staff_user, manager_user, other_manager, settings
):
    settings.PAYMENT_APPROVAL_THRESHOLD = D("100")
    bill = stocked.sell(staff_user, (stocked.bottle, 40, "5.00"))
    payment = record_payment(
        by=staff_user, customer=stocked.customer, amount=D("150"), method="cash", sale=bill
    )
    assert (payment.status, payment.number) == ("pending", None)
    assert selectors.bill_outstanding(bill) == D("200.00")
    assert lifecycle.waiting_reason(payment, manager_user) == (
        "Payment 150.00 is over the approval limit 100.00."
    )
    assert lifecycle.approve(document=payment, by=other_manager).status == "posted"
    assert selectors.bill_outstanding(bill) == D("50.00")
    # A small one still posts as it is recorded.
    small = record_payment(by=staff_user, customer=stocked.customer, amount=D("50"), method="upi", sale=bill)
    assert small.status == "posted"


def test_a_payment_that_would_overpay_its_bill_is_refused_before_it_waits(stocked, staff_user, settings):
    settings.PAYMENT_APPROVAL_THRESHOLD = D("100")
    bill = stocked.sell(staff_user, (stocked.bottle, 24, "5.00"))
    before = ledger_state()
    with pytest.raises(InvalidDocument, match="owes 120.00; a payment of 150.00 would overpay it"):
        record_payment(by=staff_user, customer=stocked.customer, amount=D("150"), method="cash", sale=bill)
    assert ledger_state() == before


def test_a_count_whose_gains_and_losses_add_up_past_the_limit_waits(
    stocked, manager_user, other_manager, settings
):
    settings.COUNT_APPROVAL_THRESHOLD = D("100")
    # 60 preforms short (−120.00) and 100 caps over (+50.00): net −70.00, but 170.00 moved.
    count = create_stock_count(
        by=manager_user,
        lines=[CountLineInput(stocked.preform, 40), CountLineInput(stocked.cap, 200)],
        submit=True,
    )
    assert count.status == "pending"
    assert stock(stocked.preform) == (100, D("200.00"))
    assert lifecycle.waiting_reason(count, other_manager) == (
        "Count variance 170.00 (gains and losses at average cost, without sign) is over the approval "
        "limit 100.00."
    )
    assert lifecycle.approve(document=count, by=other_manager).status == "posted"
    assert (stock(stocked.preform), stock(stocked.cap)) == ((40, D("80.00")), (200, D("100.00")))

    small = create_stock_count(by=manager_user, lines=[CountLineInput(stocked.preform, 39)], submit=True)
    assert small.status == "posted"


def test_the_approvals_queue_says_why_each_document_waits(stocked, staff_user, manager_client, settings):
    settings.APPROVAL_THRESHOLD = D("100")
    stocked.sell(staff_user, (stocked.bottle, 30, "5.00"))
    _run(stocked, staff_user, conversion="9999999")
    page = manager_client.get(reverse("documents:approvals")).content.decode()
    assert "Why it waits" in page
    assert "Total 150.00 is over the approval limit 100.00." in page
    assert "; run cost per bottle 1,000,002.40 is 358,424× the average 2.79." in page


def test_a_payment_entered_on_the_web_over_its_limit_waits_and_a_manager_approves_it(
    stocked, staff_user, staff_client, manager_client, settings
):
    settings.PAYMENT_APPROVAL_THRESHOLD = D("100")
    bill = stocked.sell(staff_user, (stocked.bottle, 40, "5.00"))
    data = {
        "request_key": "6f1c1d1e-0000-4000-8000-000000000001",
        "customer": stocked.customer.pk,
        "sale": bill.number,
        "amount": "150.00",
        "method": "cash",
        "reference": "",
        "date": bill.date.isoformat(),
        "notes": "",
        "submit": "1",
    }
    answer = staff_client.post(reverse("sales:payment-new"), data, follow=True).content.decode()
    assert "sent for approval" in answer and "Waits for approval by a Manager or the Owner." in answer
    payment = bill.payments.get()
    assert payment.status == "pending"
    page = manager_client.get(reverse("sales:payment-detail", args=[payment.pk])).content.decode()
    assert "Payment 150.00 is over the approval limit 100.00." in page
    manager_client.post(reverse("sales:payment-action", args=[payment.pk, "approve"]))
    payment.refresh_from_db()
    assert payment.status == "posted"
    assert selectors.bill_outstanding(bill) == D("50.00")
