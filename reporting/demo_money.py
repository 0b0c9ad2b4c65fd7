"""The demo plant's money beyond bills: its accounts, what it pays suppliers, what it spends on
running the plant, and the cash counted at the end of each working day (``seed_demo``).

Everything goes through the services, as a user's entry would: ``save_account``,
``record_supplier_payment`` (each bill paid whole, by bank, its supplier's credit days after it
was bought, give or take a few; bills due after the last day are left owing), ``record_expense``
(a month's power, wages and rent on the 1st for the month before, diesel on Mondays and transport
on Thursdays in cash) and ``record_cash_closing`` (the cash counted at the end of each working day
of the last two weeks, when its book starts, a few rupees off the book or exactly on it; never
enough to wait for approval). Documents over an approval limit are approved
by the second person, as the demo's purchases are. So the payables, the P&L's expenses and net
profit and the cash book show real figures.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from cashbook import selectors as cash_selectors
from cashbook.models import AccountKind, Method
from cashbook.services import record_cash_closing, save_account
from core.bounds import MAX_PRICE
from core.money import money
from documents import lifecycle
from documents.models import DocumentStatus
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from purchasing.models import Purchase
from purchasing.services import AllocationInput, record_supplier_payment

# name, kind, method it takes by default, opening balance at full scale
ACCOUNTS = [
    ("Cash in hand", AccountKind.CASH, Method.CASH, "50000"),
    ("SBI current account", AccountKind.BANK, Method.BANK, "2500000"),
    ("UPI collections", AccountKind.UPI, Method.UPI, "0"),
    ("Cheques (SBI)", AccountKind.BANK, Method.CHEQUE, "0"),
]
# code, amount a month at full scale, GST on the bill (%), how it is paid
MONTHLY = [("wages", "850000", "0", Method.BANK), ("rent", "150000", "18", Method.BANK)]
POWER_PER_BOTTLE = Decimal("0.045")  # the month's power bill, per bottle made that month
WEEKLY = {0: ("fuel", "24000"), 3: ("transport", "9000")}  # weekday: code, amount at full scale
CLOSING_OFF_BY = ["0", "0", "0", "0", "-10", "20", "-50", "-120", "35"]  # counted − book, rupees
# The cash is counted at the end of each working day of the demo's last weeks only: a closing
# works out the book's balance from the account's opening (twice, for its approval rule and when
# it posts), which at a million lines a year is most of a second, so a year of them would cost
# minutes of the build.
CLOSING_DAYS = 14


@dataclass
class DemoMoney:
    by: User
    approver: User
    scale: float
    rng: random.Random
    start: date
    end: date
    due: dict[date, list[Purchase]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def open_books(self) -> None:
        """The plant's accounts, each taking its method's money: opened on the demo's first day,
        but for the cash, whose book starts with the day-end counts (``CLOSING_DAYS`` before the
        end). A demo plant never banks its cash (the book has no transfers between accounts), so a
        year of cash receipts would be more than a count may hold (``core.bounds.MAX_PRICE``)."""
        self.accounts = {}
        counting_from = max(self.start, self.end - timedelta(days=CLOSING_DAYS - 1))
        for name, kind, method, opening in ACCOUNTS:
            self.accounts[method] = save_account(
                by=self.by,
                name=name,
                kind=kind,
                opening_balance=self._scaled(opening),
                opening_date=counting_from if method == Method.CASH else self.start,
                default_for=method,
            )
        self.categories = {c.code: c for c in ExpenseCategory.objects.filter(is_active=True)}

    def _scaled(self, amount: str) -> Decimal:
        return money(Decimal(amount) * Decimal(str(max(self.scale, 0.02))))

    def _approve(self, document) -> None:
        if document.status == DocumentStatus.PENDING:
            lifecycle.approve(document=document, by=self.approver)

    def bought(self, purchase: Purchase, day: date) -> None:
        """Pay this bill when its supplier's credit days are up (a few days early or late)."""
        days = purchase.supplier.credit_days + self.rng.randint(-3, 7)
        self.due[day + timedelta(days=max(0, days))].append(purchase)

    def pay_suppliers(self, day: date) -> None:
        for purchase in self.due.pop(day, []):
            payment = record_supplier_payment(
                by=self.by,
                supplier=purchase.supplier,
                amount=purchase.total,
                method=Method.BANK,
                allocations=[AllocationInput(purchase=purchase, amount=purchase.total)],
                date=day,
                reference=f"NEFT/{day:%y%m%d}/{purchase.pk}",
            )
            self._approve(payment)
            self.counts["supplier_payments"] += 1

    def spend(self, day: date, *, made_last_month: int, first: bool) -> None:
        """The month's bills on the 1st (for the month before), diesel and transport weekly."""
        if day.day == 1 and not first:
            bills = [(code, self._scaled(amount), tax, method) for code, amount, tax, method in MONTHLY]
            power = money(POWER_PER_BOTTLE * made_last_month)
            if power > 0:
                bills.append(("power", power, "0", Method.BANK))
            for code, amount, tax, method in bills:
                self._expense(day, code, amount, money(amount * Decimal(tax) / 100), method, f"{day:%b %Y}")
        weekly = WEEKLY.get(day.weekday())
        if weekly:
            code, amount = weekly
            spent = money(self._scaled(amount) * Decimal(str(round(self.rng.uniform(0.8, 1.2), 2))))
            self._expense(day, code, spent, Decimal("0"), Method.CASH, f"week of {day:%d %b}")

    def _expense(self, day: date, code: str, amount: Decimal, tax: Decimal, method: str, notes: str) -> None:
        expense = record_expense(
            by=self.by,
            category=self.categories[code],
            amount=amount,
            input_tax=tax,
            method=method,
            date=day,
            notes=notes,
        )
        self._approve(expense)
        self.counts["expenses"] += 1

    def close_cash(self, day: date) -> None:
        """Count the cash at the end of each working day of the last ``CLOSING_DAYS`` (Sundays the
        plant's office is shut)."""
        if day.weekday() == 6 or day <= self.end - timedelta(days=CLOSING_DAYS):
            return
        cash = self.accounts[Method.CASH]
        book = cash_selectors.balance(cash, day)
        counted = max(Decimal("0"), book + Decimal(self.rng.choice(CLOSING_OFF_BY)))
        if counted >= MAX_PRICE:
            return  # two weeks of a very large demo's cash: more than one count may hold
        closing = record_cash_closing(by=self.by, account=cash, counted=counted, date=day)
        self._approve(closing)
        self.counts["closings"] += 1
