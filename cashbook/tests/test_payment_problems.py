"""Customer payments, supplier payments and expenses check how their money moves by one rule:
the same messages, on the same fields, and nothing written when it refuses."""

from decimal import Decimal

import pytest
from django.utils import timezone

from cashbook.services import save_account
from core.errors import InvalidDocument
from expenses.models import Expense, ExpenseCategory
from expenses.services import record_expense
from purchasing.models import SupplierPayment
from purchasing.services import record_supplier_payment
from sales.models import Payment
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal
TEN = D("10.00")


def _customer_payment(plant, by, amount=TEN, **money):
    return record_payment(by=by, customer=plant.customer, amount=amount, **money)


def _supplier_payment(plant, by, amount=TEN, **money):
    return record_supplier_payment(by=by, supplier=plant.supplier, amount=amount, **money)


def _expense(plant, by, amount=TEN, **money):
    category = ExpenseCategory.objects.get(code="fuel")
    return record_expense(by=by, category=category, amount=amount, **money)


EVERY_KIND = pytest.mark.parametrize(
    ("record", "model"),
    [(_customer_payment, Payment), (_supplier_payment, SupplierPayment), (_expense, Expense)],
)


@EVERY_KIND
def test_a_bad_method_and_a_closed_account_are_both_named_and_nothing_is_written(
    plant, staff_user, manager_user, record, model
):
    closed = save_account(
        by=manager_user,
        name="Old bank",
        kind="bank",
        opening_balance=D("0"),
        opening_date=timezone.localdate(),
        is_active=False,
    )
    with pytest.raises(InvalidDocument) as refused:
        record(plant, staff_user, method="barter", account=closed)
    assert refused.value.fields == {
        "method": ["Choose a payment method."],
        "account": ["Old bank is not an active account."],
    }
    assert not model.objects.exists()


@EVERY_KIND
@pytest.mark.parametrize("amount", [D("0"), D("0.004"), D("-5")])
def test_an_amount_below_a_cent_is_refused_alike(plant, staff_user, record, model, amount):
    with pytest.raises(InvalidDocument) as refused:
        record(plant, staff_user, amount=amount, method="cash")
    expected = "Cannot be negative." if amount < 0 else "Enter an amount above zero."
    assert refused.value.fields == {"amount": [expected]}
    assert not model.objects.exists()
