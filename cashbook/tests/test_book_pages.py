"""The cash book's pages read from one UNION ALL over the flows and the kept daily sums: every
page (first, middle, last, at any page size) carries the running balance a raw walk through the
documents gives, and a page costs the same number of queries whatever the number of accounts or
entries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cashbook import flows
from cashbook.services import record_cash_closing, save_account
from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from purchasing.services import record_supplier_payment
from reporting.periods import Period
from reporting.reports import cash_book
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import SalesReturnLineInput, create_sales_return
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def _pay(by, plant, amount, method, day, **kwargs):
    return record_payment(by=by, customer=plant.customer, amount=D(amount), method=method, date=day, **kwargs)


def _fuel(by, amount, method, day):
    fuel = ExpenseCategory.objects.get(code="fuel")
    return record_expense(by=by, category=fuel, amount=D(amount), method=method, date=day)


@pytest.fixture
def busy(plant, staff_user, manager_user, books):
    """Nine days of every flow: cash payments several a day, a named bank one, an expense, a
    supplier payment, a refund, a cancelled payment, money no account takes, a day-end closing
    on the fifth day with money before it, and an account with no entries at all."""
    start = books["start"]
    petty = save_account(
        by=manager_user, name="Petty cash", kind="cash", opening_balance=D("75.50"), opening_date=start
    )
    plant.buy(staff_user, (plant.bottle, 50, "3.00"), date=start)
    bill = plant.sell(staff_user, (plant.bottle, 20, "5.00"), date=start + timedelta(days=1))
    for n in range(5):
        day = start + timedelta(days=n)
        for k in range(n % 3 + 1):
            _pay(staff_user, plant, f"{10 + n}.{k}5", "cash", day)
        _fuel(staff_user, f"{3 + n}.40", "cash", day)
    _pay(staff_user, plant, "44.44", "cash", start + timedelta(days=2), account=books["bank"])
    record_supplier_payment(
        by=staff_user,
        supplier=plant.supplier,
        amount=D("30.00"),
        method="cash",
        date=start + timedelta(days=3),
    )
    create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[SalesReturnLineInput(bill.lines.get(), 2, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
        settlement=Settlement.REFUND,
        refund_method="cash",
        submit=True,
    )
    gone = _pay(staff_user, plant, "999.00", "cash", start + timedelta(days=2))
    lifecycle.cancel(document=gone, by=manager_user, reason="entered twice")
    _pay(staff_user, plant, "7.00", "cheque", start + timedelta(days=3))  # no account takes a cheque
    closing = record_cash_closing(
        by=staff_user, account=books["cash"], counted=D("1111.11"), date=start + timedelta(days=4)
    )
    for n in range(5, 9):
        day = start + timedelta(days=n)
        _pay(staff_user, plant, f"{20 + n}.00", "cash", day)
        _pay(staff_user, plant, f"{n}.25", "upi", day)
    return {**books, "petty": petty, "closing": closing, "gone": gone}


def _raw(account, period):
    """The account's entries in the period with running balances, walked one document at a time
    from the account's opening balance (no kept sums)."""
    balance, rows = account.opening_balance, []
    for entry in flows.entries(account.opening_date, period.end, account.pk):
        balance += entry["amount"]
        if entry["date"] >= period.start:
            rows.append((entry["number"], entry["date"], balance))
    return rows


def _walk(period, account):
    rows, after, pages = [], "", 0
    while True:
        report = cash_book.build(period, account, after)
        page = report.table("entries").rows
        assert len(page) <= cash_book.PAGE
        rows += [(r["number"], r["date"], r["balance"]) for r in page]
        pages += 1
        after = report.options.get("next_page", "")
        if not after:
            return rows, pages


