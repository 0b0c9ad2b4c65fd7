"""The cash book: accounts with opening balances, money in and out, running balances, day-end closings."""

from datetime import timedelta
from decimal import Decimal

import pytest

from cashbook import flows, selectors
from cashbook.models import CashClosing, Method
from cashbook.services import record_cash_closing, save_account
from core.errors import InvalidDocument, NotAllowed
from documents import lifecycle
from documents.numbering import financial_year_label
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.verification import verify_ledger
from purchasing.services import record_supplier_payment
from reporting.periods import Period
from reporting.reports import cash_book
from sales.models import PaymentMethod
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_money_methods_are_the_customer_payment_methods():
    assert Method.choices == PaymentMethod.choices


def test_each_account_moves_by_its_entries_and_keeps_a_running_balance(plant, staff_user, books):
    day = books["start"] + timedelta(days=2)
    bill = plant.buy(staff_user, (plant.bottle, 100, "3.00"), date=books["start"])
    plant.sell(staff_user, (plant.bottle, 50, "5.00"), date=day)
    record_payment(by=staff_user, customer=plant.customer, amount=D("200.00"), method="cash", date=day)
    record_payment(by=staff_user, customer=plant.customer, amount=D("50.00"), method="upi", date=day)
    record_payment(
        by=staff_user,
        customer=plant.customer,
        amount=D("25.25"),
        method="cash",
        account=books["bank"],
        date=day,
    )
    record_supplier_payment(
        by=staff_user, supplier=plant.supplier, amount=D("300.00"), method="bank", date=day
    )
    record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="fuel"),
        amount=D("100.00"),
        input_tax=D("18.00"),
        method="cash",
        date=day,
    )
    assert selectors.balance(books["cash"], day) == D("1000.00") + D("200.00") - D("118.00") == D("1082.00")
    assert selectors.balance(books["bank"], day) == D("50000.00") + D("25.25") - D("300.00") == D("49725.25")
    assert selectors.balance(books["upi"], day) == D("50.00")
    assert selectors.balance(books["cash"], books["start"]) == D("1000.00")

    report = cash_book.build(Period(books["start"], day))
    accounts = {r["account"]: r for r in report.table("accounts").rows}
    assert accounts["Cash box"] == {
        "account": "Cash box",
        "kind": "Cash",
        "opening": D("1000.00"),
        "money_in": D("200.00"),
        "money_out": D("118.00"),
        "closing": D("1082.00"),
    }
    cash_entries = [r for r in report.table("entries").rows if r["account"] == "Cash box"]
    assert [r["balance"] for r in cash_entries][-1] == D("1082.00")
    assert report.table("accounts").totals["closing"] == D("1082.00") + D("49725.25") + D("50.00")
    # The next period opens where this one closed.
    later = cash_book.build(Period(day + timedelta(days=1), day + timedelta(days=1)))
    assert {r["account"]: r["opening"] for r in later.table("accounts").rows}["Cash box"] == D("1082.00")
    assert bill.number and verify_ledger() == []


def test_a_day_end_closing_books_the_difference_so_the_book_equals_the_cash_counted(
    plant, staff_user, manager_user, books
):
    day = books["start"] + timedelta(days=3)
    record_payment(by=staff_user, customer=plant.customer, amount=D("500.00"), method="cash", date=day)
    closing = record_cash_closing(by=staff_user, account=books["cash"], counted=D("1480.50"), date=day)
    assert (closing.status, closing.number) == ("posted", f"CC/{financial_year_label(day)}/00001")
    assert (closing.expected, closing.counted, closing.difference) == (
        D("1500.00"),
        D("1480.50"),
        D("-19.50"),
    )
    assert selectors.balance(books["cash"], day) == D("1480.50")
    with pytest.raises(InvalidDocument) as refused:
        record_cash_closing(by=staff_user, account=books["cash"], counted=D("1480.50"), date=day)
    assert refused.value.fields == {"date": [f"Cash box is already closed for {day.isoformat()}."]}
    report = cash_book.build(Period(day, day))
    assert report.table("closings").rows[0]["difference"] == D("-19.50")
    assert [r["what"] for r in report.table("entries").rows if r["account"] == "Cash box"] == [
        "Customer payment",
        "Day-end difference",
    ]
    # Cancelling the closing takes its difference out of the book again.
    lifecycle.cancel(document=closing, by=manager_user, reason="recounted")
    assert selectors.balance(books["cash"], day) == D("1500.00")
    assert verify_ledger() == []


def test_a_big_difference_waits_for_a_second_person(staff_user, owner_user, books, settings):
    settings.CASH_CLOSING_APPROVAL_THRESHOLD = D("100")
    closing = record_cash_closing(
        by=staff_user, account=books["cash"], counted=D("700.00"), date=books["start"]
    )
    assert closing.status == "pending"
    approved = lifecycle.approve(document=closing, by=owner_user)
    assert (approved.status, approved.difference) == ("posted", D("-300.00"))
    assert CashClosing.objects.get().difference == D("-300.00")


def test_accounts_are_kept_by_managers_and_one_account_takes_each_method(staff_user, manager_user, books):
    with pytest.raises(NotAllowed):
        save_account(
            by=staff_user, name="Petty", kind="cash", opening_balance=D("0"), opening_date=books["start"]
        )
    with pytest.raises(InvalidDocument) as refused:
        save_account(
            by=manager_user,
            name="Second bank",
            kind="bank",
            opening_balance=D("0"),
            opening_date=books["start"],
            default_for="bank",
        )
    assert refused.value.fields == {"default_for": ["State Bank already takes Bank transfer money."]}
    overdrawn = save_account(
        by=manager_user,
        name="Overdraft",
        kind="bank",
        opening_balance=D("-250.00"),
        opening_date=books["start"],
    )
    assert overdrawn.opening_balance == D("-250.00")


def test_money_without_an_account_is_shown_apart_not_lost(plant, staff_user, books):
    record_payment(
        by=staff_user, customer=plant.customer, amount=D("40.00"), method="cheque", date=books["start"]
    )
    report = cash_book.build(Period(books["start"], books["start"]))
    rows = {r["account"]: r for r in report.table("accounts").rows}
    assert rows["No account"]["money_in"] == D("40.00")
    assert selectors.unbooked(None, None) == {"in": D("40.00"), "out": D("0.00")}


def test_every_flow_is_registered(db):
    assert {f.name for f in flows.flows()} >= {
        "customer_payment",
        "supplier_payment",
        "expense",
        "cash_closing",
        "refund",
    }


def test_a_long_period_shows_the_days_and_the_day_end_balances(plant, staff_user, books):
    first, second = books["start"] + timedelta(days=1), books["start"] + timedelta(days=2)
    for day, amount in ((first, "10.00"), (first, "5.50"), (second, "1.25")):
        record_payment(by=staff_user, customer=plant.customer, amount=D(amount), method="cash", date=day)
    long = cash_book.build(Period(books["start"] - timedelta(days=60), second))
    assert long.table("entries").rows == []
    cash_days = [
        (r["date"], r["money_in"], r["balance"])
        for r in long.table("days").rows
        if r["account"] == "Cash box"
    ]
    assert cash_days == [(first, D("15.50"), D("1015.50")), (second, D("1.25"), D("1016.75"))]
    short = cash_book.build(Period(first, second))
    assert len([r for r in short.table("entries").rows if r["account"] == "Cash box"]) == 3
