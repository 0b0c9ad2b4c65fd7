"""A worked example of every rupee in and out, with exact figures: a purchase on credit and two
part payments, a production run, two bills and their payments, a month of expenses, a stock
count; then the net profit, the payables and receivables ageing and the cash book, to the paisa."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cashbook import selectors as book
from cashbook.services import record_cash_closing, save_account
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.services import CountLineInput, create_stock_count
from inventory.verification import verify_ledger
from production.services import create_run
from purchasing import selectors as payables_selectors
from purchasing.services import AllocationInput, record_supplier_payment, save_supplier
from reporting.periods import Period
from reporting.reports import cash_book, customers, payables, profit_loss
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def example(plant, staff_user, manager_user, settings):
    for name in (
        "APPROVAL_THRESHOLD",
        "PAYMENT_APPROVAL_THRESHOLD",
        "SUPPLIER_PAYMENT_APPROVAL_THRESHOLD",
        "EXPENSE_APPROVAL_THRESHOLD",
        "COUNT_APPROVAL_THRESHOLD",
    ):
        setattr(settings, name, D("1000000"))
    today = timezone.localdate()
    day0 = today - timedelta(days=45)

    def ago(n):
        return today - timedelta(days=n)

    cash = save_account(
        by=manager_user,
        name="Cash box",
        kind="cash",
        opening_balance=D("5000.00"),
        opening_date=day0,
        default_for="cash",
    )
    bank = save_account(
        by=manager_user,
        name="State Bank",
        kind="bank",
        opening_balance=D("100000.00"),
        opening_date=day0,
        default_for="bank",
    )
    upi = save_account(
        by=manager_user, name="UPI", kind="upi", opening_balance=D("0"), opening_date=day0, default_for="upi"
    )
    save_supplier(by=manager_user, supplier=plant.supplier, name=plant.supplier.name, credit_days=30)

    # On credit: 10,000 preforms at 2.35 and 10,000 caps at 0.4275 = 23,500.00 + 4,275.00.
    purchase = plant.buy(staff_user, (plant.preform, 10000, "2.35"), (plant.cap, 10000, "0.4275"), date=day0)
    # 9,800 bottles from 9,800 preforms and caps: 23,030.00 + 4,189.50 = 27,219.50, 2.7775 a bottle.
    create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=9800,
        machine="BM-1",
        shift="day",
        date=ago(44),
        submit=True,
    )
    bill_a = plant.sell(staff_user, (plant.bottle, 4000, "5.00"), date=ago(40))  # 20,000.00; COGS 11,110.00
    bill_b = plant.sell(
        staff_user, (plant.bottle, 2000, "5.25", "50.00"), date=ago(10)
    )  # 10,450.00; 5,555.00
    record_payment(
        by=staff_user, customer=plant.customer, sale=bill_a, amount=D("12000.00"), method="cash", date=ago(20)
    )
    record_payment(by=staff_user, customer=plant.customer, amount=D("3333.33"), method="upi", date=ago(5))
    for amount, n in (("10000.00", 25), ("7500.50", 3)):  # two part payments of the purchase
        record_supplier_payment(
            by=staff_user,
            supplier=plant.supplier,
            amount=D(amount),
            method="bank",
            allocations=[AllocationInput(purchase=purchase, amount=D(amount))],
            date=ago(n),
        )
    heads = {c.code: c for c in ExpenseCategory.objects.all()}
    for code, amount, tax, method, n in (
        ("power", "8450.00", "1521.00", "bank", 28),
        ("wages", "12000.00", "0", "cash", 27),
        ("fuel", "2150.75", "0", "cash", 15),
        ("rent", "6000.00", "1080.00", "bank", 2),
    ):
        record_expense(
            by=staff_user,
            category=heads[code],
            amount=D(amount),
            input_tax=D(tax),
            method=method,
            date=ago(n),
        )
    # 3,800 bottles on hand, 3,796 counted: 4 × 2.7775 = 11.11 written off.
    create_stock_count(
        by=manager_user, lines=[CountLineInput(item=plant.bottle, quantity=3796)], date=ago(1), submit=True
    )
    return {
        "today": today,
        "day0": day0,
        "purchase": purchase,
        "bills": (bill_a, bill_b),
        "accounts": (cash, bank, upi),
    }


def test_the_net_profit_of_the_month_to_the_paisa(example):
    today = example["today"]
    report = profit_loss.build(Period(today - timedelta(days=29), today), "month")
    summary = {r["figure"]: r for r in report.table("summary").rows}
    figures = {name: summary[name]["this_period"] for name in summary}
    assert figures["Revenue"] == D("10450.00")
    assert figures["Cost of goods sold"] == D("5555.00")
    assert figures["Gross profit"] == D("4895.00")
    assert figures["Stock count write-offs"] == D("11.11")
    assert figures["Expenses"] == D("28600.75")  # before tax: 8,450 + 12,000 + 2,150.75 + 6,000
    assert figures["Net profit"] == D("-23716.86")
    assert summary["Net profit"]["previous_period"] == D("8890.00")  # 20,000 − 11,110, no expenses
    by_category = {r["category"]: r["this_period"] for r in report.table("expenses").rows}
    assert by_category == {
        "Wages": D("12000.00"),
        "Power": D("8450.00"),
        "Rent": D("6000.00"),
        "Fuel / diesel": D("2150.75"),
    }


def test_payables_after_two_part_payments(example):
    today, purchase = example["today"], example["purchase"]
    purchase.refresh_from_db()
    assert payables_selectors.payment_state(purchase) == "partly paid"
    assert payables_selectors.bill_outstanding(purchase) == D("27775.00") - D("17500.50") == D("10274.50")
    report = payables.build(Period(today, today))
    (row,) = report.table("ageing").rows
    assert (row["outstanding"], row["days_0_30"], row["days_31_60"]) == (
        D("10274.50"),
        D("0.00"),
        D("10274.50"),
    )
    (bill,) = report.table("bills").rows
    assert (bill["due_date"], bill["days_overdue"]) == (example["day0"] + timedelta(days=30), 15)


def test_receivables_are_aged_per_bill(example):
    report = customers.build(Period(example["today"], example["today"]))
    (row,) = report.table("ageing").rows
    assert row["outstanding"] == D("30450.00") - D("15333.33") == D("15116.67")
    assert (row["days_0_30"], row["days_31_60"], row["on_account"]) == (
        D("10450.00"),
        D("8000.00"),
        D("-3333.33"),
    )
    assert (
        row["days_0_30"] + row["days_31_60"] + row["days_61_90"] + row["days_over_90"] + row["on_account"]
        == row["outstanding"]
    )


def test_the_cash_book_balances_and_a_day_end_closing(example, staff_user):
    today, (cash, bank, upi) = example["today"], example["accounts"]
    report = cash_book.build(Period(example["day0"], today))
    closing = {r["account"]: r["closing"] for r in report.table("accounts").rows}
    # Cash: 5,000 + 12,000 received − 12,000 wages − 2,150.75 diesel.
    # Bank: 100,000 − 10,000 − 7,500.50 paid to the supplier − 9,971 power − 7,080 rent (with tax).
    assert closing == {"Cash box": D("2849.25"), "State Bank": D("65448.50"), "UPI": D("3333.33")}
    assert [book.balance(a, today) for a in (cash, bank, upi)] == [D("2849.25"), D("65448.50"), D("3333.33")]
    counted = record_cash_closing(by=staff_user, account=cash, counted=D("2849.00"), date=today)
    assert counted.difference == D("-0.25")
    assert book.balance(cash, today) == D("2849.00")
    assert verify_ledger() == []