@pytest.mark.parametrize("size", [1, 2, 3, 5, 100])
def test_every_page_of_every_account_carries_the_raw_running_balance(busy, monkeypatch, size):
    monkeypatch.setattr(cash_book, "PAGE", size)
    period = Period(busy["start"] + timedelta(days=1), busy["start"] + timedelta(days=8))
    for name in ("cash", "bank", "upi", "petty"):
        account = busy[name]
        raw = _raw(account, period)
        rows, pages = _walk(period, account)
        assert rows == raw, (name, size)
        assert pages == max(1, -(-len(raw) // size) + (1 if raw and len(raw) % size == 0 else 0)), name
    cash_numbers = [number for number, _, _ in _raw(busy["cash"], period)]
    assert busy["closing"].number in cash_numbers and busy["gone"].number not in cash_numbers
    assert _raw(busy["petty"], period) == []


def test_the_book_s_balances_and_days_match_the_raw_walk(busy):
    period = Period(busy["start"] + timedelta(days=1), busy["start"] + timedelta(days=8))
    report = cash_book.build(period)
    by_name = {r["account"]: r for r in report.table("accounts").rows}
    for name in ("cash", "bank", "upi", "petty"):
        account = busy[name]
        raw = _raw(account, period)
        opening = (
            raw[0][2] - flows.entries(period.start, period.end, account.pk)[0]["amount"] if raw else None
        )
        row = by_name[account.name]
        if opening is not None:
            assert row["opening"] == opening
        assert row["closing"] == (raw[-1][2] if raw else row["opening"])
        day_ends = {}
        for _, day, balance in raw:
            day_ends[day] = balance
        days = {r["date"]: r["balance"] for r in report.table("days").rows if r["account"] == account.name}
        assert days == day_ends, name
    assert by_name["Petty cash"]["opening"] == by_name["Petty cash"]["closing"] == D("75.50")
    assert by_name["No account"]["money_in"] == D("7.00")
    # The period is within a month: each account's first page, every balance the raw one.
    entries = report.table("entries").rows
    for name in ("cash", "bank", "upi"):
        account = busy[name]
        listed = [(r["number"], r["date"], r["balance"]) for r in entries if r["account"] == account.name]
        assert listed == _raw(account, period)[: cash_book.PAGE]
    assert [r["money_in"] for r in entries if r["account"] == "No account"] == [D("7.00")]


def test_a_cursor_of_another_period_gives_this_period_s_first_page(busy, monkeypatch):
    monkeypatch.setattr(cash_book, "PAGE", 2)
    early = Period(busy["start"], busy["start"] + timedelta(days=8))
    late = Period(busy["start"] + timedelta(days=5), busy["start"] + timedelta(days=8))
    cursor = cash_book.build(early, busy["cash"]).options["next_page"]
    first = cash_book.build(late, busy["cash"])
    again = cash_book.build(late, busy["cash"], cursor)
    assert again.table("entries").rows == first.table("entries").rows


def _counted_build(period, account=None, after=""):
    with CaptureQueriesContext(connection) as seen:
        report = cash_book.build(period, account, after)
    return len(seen), report


def _asked(client, url, params):
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(seen)


@pytest.mark.postgres
def test_a_page_asks_as_many_queries_for_four_accounts_and_many_entries_as_for_one(
    plant, staff_user, manager_user, manager_client, monkeypatch
):
    monkeypatch.setattr(cash_book, "PAGE", 2)
    start = timezone.localdate() - timedelta(days=20)
    cash = save_account(
        by=manager_user, name="Cash box", kind="cash", opening_balance=D("100"), opening_date=start
    )
    for n in range(3):
        _pay(staff_user, plant, "5.00", "cash", start + timedelta(days=n), account=cash)
    year, month = (
        Period(start - timedelta(days=300), start + timedelta(days=20)),
        Period(start, start + timedelta(days=20)),
    )

    def counts():
        deep = cash_book.build(month, cash).options["next_page"]
        views = {
            "year": _counted_build(year),
            "month": _counted_build(month),
            "first page": _counted_build(month, cash),
            "deep page": _counted_build(month, cash, deep),
        }
        assert views["deep page"][1].table("entries").rows
        found = {name: n for name, (n, _) in views.items()}
        # The page and the API, whole requests (the session, the user and the form's account included).
        for url in ("/reports/cash-book/", "/api/v1/reports/cash-book/"):
            for label, params in (
                ("year", {"start": year.start, "end": year.end}),
                ("month", {"start": month.start, "end": month.end}),
                ("deep page", {"start": month.start, "end": month.end, "account": cash.pk, "after": deep}),
            ):
                found[f"{url} {label}"] = _asked(manager_client, url, params)
        return found

    few = counts()
    others = [
        save_account(
            by=manager_user,
            name=name,
            kind=kind,
            opening_balance=D("10"),
            opening_date=start,
            default_for=how,
        )
        for name, kind, how in (("Bank", "bank", "bank"), ("UPI", "upi", "upi"), ("Till", "cash", "cash"))
    ]
    plant.buy(staff_user, (plant.bottle, 50, "3.00"), date=start)
    bill = plant.sell(staff_user, (plant.bottle, 20, "5.00"), date=start + timedelta(days=1))
    for n in range(12):
        day = start + timedelta(days=n % 6)
        for how in ("cash", "bank", "upi"):
            _pay(staff_user, plant, f"{n + 1}.00", how, day)
        _pay(staff_user, plant, "1.00", "cash", day, account=cash)
        _fuel(staff_user, "2.00", "cash", day)
    record_supplier_payment(
        by=staff_user, supplier=plant.supplier, amount=D("9.00"), method="bank", date=start
    )
    create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[SalesReturnLineInput(bill.lines.get(), 1, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
        settlement=Settlement.REFUND,
        refund_method="upi",
        submit=True,
    )
    record_cash_closing(by=staff_user, account=others[2], counted=D("50.00"), date=start + timedelta(days=7))
    record_cash_closing(by=staff_user, account=cash, counted=D("50.00"), date=start + timedelta(days=7))
    many = counts()
    assert many == few
    # Accounts, the kept sums, the page's entries (and for a deep page its day's earlier ones), the closings.
    assert max(n for name, n in many.items() if "/" not in name) <= 5, many


def test_a_year_s_page_shows_each_account_s_months_linked_to_their_pages_and_keeps_every_day_elsewhere(
    busy, owner_client
):
    """A year's page lists one row per account and month (money in, out and the balance at its
    last day), each linked to that month's page; the print view, CSV and the month's page keep
    every day."""
    today = timezone.localdate()
    year = Period(today - timedelta(days=364), today)
    days = cash_book.build(year).table("days").rows
    url = "/reports/cash-book/"
    params = {"start": year.start.isoformat(), "end": year.end.isoformat()}

    page = owner_client.get(url, params).content.decode()
    assert 'id="t-months"' in page and 'id="t-days"' not in page
    months = cash_book.build(year, on_page=True).table("months").rows
    assert {r["account"] for r in months} == {r["account"] for r in days}
    for row in months:
        ((label, link),) = row["month_links"]
        mine = [d for d in days if d["account"] == row["account"] and label == d["date"].strftime("%B %Y")]
        assert row["money_in"] == sum(d["money_in"] for d in mine)
        assert row["money_out"] == sum(d["money_out"] for d in mine)
        assert row["balance"] == mine[-1]["balance"]
        assert link.replace("&", "&amp;") in page
        first, last = min(d["date"] for d in mine), max(d["date"] for d in mine)
        month_page = owner_client.get(link).content.decode()
        assert 'id="t-days"' in month_page and 'id="t-months"' not in month_page
        start = link.split("start=")[1][:10]
        assert start <= first.isoformat() and last.isoformat() <= link.split("end=")[1][:10]
    assert len(months) < len(days)

    printed = owner_client.get(url, {**params, "print": "1"}).content.decode()
    assert 'id="t-days"' in printed and 'id="t-months"' not in printed
    csv = b"".join(owner_client.get(url, {**params, "export": "csv"}).streaming_content).decode()
    for row in days:
        assert f"{row['account']},{row['date'].isoformat()}," in csv


def test_a_year_s_page_of_one_account_links_its_months_to_that_account_s_month_pages(busy, owner_client):
    today = timezone.localdate()
    year = Period(today - timedelta(days=364), today)
    months = cash_book.build(year, busy["cash"], on_page=True).table("months").rows
    assert months and {r["account"] for r in months} == {"Cash box"}
    assert all(f"account={busy['cash'].pk}" in r["month_links"][0][1] for r in months)
