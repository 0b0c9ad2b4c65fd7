"""Supplier payments and expenses over the API: the same services, the same refusals."""

from decimal import Decimal

import pytest

from expenses.models import Expense, ExpenseCategory
from purchasing.models import SupplierPayment

pytestmark = pytest.mark.django_db
D = Decimal


def test_an_expense_posted_over_the_api(staff_api):
    power = ExpenseCategory.objects.get(code="power")
    response = staff_api.post(
        "/api/v1/expenses/",
        {"category": power.pk, "amount": "1200.00", "input_tax": "216.00", "method": "bank"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["total"], body["input_tax"]) == ("posted", "1416.00", "216.00")
    assert staff_api.get("/api/v1/expenses/").json()["results"][0]["number"] == body["number"]


def test_a_bad_expense_over_the_api_is_a_400_and_writes_nothing(staff_api):
    power = ExpenseCategory.objects.get(code="power")
    response = staff_api.post(
        "/api/v1/expenses/", {"category": power.pk, "amount": "0", "method": "gold"}, format="json"
    )
    assert response.status_code == 400
    assert Expense.objects.count() == 0


def test_a_supplier_payment_over_the_api_settles_its_bill_and_refuses_an_overpayment(
    plant, staff_user, staff_api
):
    bill = plant.buy(staff_user, (plant.preform, 100, "2.00"))
    body = {
        "supplier": plant.supplier.pk,
        "amount": "150.00",
        "method": "bank",
        "allocations": [{"purchase": bill.pk, "amount": "150.00"}],
    }
    made = staff_api.post("/api/v1/supplier-payments/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["lines"][0]["purchase_number"] == bill.number
    again = staff_api.post("/api/v1/supplier-payments/", body, format="json")
    assert again.status_code == 400
    assert "would overpay it" in str(again.json())
    assert SupplierPayment.objects.count() == 1
