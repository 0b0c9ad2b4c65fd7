"""The kept daily sums of the money flows (``FlowDay``) equal the posted documents they sum, through
posting, cancelling, back-dated entries, bulk posting and every flow; and the book read from them
equals the entries listed one by one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from cashbook import days, flows, selectors
from cashbook.models import FlowDay
from cashbook.services import record_cash_closing, save_account
from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.verification import verify_ledger
from purchasing.services import record_supplier_payment
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import SalesReturnLineInput, create_sales_return
from sales import bulk
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def kept() -> dict[tuple, Decimal]:
    return {
        (row.date, row.flow, row.named_account, row.method): row.amount
        for row in FlowDay.objects.all()
        if row.amount or row.entries
    }


def test_every_flow_adds_its_money_to_its_day_and_cancelling_takes_it_out(
    plant, staff_user, manager_user, books
):
    start, day = books["start"], books["start"] + timedelta(days=4)
    plant.buy(staff_user, (plant.bottle, 10, "3.00"), date=start)
    bill = plant.sell(staff_user, (plant.bottle, 10, "5.00"), date=day)
    paid = record_payment(by=staff_user, customer=plant.customer, amount=D("30.00"), method="cash", date=day)
    named = record_payment(
        by=staff_user,
        customer=plant.customer,
        amount=D("5.25"),
        method="cash",
        account=books["bank"],
        date=day,
    )
    back_dated = record_payment(
        by=staff_user, customer=plant.customer, amount=D("12.00"), method="upi", date=start
    )
    supplier = record_supplier_payment(
        by=staff_user, supplier=plant.supplier, amount=D("300.00"), method="bank", date=day
    )
    expense = record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="fuel"),
        amount=D("100.00"),
        input_tax=D("18.00"),
        method="cash",
        date=day,
    )
    refund = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[SalesReturnLineInput(bill.lines.get(), 2, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
        settlement=Settlement.REFUND,
        refund_method="upi",
        submit=True,
    )
    later = day + timedelta(days=1)
    closing = record_cash_closing(by=staff_user, account=books["cash"], counted=D("800.00"), date=later)
    assert refund.refund == D("10.00") and closing.difference == D("800.00") - D("1000.00") - D("30.00") + D(
        "118.00"
    )
    assert kept() == {
        (day, "customer_payment", 0, "cash"): D("30.00"),
        (day, "customer_payment", books["bank"].pk, "cash"): D("5.25"),
        (start, "customer_payment", 0, "upi"): D("12.00"),
        (day, "supplier_payment", 0, "bank"): D("-300.00"),
        (day, "expense", 0, "cash"): D("-118.00"),
        (refund.date, "refund", 0, "upi"): D("-10.00"),
        (later, "cash_closing", books["cash"].pk, ""): D("-112.00"),
    }
    assert days.differences() == [] and verify_ledger() == []
    assert selectors.balance(books["cash"], later) == D("800.00")
    assert selectors.balance(books["bank"], day) == D("50000.00") + D("5.25") - D("300.00")
    assert selectors.balance(books["upi"], refund.date) == D("2.00")

    for document in (closing, refund, expense, supplier, back_dated, named, paid):
        lifecycle.cancel(document=document, by=manager_user, reason="entered twice")
        assert days.differences() == []
    assert kept() == {}
    assert selectors.balance(books["cash"], later) == D("1000.00")
    assert verify_ledger() == []


def test_payments_posted_in_bulk_are_summed_like_one_at_a_time(plant, staff_user, books):
    day = books["start"] + timedelta(days=1)
    with transaction.atomic():
        bulk.post_payments(
            by=staff_user,
            date=day,
            payments=[
                bulk.BulkPayment(customer=plant.customer, amount=D("10.00"), method="cash"),
                bulk.BulkPayment(customer=plant.customer, amount=D("2.50"), method="cash"),
                bulk.BulkPayment(customer=plant.customer, amount=D("7.00"), method="bank"),
            ],
        )
    assert kept() == {
        (day, "customer_payment", 0, "cash"): D("12.50"),
        (day, "customer_payment", 0, "bank"): D("7.00"),
    }
    assert FlowDay.objects.get(date=day, method="cash").entries == 2
    assert days.differences() == []


def test_a_wrong_day_sum_is_reported_and_rebuild_gives_the_rows_posting_kept(plant, staff_user, books):
    day = books["start"] + timedelta(days=2)
    record_payment(by=staff_user, customer=plant.customer, amount=D("40.00"), method="cash", date=day)
    record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="power"),
        amount=D("9.00"),
        method="bank",
        date=day,
    )
    posted = kept()
    FlowDay.objects.filter(flow="customer_payment").update(amount=D("41.00"))
    found = verify_ledger()
    assert any("cash book day" in problem and "customer_payment" in problem for problem in found)
    days.rebuild()
    assert kept() == posted and verify_ledger() == []


def test_money_without_an_account_follows_the_account_its_method_is_booked_to_when_read(
    plant, staff_user, manager_user, books
):
    day = books["start"] + timedelta(days=1)
    record_payment(by=staff_user, customer=plant.customer, amount=D("70.00"), method="upi", date=day)
    assert selectors.balance(books["upi"], day) == D("70.00")
    save_account(by=manager_user, account=books["upi"], default_for=None)
    till = save_account(
        by=manager_user,
        name="Counter till",
        kind="upi",
        opening_balance=D("0"),
        opening_date=books["start"],
        default_for="upi",
    )
    assert selectors.balance(till, day) == D("70.00")
    assert selectors.balance(books["upi"], day) == D("0")
    assert days.differences() == [] and selectors.differences() == []


def test_a_page_of_entries_starts_where_the_last_ended_and_its_balance_carries_on(plant, staff_user, books):
    start = books["start"]
    for n in range(7):
        record_payment(
            by=staff_user,
            customer=plant.customer,
            amount=D(n + 1),
            method="cash",
            date=start + timedelta(days=n % 3),
        )
    record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="fuel"),
        amount=D("4.00"),
        method="cash",
        date=start,
    )
    end = start + timedelta(days=5)
    every = flows.entries(start, end, books["cash"].pk)
    pages, after = [], None
    while True:
        page = flows.entries_page(books["cash"].pk, start, end, after, 3)
        if not page:
            break
        pages.append(page)
        after = flows.page_key(page[-1])
    assert [e["number"] for page in pages for e in page] == [e["number"] for e in every]
    assert [len(page) for page in pages] == [3, 3, 2]
    third = pages[2][0]
    assert flows.sums_before(books["cash"].pk, start, flows.page_key(third)) == sum(
        (e["amount"] for e in every[:6]), D("0")
    )


def test_the_cash_book_pages_one_accounts_entries_and_each_page_carries_the_balance_on(
    plant, staff_user, manager_client, books, monkeypatch
):
    from reporting.periods import Period
    from reporting.reports import cash_book

    monkeypatch.setattr(cash_book, "PAGE", 3)
    start, end = books["start"], books["start"] + timedelta(days=6)
    record_payment(by=staff_user, customer=plant.customer, amount=D("9.00"), method="cash", date=start)
    for n in range(6):
        record_payment(
            by=staff_user,
            customer=plant.customer,
            amount=D(n + 1),
            method="cash",
            date=start + timedelta(days=n),
        )
    record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="fuel"),
        amount=D("4.00"),
        method="cash",
        date=start,
    )
    record_payment(by=staff_user, customer=plant.customer, amount=D("500.00"), method="bank", date=start)
    period = Period(start + timedelta(days=1), end)  # the first day's money is in the opening
    balances, numbers, after = [], [], ""
    while True:
        report = cash_book.build(period, books["cash"], after)
        assert {r["account"] for r in report.table("days").rows} == {"Cash box"}
        rows = report.table("entries").rows
        balances += [r["balance"] for r in rows]
        numbers += [r["number"] for r in rows]
        after = report.options.get("next_page", "")
        if not after:
            break
    opening = D("1000.00") + D("9.00") + D("1.00") - D("4.00")
    assert balances == [opening + sum(D(k) for k in range(2, n + 1)) for n in range(2, 7)]
    assert numbers == [e["number"] for e in flows.entries(period.start, end, books["cash"].pk)]
    assert balances[-1] == selectors.balance(books["cash"], end)

    first = manager_client.get(
        "/reports/cash-book/", {"start": period.start, "end": end, "account": books["cash"].pk}
    )
    assert first.status_code == 200 and b"Next entries" in first.content
    forged = manager_client.get(
        "/reports/cash-book/", {"start": period.start, "end": end, "account": books["cash"].pk, "after": "x"}
    )
    assert forged.status_code == 200  # a cursor that does not verify gives the first page
