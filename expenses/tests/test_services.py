"""Expenses: heads kept by Managers, each expense posted (or approved by value), cancelled by reversal."""

from decimal import Decimal

import pytest

from core.errors import DomainError, InvalidDocument, NotAllowed
from documents import lifecycle
from documents.numbering import financial_year_label
from expenses.models import Expense, ExpenseCategory
from expenses.services import record_expense, save_category

pytestmark = pytest.mark.django_db
D = Decimal


def category(code):
    return ExpenseCategory.objects.get(code=code)


def test_the_seven_expense_heads_are_there_from_the_start(db):
    assert sorted(ExpenseCategory.objects.values_list("code", flat=True)) == sorted(
        ["power", "wages", "rent", "fuel", "transport", "repairs", "other"]
    )


def test_an_expense_posts_with_its_tax_apart_from_its_amount(plant, staff_user):
    expense = record_expense(
        by=staff_user,
        category=category("power"),
        amount=D("4200.40"),
        input_tax=D("756.07"),
        supplier=plant.supplier,
        method="bank",
        notes="November bill",
    )
    assert (expense.status, expense.number) == ("posted", f"E/{financial_year_label(expense.date)}/00001")
    assert (expense.amount, expense.input_tax, expense.total) == (D("4200.40"), D("756.07"), D("4956.47"))
    assert expense.history.first().history_user == staff_user


def test_bad_expense_input_is_refused_with_every_reason_and_writes_nothing(staff_user, manager_user):
    save_category(by=manager_user, category=category("rent"), code="rent", name="Rent", is_active=False)
    with pytest.raises(InvalidDocument) as refused:
        record_expense(
            by=staff_user, category=category("rent"), amount=D("0"), input_tax=D("-1"), method="gold"
        )
    assert refused.value.fields == {
        "category": ["Choose an active expense category."],
        "amount": ["Enter an amount above zero."],
        "input_tax": ["Cannot be negative."],
        "method": ["Choose a payment method."],
    }
    with pytest.raises(InvalidDocument):
        record_expense(by=staff_user, category=category("power"), amount=1.5, method="cash")
    assert Expense.objects.count() == 0


def test_an_expense_over_the_threshold_waits_for_someone_else(manager_user, owner_user, settings):
    settings.EXPENSE_APPROVAL_THRESHOLD = D("10000")
    expense = record_expense(
        by=manager_user, category=category("wages"), amount=D("9000"), input_tax=D("1001"), method="cash"
    )
    assert (expense.status, expense.number) == ("pending", None)
    with pytest.raises(NotAllowed):
        lifecycle.approve(document=expense, by=manager_user)
    assert lifecycle.approve(document=expense, by=owner_user).status == "posted"


def test_only_managers_keep_expense_categories(staff_user, manager_user):
    with pytest.raises(NotAllowed):
        save_category(by=staff_user, code="water", name="Water")
    made = save_category(by=manager_user, code="water", name="Water")
    assert made.pk and made.history.first().history_user == manager_user
    with pytest.raises(InvalidDocument) as refused:
        save_category(by=manager_user, code="power", name="Electricity")
    assert refused.value.fields == {"code": ["Another category is already called 'power'."]}


def test_a_cancelled_expense_is_kept_with_its_reason(staff_user, manager_user):
    expense = record_expense(by=staff_user, category=category("fuel"), amount=D("800"), method="cash")
    with pytest.raises(DomainError):
        lifecycle.cancel(document=expense, by=staff_user, reason="typo")
    cancelled = lifecycle.cancel(document=expense, by=manager_user, reason="typed twice")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "typed twice")
