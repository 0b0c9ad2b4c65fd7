"""Net profit and the cash book at scale: seed a throwaway PostgreSQL, add a year of expenses,
supplier payments and refunds, time the profit & loss, cash book and payables pages next to the
raw aggregate.

    .venv/bin/python bench/bench_money.py                # 365 days at --scale 1.0 ≈ 1M lines
    .venv/bin/python bench/bench_money.py --scale 0.2    # ≈ 200k lines
    .venv/bin/python bench/bench_money.py --database-url URL   # migrate, top up and time a seeded one

``seed_demo`` makes the bills, payments, purchases, runs and counts; this script adds accounts (cash,
bank, UPI, each taking its method's money), four expenses a day, one supplier payment per
purchase and a refund every other day, all through the services (each part only where it is
missing, so a database seeded by an older version is topped up), then prints Markdown for
bench/RESULTS.md: each page's median next to the raw SUM … GROUP BY month over the year's bill
lines, timed in the same run. The cash book is timed for every account, for the year, the month,
one account's first page of entries and a page from the middle of the year.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import RAW_SQL, add_arguments, machine, median_ms, with_database  # noqa: E402

EXPENSES_A_DAY = [("power", "2150.00", "387.00", "bank"), ("wages", "3200.00", "0", "cash"),
                  ("fuel", "640.50", "0", "cash"), ("transport", "410.00", "49.20", "upi")]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3, help="turns of raw and pages, alternated")
    args = parser.parse_args()
    with_database(args, lambda url: run(args))


def _money_documents(days: int) -> tuple[int, int, int]:
    """Accounts, a year of expenses, a payment per purchase and refunds, through the services."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from cashbook.models import Account
    from cashbook.services import save_account
    from documents.models import DocumentStatus
    from expenses.models import Expense, ExpenseCategory
    from expenses.services import record_expense
    from purchasing import selectors
    from purchasing.models import Purchase, SupplierPayment
    from purchasing.services import AllocationInput, record_supplier_payment

    settings.EXPENSE_APPROVAL_THRESHOLD = settings.SUPPLIER_PAYMENT_APPROVAL_THRESHOLD = Decimal("10") ** 9
    manager = User.objects.filter(groups__name="Manager").first()
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    if not Account.objects.exists():
        for name, kind, opening in (("Cash box", "cash", "25000.00"), ("State Bank", "bank", "500000.00"),
                                    ("UPI", "upi", "0")):  # fmt: skip
            save_account(by=manager, name=name, kind=kind, opening_balance=Decimal(opening),
                         opening_date=start, default_for=kind)  # fmt: skip
    heads = {c.code: c for c in ExpenseCategory.objects.all()}
    made = 0
    if not Expense.objects.exists():
        for n in range(days):
            for code, amount, tax, method in EXPENSES_A_DAY:
                day = start + timedelta(days=n)
                record_expense(by=manager, category=heads[code], amount=Decimal(amount),
                               input_tax=Decimal(tax), method=method, date=day)  # fmt: skip
                made += 1
    paid = 0
    if not SupplierPayment.objects.exists():
        for bill in Purchase.objects.filter(status=DocumentStatus.POSTED).select_related("supplier"):
            owed = selectors.bill_outstanding(bill)
            if owed > 0:
                record_supplier_payment(by=manager, supplier=bill.supplier, amount=owed, method="bank",
                                        allocations=[AllocationInput(purchase=bill, amount=owed)],
                                        date=max(bill.date, start))  # fmt: skip
                paid += 1
    return made, paid, _refunds(manager, start, days)


