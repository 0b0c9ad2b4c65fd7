"""The shared document lifecycle: closed periods, back-dating, history, numbering."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidDocument, NotAllowed, PeriodClosed
from documents import lifecycle
from documents.numbering import financial_year_label
from inventory.models import ClosedPeriod, StockBalance
from inventory.services import close_period
from inventory.verification import verify_ledger
from sales.models import Sale, SaleLine
from sales.services import record_payment
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


@pytest.fixture
def last_month():
    """The last day of last month: a period that can be closed."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def test_nothing_dated_in_a_closed_period_can_be_posted_or_cancelled(
    plant, staff_user, manager_user, last_month
):
    inside = last_month - timedelta(days=3)
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"), date=inside)
    close_period(by=manager_user, through=last_month, note="month end")

    before = ledger_state()
    message = (
        f"{inside:%d %b %Y} is in a closed period (closed through {last_month:%d %b %Y}). "
        "Date the correction in an open period instead."
    )
    with pytest.raises(PeriodClosed) as refused:
        lifecycle.cancel(document=purchase, by=manager_user, reason="wrong price")
    assert str(refused.value) == message
    with pytest.raises(InvalidDocument) as refused_entry:
        plant.sell(staff_user, (plant.preform, 1, "3.00"), date=last_month)
    day = f"{last_month:%d %b %Y}"
    assert refused_entry.value.fields == {
        "date": [f"{day} is in a closed period (closed through {day}); enter a later date."]
    }
    assert ledger_state() == before
    purchase.refresh_from_db()
    assert purchase.status == "posted"

    # The fix is a new document dated in the open period.
    assert plant.sell(staff_user, (plant.preform, 1, "3.00")).status == "posted"


def test_a_draft_in_a_closed_period_stays_a_draft_when_submitted(plant, staff_user, manager_user, last_month):
    draft = plant.buy(staff_user, (plant.preform, 5, "2.00"), date=last_month, submit=False)
    # A close that committed while the draft was being entered (close_period itself refuses a
    # period with drafts in it, and the entry check refuses a date in a closed one).
    ClosedPeriod.objects.create(closed_through=last_month, closed_by=manager_user)
    before = ledger_state()
    with pytest.raises(PeriodClosed):
        lifecycle.submit(document=draft, by=staff_user)
    assert ledger_state() == before


def test_a_period_with_drafts_in_it_cannot_be_closed(plant, staff_user, manager_user, last_month):
    plant.buy(staff_user, (plant.preform, 5, "2.00"), date=last_month, submit=False)
    with pytest.raises(DomainError, match="1 draft or pending documents are dated on or before"):
        close_period(by=manager_user, through=last_month)
    assert not ClosedPeriod.objects.exists()


def test_only_a_manager_closes_a_period_and_only_one_that_has_ended(staff_user, owner_user, manager_user):
    today = timezone.localdate()
    for user in (staff_user, owner_user):
        with pytest.raises(NotAllowed, match="Only a Manager may close a period."):
            close_period(by=user, through=today - timedelta(days=40))
    with pytest.raises(InvalidDocument, match="Only a period that has ended can be closed."):
        close_period(by=manager_user, through=today)
    assert not ClosedPeriod.objects.exists()


def test_a_back_dated_document_is_priced_at_the_average_now_and_history_is_never_recosted(plant, staff_user):
    today = timezone.localdate()
    plant.buy(staff_user, (plant.bottle, 100, "2.00"), date=today - timedelta(days=5))
    first = plant.sell(staff_user, (plant.bottle, 50, "5.00"), date=today - timedelta(days=3))
    assert SaleLine.objects.get(sale=first).cost == D("100.00")

    # A purchase dated before that sale, entered later, does not change what the sale cost.
    plant.buy(staff_user, (plant.bottle, 100, "4.00"), date=today - timedelta(days=10))
    assert SaleLine.objects.get(sale=first).cost == D("100.00")
    assert stock(plant.bottle) == (150, D("500.00"))

    # A back-dated sale leaves at today's average: 10 × 500 / 150 = 33.33.
    late = plant.sell(staff_user, (plant.bottle, 10, "5.00"), date=today - timedelta(days=8))
    assert SaleLine.objects.get(sale=late).cost == D("33.33")
    assert verify_ledger() == []


def test_history_records_each_status_change_and_who_made_it(
    plant, staff_user, manager_user, other_manager, settings
):
    plant.buy(staff_user, (plant.bottle, 100, "2.00"))
    settings.APPROVAL_THRESHOLD = D("100")
    sale = plant.sell(staff_user, (plant.bottle, 30, "5.00"), submit=False)
    lifecycle.submit(document=sale, by=staff_user)
    lifecycle.approve(document=sale, by=manager_user)
    lifecycle.cancel(document=sale, by=other_manager, reason="customer refused the load")

    rows = Sale.history.filter(id=sale.pk).order_by("history_date", "history_id")
    assert [(r.status, r.history_user) for r in rows] == [
        ("draft", staff_user),
        ("pending", staff_user),
        ("posted", manager_user),
        ("cancelled", other_manager),
    ]
    assert rows.last().cancel_reason == "customer refused the load"
    line_rows = SaleLine.history.filter(sale_id=sale.pk).order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user) for r in line_rows] == [("+", staff_user), ("~", manager_user)]


def test_history_of_a_payment_names_who_recorded_it(plant, staff_user):
    payment = record_payment(by=staff_user, customer=plant.customer, amount=D("5"), method="cash")
    rows = payment.history.order_by("history_date", "history_id")
    # Posted as it is recorded: stored once, never a draft.
    assert [(r.history_type, r.status, r.number, r.history_user) for r in rows] == [
        ("+", "posted", payment.number, staff_user)
    ]


def test_a_bill_submitted_as_it_is_created_is_stored_once_posted_with_its_costs(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 4, "5.00"), submit=True)
    rows = bill.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.status, r.number, r.cost, r.history_user) for r in rows] == [
        ("+", "posted", bill.number, D("12.00"), staff_user)
    ]
    line_rows = SaleLine.history.filter(sale_id=bill.pk)
    assert [(r.history_type, r.cost, r.unit_cost) for r in line_rows] == [("+", D("12.00"), D("3.0000"))]


def test_deleting_a_draft_leaves_a_history_row_naming_who_deleted_it(plant, staff_user):
    draft = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    lifecycle.delete_draft(document=draft, by=staff_user)
    assert not Sale.objects.exists()
    deleted = Sale.history.get(id=draft.pk, history_type="-")
    assert deleted.history_user == staff_user


def test_numbers_are_per_type_and_year_and_a_refused_posting_gives_its_number_back(plant, staff_user):
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, day=1)
    p1 = plant.buy(staff_user, (plant.bottle, 10, "2.00"))
    old = plant.buy(staff_user, (plant.bottle, 10, "2.00"), date=last_year)
    s1 = plant.sell(staff_user, (plant.bottle, 1, "5.00"))
    with pytest.raises(DomainError):
        plant.sell(staff_user, (plant.bottle, 1000, "5.00"))
    s2 = plant.sell(staff_user, (plant.bottle, 1, "5.00"))
    fy, before = financial_year_label(today), financial_year_label(last_year)
    assert [p1.number, old.number, s1.number, s2.number] == [
        f"P/{fy}/00001",
        f"P/{before}/00001",
        f"S/{fy}/00001",
        f"S/{fy}/00002",
    ]
