"""An account's opening balance and date: set or corrected only while its period is open and no
entry of the account lies before the day its book starts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cashbook import selectors
from cashbook.models import Account
from cashbook.services import record_cash_closing, save_account
from core.errors import InvalidDocument
from documents import lifecycle
from inventory.services import close_period
from inventory.verification import verify_ledger
from sales import bulk
from sales.models import Payment
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cash(manager_user):
    start = timezone.localdate() - timedelta(days=10)
    return save_account(
        by=manager_user, name="Cash box", kind="cash", opening_balance=D("100.00"), opening_date=start
    )


def test_an_opening_balance_dated_in_a_closed_period_is_refused(manager_user, cash):
    close_period(by=manager_user, through=cash.opening_date)
    with pytest.raises(InvalidDocument) as refused:
        save_account(
            by=manager_user,
            name="Petty cash",
            kind="cash",
            opening_balance=D("50.00"),
            opening_date=cash.opening_date,
        )
    assert "closed period" in refused.value.fields["opening_date"][0]
    with pytest.raises(InvalidDocument) as refused:
        save_account(by=manager_user, account=cash, opening_balance=D("150.00"))
    assert "closed period" in refused.value.fields["opening_balance"][0]
    assert not Account.objects.filter(name="Petty cash").exists()
    cash.refresh_from_db()
    assert cash.opening_balance == D("100.00")


def test_an_account_whose_period_is_closed_may_still_be_renamed(manager_user, cash):
    close_period(by=manager_user, through=cash.opening_date)
    renamed = save_account(by=manager_user, account=cash, name="Counter cash")
    assert renamed.name == "Counter cash"


def test_the_book_cannot_start_after_an_entry_of_the_account(plant, staff_user, manager_user, cash):
    paid_on = cash.opening_date + timedelta(days=2)
    record_payment(
        by=staff_user, customer=plant.customer, amount=D("20.00"), method="cash", account=cash, date=paid_on
    )
    with pytest.raises(InvalidDocument) as refused:
        save_account(by=manager_user, account=cash, opening_date=paid_on + timedelta(days=1))
    assert "dated before" in refused.value.fields["opening_date"][0]
    assert paid_on.isoformat() in refused.value.fields["opening_date"][0]
    cash.refresh_from_db()
    assert cash.opening_date == paid_on - timedelta(days=2)
    # on the entry's own day, or earlier, the entry stays in the book
    moved = save_account(by=manager_user, account=cash, opening_date=paid_on, opening_balance=D("80.00"))
    assert (moved.opening_date, moved.opening_balance) == (paid_on, D("80.00"))


def test_a_bank_balance_above_one_price_bound_opens_and_a_huge_one_says_why(manager_user):
    """A plant's current account may hold more than a crore; the bound is a document total's."""
    opened = save_account(
        by=manager_user,
        name="SBI current account",
        kind="bank",
        opening_balance=D("12500000.00"),
        opening_date=timezone.localdate(),
    )
    assert Account.objects.get(pk=opened.pk).opening_balance == D("12500000.00")
    with pytest.raises(InvalidDocument) as refused:
        save_account(
            by=manager_user,
            name="Overdraft",
            kind="bank",
            opening_balance=D("-10000000000"),
            opening_date=timezone.localdate(),
        )
    assert refused.value.fields["opening_balance"] == ["Enter less than 10,000,000,000."]


def test_a_new_account_starts_its_book_at_its_opening_date_not_with_older_money_of_its_method(
    plant, staff_user, manager_user
):
    today = timezone.localdate()
    # Cash taken before any account kept cash money (before going live): no account, no book.
    record_payment(
        by=staff_user,
        customer=plant.customer,
        amount=D("70.00"),
        method="cash",
        date=today - timedelta(days=5),
    )
    box = save_account(
        by=manager_user,
        name="Counter cash",
        kind="cash",
        opening_balance=D("500.00"),
        opening_date=today - timedelta(days=2),
        default_for="cash",
    )
    assert selectors.balance(box, today) == D("500.00")  # the 70 is in the 500 held on opening
    # The older money is the history the opening sums up: no bar to correcting the opening.
    box = save_account(by=manager_user, account=box, opening_balance=D("520.00"))
    assert selectors.balance(box, today) == D("520.00")
    assert verify_ledger() == []


def test_money_naming_an_account_dated_before_its_book_starts_is_refused(
    plant, staff_user, manager_user, cash
):
    before = cash.opening_date - timedelta(days=1)
    save_account(by=manager_user, account=cash, default_for="cash")
    with pytest.raises(InvalidDocument) as refused:
        record_payment(
            by=staff_user, customer=plant.customer, amount=D("5.00"), method="cash", account=cash, date=before
        )
    assert refused.value.fields == {"date": [f"Cash box's book starts on {cash.opening_date.isoformat()}."]}
    assert not Payment.objects.exists()
    # On the opening day itself it posts. Money of its method naming no account, dated earlier, is
    # history before the book (the opening balance holds it), one at a time or in bulk: not
    # refused, and not in the book.
    record_payment(
        by=staff_user,
        customer=plant.customer,
        amount=D("5.00"),
        method="cash",
        account=cash,
        date=cash.opening_date,
    )
    record_payment(by=staff_user, customer=plant.customer, amount=D("7.00"), method="cash", date=before)
    with transaction.atomic():
        bulk.post_payments(
            by=staff_user,
            date=before,
            payments=[bulk.BulkPayment(customer=plant.customer, amount=D("9.00"), method="cash")],
        )
    assert selectors.balance(cash, timezone.localdate()) == D("105.00")
    assert verify_ledger() == []


def test_the_opening_of_an_account_counted_by_a_closing_cannot_change_until_the_closing_is_cancelled(
    manager_user, staff_user, cash
):
    closing = record_cash_closing(by=staff_user, account=cash, counted=D("95.00"), date=cash.opening_date)
    assert (closing.expected, closing.difference) == (D("100.00"), D("-5.00"))
    for change in ({"opening_balance": D("150.00")}, {"opening_date": cash.opening_date - timedelta(days=1)}):
        with pytest.raises(InvalidDocument) as refused:
            save_account(by=manager_user, account=cash, **change)
        (field,) = refused.value.fields
        assert field == next(iter(change))
        assert closing.number in refused.value.fields[field][0]
    cash.refresh_from_db()
    closing.refresh_from_db()
    assert (cash.opening_balance, closing.expected, closing.difference) == (
        D("100.00"),
        D("100.00"),
        D("-5.00"),
    )
    assert verify_ledger() == []
    # Renaming it is no change to what was counted.
    save_account(by=manager_user, account=cash, name="Front cash")
    # Cancelling the closing first lets the opening be corrected, then the day counted again.
    lifecycle.cancel(document=closing, by=manager_user, reason="opening was wrong")
    save_account(by=manager_user, account=cash, opening_balance=D("95.00"))
    again = record_cash_closing(by=staff_user, account=cash, counted=D("95.00"), date=cash.opening_date)
    assert (again.expected, again.difference) == (D("95.00"), D("0.00"))