def _refunds(manager, start, days: int) -> int:
    """A refund every other day (one unit of a bill of that day, back into stock, paid in cash or
    UPI), unless the year has them already."""
    from django.db.models import Max

    from cashbook.models import CashClosing
    from returns.models import Disposition, ReturnReason, SalesReturn, Settlement
    from returns.services import SalesReturnLineInput, create_sales_return
    from sales.models import Sale

    if SalesReturn.objects.filter(refund__gt=0).count() >= days // 4:
        return 0
    # The demo counts its cash at day end in its last weeks; money is never dated into a counted day.
    cash_closed_through = CashClosing.objects.filter(status="posted", account__kind="cash").aggregate(
        d=Max("date")
    )["d"]
    made = 0
    for n in range(0, days, 2):
        day = start + timedelta(days=n)
        bill = Sale.objects.filter(status="posted", date=day).order_by("pk").first()
        line = bill and bill.lines.order_by("pk").first()
        if line is None:
            continue
        back = [SalesReturnLineInput(line, 1, Disposition.RESTOCK, ReturnReason.LEAKING)]
        counted = cash_closed_through is not None and day <= cash_closed_through
        method = "cash" if n % 4 and not counted else "upi"
        create_sales_return(by=manager, sale=bill, date=day, submit=True, lines=back,
                            settlement=Settlement.REFUND, refund_method=method)  # fmt: skip
        made += 1
    return made


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import create_user
    from cashbook import flows
    from cashbook.models import Account
    from inventory.verification import verify_ledger
    from reporting import summaries
    from reporting.reports import cash_book
    from sales.models import Payment, SaleLine

    print(f"machine: {machine()}")
    call_command("migrate", verbosity=0)  # a database seeded by an older version gets the new summaries
    if args.database_url and SaleLine.objects.exists():
        owner = User.objects.get(username="bench_owner")
    else:
        owner = create_user(username="bench_owner", role=Role.OWNER, password="bench-owner-password-1")
        started = time.perf_counter()
        call_command("seed_demo", days=args.days, scale=args.scale, no_verify=True)
        print(f"seed_demo --days {args.days} --scale {args.scale}: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    expenses, payments, refunds = _money_documents(args.days)
    if expenses or payments or refunds:
        took = time.perf_counter() - started
        print(
            f"added {expenses:,} expenses, {payments:,} supplier payments, {refunds:,} refunds "
            f"in {took:.0f} s"
        )
        problems = verify_ledger() + summaries.differences()
        print(f"verify_ledger and summaries.differences(): {len(problems)} problems")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"{SaleLine.objects.count():,} bill lines, {Payment.objects.count():,} customer payments")

    today = timezone.localdate()
    year = (today - timedelta(days=364), today)
    month = (today - timedelta(days=29), today)

    def raw(period):
        def query():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, list(period))
                cursor.fetchall()

        return query

    client = Client()
    client.force_login(owner)

    def page(name, params):
        def get():
            response = client.get(f"/reports/{name}/", params)
            assert response.status_code == 200, (name, params, response.status_code)

        return get

    pages = []
    for name in ("profit-loss", "cash-book", "payables"):
        for label, (start, end) in (("year", year), ("month", month)):
            pages.append((f"{name}, {label}", page(name, {"start": start, "end": end})))
    if hasattr(cash_book, "PAGE"):  # one account's entries a page at a time (this version on)
        for account in Account.objects.order_by("name"):
            # The middle of the account's own book in the year (an account may open late in it).
            opened = max(year[0], account.opening_date)
            middle = opened + (year[1] - opened) / 2
            deep = flows.entries_page(account.pk, middle, year[1], None, 1)
            params = {"start": year[0], "end": year[1], "account": account.pk}
            pages.append((f"cash-book, year, {account.name}, first page", page("cash-book", params)))
            if deep:
                after = {**params, "after": cash_book.cursor_for(deep[0])}
                pages.append((f"cash-book, year, {account.name}, page at mid-year", page("cash-book", after)))
    queries = {}
    for label, get in pages:  # what each page asks the database, once
        with CaptureQueriesContext(connection) as seen:
            get()
        queries[label] = len(seen)
    # Raw and pages in turns, so a change of the machine's load touches both alike.
    times: dict[str, list[float]] = {label: [] for label, _ in pages}
    raw_year: list[float] = []
    for _ in range(args.rounds):
        raw_year.append(median_ms(raw(year), args.runs))
        for label, get in pages:
            times[label].append(median_ms(get, args.runs))
    raw_ms = statistics.median(raw_year)
    print(f"load after timing: {os.getloadavg()[0]:.1f}")
    print()
    print(f"| page | median (ms) | ÷ raw year ({raw_ms:.0f} ms) | queries |")
    print("|---|---:|---:|---:|")
    for label, samples in times.items():
        ms = statistics.median(samples)
        print(f"| {label} | {ms:.1f} | {ms / raw_ms:.3f} | {queries[label]} |")
    print(f"| raw SUM … GROUP BY month, year | {raw_ms:.1f} | 1.000 | 1 |")


if __name__ == "__main__":
    main()
