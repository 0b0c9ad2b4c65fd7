"""An account's opening balance and date: set or corrected only while its period is open and no
entry of the account lies before the day its book starts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cashbook.models import Account
from cashbook.services import save_account
from core.errors import InvalidDocument
from inventory.services import close_period
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
