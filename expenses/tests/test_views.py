"""The new money documents' pages: entered on a form, posted, listed; bad input keeps what was typed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cashbook.models import CashClosing
from cashbook.services import save_account
from expenses.models import Expense, ExpenseCategory
from purchasing.models import SupplierPayment

pytestmark = pytest.mark.django_db
D = Decimal


def test_an_expense_entered_on_its_page_is_posted_and_listed(staff_client):
    today = timezone.localdate().isoformat()
    power = ExpenseCategory.objects.get(code="power")
    response = staff_client.post(
        "/expenses/expenses/new/",
        {"category": power.pk, "amount": "1200.00", "input_tax": "216.00", "method": "bank", "date": today},
    )
    expense = Expense.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/expenses/expenses/{expense.pk}/"
    assert (expense.status, expense.total) == ("posted", D("1416.00"))
    assert expense.number in staff_client.get("/expenses/expenses/").content.decode()
    assert "1416.00" in staff_client.get(f"/expenses/expenses/{expense.pk}/").content.decode()


def test_a_bad_expense_is_shown_again_with_its_reason_and_writes_nothing(staff_client):
    power = ExpenseCategory.objects.get(code="power")
    response = staff_client.post(
        "/expenses/expenses/new/",
        {"category": power.pk, "amount": "-5", "input_tax": "0", "method": "bank", "date": "2026-02-30"},
    )
    assert response.status_code == 400
    assert Expense.objects.count() == 0


def test_a_supplier_payment_entered_with_a_bill_settles_it(plant, staff_user, staff_client):
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    response = staff_client.post(
        "/purchasing/supplier-payments/new/",
        {
            "supplier": plant.supplier.pk,
            "amount": "150.00",
            "method": "cash",
            "date": timezone.localdate().isoformat(),
            "allocations-TOTAL_FORMS": "1",
            "allocations-INITIAL_FORMS": "0",
            "allocations-0-purchase": bill.number.lower(),
            "allocations-0-amount": "120.00",
        },
    )
    payment = SupplierPayment.objects.get()
    assert response.status_code == 302
    assert list(payment.lines.values_list("purchase_id", "amount")) == [(bill.pk, D("120.00"))]
    page = staff_client.get(f"/purchasing/supplier-payments/{payment.pk}/").content.decode()
    assert bill.number in page
    overpaid = staff_client.post(
        "/purchasing/supplier-payments/new/",
        {
            "supplier": plant.supplier.pk,
            "amount": "100.00",
            "method": "cash",
            "date": timezone.localdate().isoformat(),
            "allocations-TOTAL_FORMS": "1",
            "allocations-INITIAL_FORMS": "0",
            "allocations-0-purchase": bill.number,
            "allocations-0-amount": "100.00",
        },
    )
    assert overpaid.status_code == 400 and "would overpay it" in overpaid.content.decode()
    assert SupplierPayment.objects.count() == 1


def test_a_day_end_closing_entered_on_its_page_states_the_difference(manager_user, staff_client):
    day = timezone.localdate() - timedelta(days=1)
    cash = save_account(
        by=manager_user, name="Cash box", kind="cash", opening_balance=D("300.00"), opening_date=day
    )
    response = staff_client.post(
        "/cashbook/closings/new/", {"account": cash.pk, "date": day.isoformat(), "counted": "290.00"}
    )
    closing = CashClosing.objects.get()
    assert response.status_code == 302
    assert (closing.expected, closing.difference) == (D("300.00"), D("-10.00"))
    assert "-10.00" in staff_client.get(f"/cashbook/closings/{closing.pk}/").content.decode()
