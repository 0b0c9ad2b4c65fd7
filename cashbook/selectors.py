"""Balances of the cash book: an account's opening balance plus the sum of its entries.

Entries dated before an account's opening date are before its book started and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

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
    """Per account: opening at the start of ``start``, money in and out in the dates, closing."""
    accounts = list(Account.objects.all()) if accounts is None else accounts
    by_opening: dict[date, list[Account]] = defaultdict(list)
    for account in accounts:
        by_opening[account.opening_date].append(account)
    rows = []
    period_sums = flows.sums_by_account(start, end)  # for money no account takes, and the
    # accounts opened on or before the start (the usual case: one go-live date)
    for opened, group in by_opening.items():
        before = flows.sums_by_account(opened, start - timedelta(days=1)) if start > opened else {}
        if opened <= start:
            within = period_sums
        else:
            within = flows.sums_by_account(opened, end) if end >= opened else {}
        for account in group:
            opening = account.opening_balance + _net(before, account.pk)
            money_in = within.get(account.pk, {}).get("in", Decimal("0.00"))
            money_out = within.get(account.pk, {}).get("out", Decimal("0.00"))
            rows.append(
                {
                    "account": account,
                    "opening": opening.quantize(CENT),
                    "in": money_in.quantize(CENT),
                    "out": money_out.quantize(CENT),
                    "closing": (opening + money_in - money_out).quantize(CENT),
                }
            )
    rows.sort(key=lambda r: r["account"].name)
    unbooked = period_sums.get(None) or {"in": Decimal("0.00"), "out": Decimal("0.00")}
    return rows, unbooked


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
