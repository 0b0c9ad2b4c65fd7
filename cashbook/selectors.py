"""Balances of the cash book: an account's opening balance plus the sum of its entries.

Entries dated before an account's opening date are before its book started and are left out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cashbook import book as cash_reading
from cashbook import flows
from cashbook.models import Account
from core.money import CENT


def _net(sums: dict, account_id: int) -> Decimal:
    entry = sums.get(account_id)
    return (entry["in"] - entry["out"]) if entry else Decimal("0.00")


def balance(account: Account, upto: date) -> Decimal:
    """The account's balance at the end of ``upto``."""
    if upto < account.opening_date:
        return account.opening_balance
    sums = flows.sums_by_account(account.opening_date, upto)
    return (account.opening_balance + _net(sums, account.pk)).quantize(CENT)


def book(start: date, end: date, accounts: list[Account] | None = None) -> list[dict]:
    return book_and_unbooked(start, end, accounts)[0]


def book_and_unbooked(
    start: date, end: date, accounts: list[Account] | None = None
) -> tuple[list[dict], dict[str, Decimal]]:
    """Per account: opening at the start of ``start``, money in and out in the dates, closing;
    and the money no account takes. One query of the kept sums, whatever the accounts' opening dates."""
    accounts = list(Account.objects.all()) if accounts is None else accounts
    return cash_reading.read(start, end, accounts).book()


def unbooked(start: date | None, end: date | None) -> dict[str, Decimal]:
    """Money moved in the dates that no account takes (no account named, none kept for its method)."""
    entry = flows.sums_by_account(start, end).get(None)
    return entry or {"in": Decimal("0.00"), "out": Decimal("0.00")}


def differences() -> list[str]:
    """verify_ledger's check: each account's balance (one grouped sum) equals its opening balance
    plus the sum of its entries listed one by one."""
    problems = []
    today = date.max
    for account in Account.objects.all():
        listed = sum(
            (e["amount"] for e in flows.entries(account.opening_date, None, account.pk)), Decimal("0.00")
        )
        stored = balance(account, today) - account.opening_balance
        if listed.quantize(CENT) != stored:
            problems.append(f"account {account}: balance moves {stored} but its entries sum to {listed}")
    return problems
