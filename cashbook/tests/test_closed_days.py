"""A payment dated into a day already closed would change what that closing counted: every money
flow dated on or before its account's latest closing is refused, posting, approving or cancelling,
and the closing's difference stays as it was."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from cashbook import selectors
from cashbook.models import CashClosing, FlowDay
from cashbook.services import record_cash_closing
from core.errors import InvalidDocument
from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.verification import verify_ledger
from purchasing.services import record_supplier_payment
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import SalesReturnLineInput, create_sales_return
from sales import bulk
from sales.models import Payment
from sales.services import record_payment

D = Decimal


def closed_cash_day(staff_user, books):
    day = books["start"] + timedelta(days=3)
    closing = record_cash_closing(by=staff_user, account=books["cash"], counted=D("990.00"), date=day)
    assert (closing.expected, closing.difference) == (D("1000.00"), D("-10.00"))
    return day, closing


def assert_closing_stands(closing, books):
    closing.refresh_from_db()
    assert (closing.status, closing.expected, closing.difference) == ("posted", D("1000.00"), D("-10.00"))
    assert selectors.balance(books["cash"], closing.date) == closing.counted
    assert verify_ledger() == []


@pytest.mark.django_db
def test_money_dated_on_or_before_a_closed_day_of_its_account_is_refused(plant, staff_user, books):
    day, closing = closed_cash_day(staff_user, books)
    plant.buy(staff_user, (plant.bottle, 10, "3.00"), date=books["start"])
    bill = plant.sell(staff_user, (plant.bottle, 10, "5.00"), date=books["start"])
    fuel = ExpenseCategory.objects.get(code="fuel")
    attempts = {
        "customer payment on the day": lambda: record_payment(
            by=staff_user, customer=plant.customer, amount=D("50.00"), method="cash", date=day
        ),
        "customer payment the day before": lambda: record_payment(
            by=staff_user,
            customer=plant.customer,
            amount=D("50.00"),
            method="cash",
            date=day - timedelta(days=1),
        ),
        "supplier payment": lambda: record_supplier_payment(
            by=staff_user, supplier=plant.supplier, amount=D("20.00"), method="cash", date=day
        ),
        "expense": lambda: record_expense(
            by=staff_user, category=fuel, amount=D("10.00"), method="cash", date=day
        ),
        "refund": lambda: create_sales_return(
            by=staff_user,
            sale=bill,
            lines=[SalesReturnLineInput(bill.lines.get(), 1, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
            settlement=Settlement.REFUND,
            refund_method="cash",
            date=day,
            submit=True,
        ),
        "a closing of an earlier day": lambda: record_cash_closing(
            by=staff_user, account=books["cash"], counted=D("1000.00"), date=day - timedelta(days=1)
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(InvalidDocument) as refused:
            attempt()
        assert refused.value.fields == {"date": [f"Cash box is closed up to {day.isoformat()}."]}, what
        assert closing.number in str(refused.value), what
    assert not Payment.objects.exists()
    assert_closing_stands(closing, books)

    # Another account's money of that day, and the closed account's of the next day, are fine.
    record_payment(by=staff_user, customer=plant.customer, amount=D("50.00"), method="bank", date=day)
    record_payment(
        by=staff_user, customer=plant.customer, amount=D("5.00"), method="cash", date=day + timedelta(days=1)
    )
    assert selectors.balance(books["cash"], day + timedelta(days=1)) == D("995.00")
    assert_closing_stands(closing, books)


@pytest.mark.django_db
def test_cancelling_money_of_a_closed_day_or_approving_it_afterwards_is_refused(
    plant, staff_user, manager_user, owner_user, books, settings
):
    day = books["start"] + timedelta(days=3)
    paid = record_payment(by=staff_user, customer=plant.customer, amount=D("40.00"), method="cash", date=day)
    settings.PAYMENT_APPROVAL_THRESHOLD = D("100")
    waiting = record_payment(
        by=staff_user, customer=plant.customer, amount=D("400.00"), method="cash", date=day
    )
    assert waiting.status == "pending"
    closing = record_cash_closing(by=staff_user, account=books["cash"], counted=D("1030.00"), date=day)
    assert closing.difference == D("-10.00")
    with pytest.raises(InvalidDocument):
        lifecycle.cancel(document=paid, by=manager_user, reason="entered twice")
    with pytest.raises(InvalidDocument):
        lifecycle.approve(document=waiting, by=owner_user)
    closing.refresh_from_db()
    assert (closing.expected, closing.difference) == (D("1040.00"), D("-10.00"))
    assert selectors.balance(books["cash"], day) == D("1030.00")
    # Cancelling the closing first opens the day again.
    lifecycle.cancel(document=closing, by=manager_user, reason="recount")
    lifecycle.cancel(document=paid, by=manager_user, reason="entered twice")
    assert selectors.balance(books["cash"], day) == D("1000.00")
    assert verify_ledger() == []


@pytest.mark.django_db
def test_a_bulk_payment_dated_into_a_closed_day_is_refused_with_its_whole_batch(plant, staff_user, books):
    day, closing = closed_cash_day(staff_user, books)
    batch = [
        bulk.BulkPayment(customer=plant.customer, amount=D("30.00"), method="upi"),
        bulk.BulkPayment(customer=plant.customer, amount=D("20.00"), method="cash"),
    ]
    for when in (day, day - timedelta(days=1)):
        with pytest.raises(InvalidDocument) as refused, transaction.atomic():
            bulk.post_payments(by=staff_user, date=when, payments=batch)
        assert refused.value.fields == {"date": [f"Cash box is closed up to {day.isoformat()}."]}
        assert closing.number in str(refused.value)
    assert not Payment.objects.exists()
    assert_closing_stands(closing, books)

    # Money of that day into an account not counted (UPI), and cash of the next day, post in bulk.
    with transaction.atomic():
        bulk.post_payments(by=staff_user, date=day, payments=batch[:1])
        bulk.post_payments(by=staff_user, date=day + timedelta(days=1), payments=batch)
    assert Payment.objects.count() == 3
    assert selectors.balance(books["cash"], day + timedelta(days=1)) == D("1010.00")
    assert_closing_stands(closing, books)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_a_closing_of_its_day_is_counted_by_it_or_refused(
    roles_exist, plant, staff_user, books
):
    day = books["start"] + timedelta(days=2)
    barrier = threading.Barrier(2)
    outcome = {}

    def pay():
        try:
            barrier.wait()
            record_payment(by=staff_user, customer=plant.customer, amount=D("25.00"), method="cash", date=day)
            outcome["payment"] = "posted"
        except InvalidDocument:
            outcome["payment"] = "refused"
        finally:
            connection.close()

    def close():
        try:
            barrier.wait()
            record_cash_closing(by=staff_user, account=books["cash"], counted=D("1025.00"), date=day)
        finally:
            connection.close()

    for _ in range(5):
        CashClosing.objects.all().delete()
        Payment.objects.all().delete()
        FlowDay.objects.all().delete()
        threads = [threading.Thread(target=pay), threading.Thread(target=close)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        closing = CashClosing.objects.get()
        paid = Payment.objects.filter(status="posted").count()
        assert (outcome["payment"] == "posted") == (paid == 1)
        # Whichever came first, the closing's book is the book: it counted the payment or none came.
        assert closing.expected == D("1000.00") + D("25.00") * paid
        assert selectors.balance(books["cash"], day) == closing.counted
