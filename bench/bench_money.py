"""Net profit and the cash book at scale: seed a throwaway PostgreSQL, add a year of expenses and
supplier payments, time the profit & loss and cash book pages next to the raw aggregate.

    .venv/bin/python bench/bench_money.py                # 365 days at --scale 1.0 ≈ 1M lines
    .venv/bin/python bench/bench_money.py --scale 0.2    # ≈ 200k lines

``seed_demo`` makes the bills, payments, purchases, runs and counts; this script adds accounts (cash,
bank, UPI, each taking its method's money), four expenses a day and one supplier payment per
purchase, all through the services, then prints Markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    with_database(args, lambda url: run(args))


def _money_documents(days: int) -> tuple[int, int]:
    """Accounts, a year of expenses and a payment per purchase, through the services."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from cashbook.services import save_account
    from documents.models import DocumentStatus
    from expenses.models import ExpenseCategory
    from expenses.services import record_expense
    from purchasing import selectors
    from purchasing.models import Purchase
    from purchasing.services import AllocationInput, record_supplier_payment

    settings.EXPENSE_APPROVAL_THRESHOLD = settings.SUPPLIER_PAYMENT_APPROVAL_THRESHOLD = Decimal("10") ** 9
    manager = User.objects.filter(groups__name="Manager").first()
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    for name, kind, opening in (("Cash box", "cash", "25000.00"), ("State Bank", "bank", "500000.00"),
                                ("UPI", "upi", "0")):  # fmt: skip
        save_account(by=manager, name=name, kind=kind, opening_balance=Decimal(opening), opening_date=start,
                     default_for=kind)  # fmt: skip
    heads = {c.code: c for c in ExpenseCategory.objects.all()}
    made = 0
    for n in range(days):
        for code, amount, tax, method in EXPENSES_A_DAY:
            record_expense(by=manager, category=heads[code], amount=Decimal(amount), input_tax=Decimal(tax),
                           method=method, date=start + timedelta(days=n))  # fmt: skip
            made += 1
    paid = 0
    for bill in Purchase.objects.filter(status=DocumentStatus.POSTED).select_related("supplier"):
        owed = selectors.bill_outstanding(bill)
        if owed > 0:
            record_supplier_payment(by=manager, supplier=bill.supplier, amount=owed, method="bank",
                                    allocations=[AllocationInput(purchase=bill, amount=owed)],
                                    date=max(bill.date, start))  # fmt: skip
            paid += 1
    return made, paid


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import create_user
    from inventory.verification import verify_ledger
    from sales.models import Payment, SaleLine

    print(f"machine: {machine()}")
    if args.database_url and SaleLine.objects.exists():
        owner = User.objects.get(username="bench_owner")
    else:
        call_command("migrate", verbosity=0)
        owner = create_user(username="bench_owner", role=Role.OWNER, password="bench-owner-password-1")
        started = time.perf_counter()
        call_command("seed_demo", days=args.days, scale=args.scale, no_verify=True)
        print(f"seed_demo --days {args.days} --scale {args.scale}: {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        expenses, payments = _money_documents(args.days)
        took = time.perf_counter() - started
        print(f"{expenses:,} expenses and {payments:,} supplier payments in {took:.0f} s")
        print(f"verify_ledger: {len(verify_ledger())} problems")
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

    raw_year, raw_month = median_ms(raw(year), args.runs), median_ms(raw(month), args.runs)
    client = Client()
    client.force_login(owner)
    print()
    print(f"| report | year (ms) | month (ms) | year ÷ raw year ({raw_year:.0f} ms) |")
    print("|---|---:|---:|---:|")
    for name in ("profit-loss", "cash-book", "payables", "customer-sales"):
        times = []
        for start, end in (year, month):

            def page(start=start, end=end, name=name):
                response = client.get(f"/reports/{name}/", {"start": start, "end": end})
                assert response.status_code == 200, (name, response.status_code)

            times.append(median_ms(page, args.runs))
        print(f"| {name} | {times[0]:.1f} | {times[1]:.1f} | {times[0] / raw_year:.3f} |")
    print(f"| raw SUM … GROUP BY month | {raw_year:.1f} | {raw_month:.1f} | 1.000 |")


if __name__ == "__main__":
    main()
