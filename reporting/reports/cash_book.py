"""The cash book: money in and out of each account (cash, each bank, UPI), with running balances.

Every money flow registered with ``cashbook.flows`` is read (customer payments in; supplier
payments, expenses with their tax and refunds out; day-end differences either way). Opening =
the account's opening balance + its entries before the period; closing = opening + in − out.

Balances and the days come from the kept daily sums of each flow (``cashbook.flows``). The
entries of one account come a page at a time, in the book's order; a page's first balance is the
period's opening + the kept sums of the whole days before it + that day's earlier entries, so a
deep page costs what the first one does.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from cashbook import book as cash_reading
from cashbook import flows
from cashbook.models import Account, CashClosing
from core import keyset
from documents.models import DocumentStatus
from reporting.charts import bar_chart
from reporting.periods import Period
from reporting.tables import Column, Report, Table, money

PAGE = 100  # entries of one account on a page
CURSOR_SALT = "cash-book"


def build(period: Period, account: Account | None = None, after: str = "", on_page: bool = False) -> Report:
    """``on_page``: the screen's version, which shows a period longer than a month by month (with a
    link to each month's page) instead of by day; the print view and the exports keep every day."""
    accounts = list(Account.objects.all())
    with flows.one_reading(accounts):
        report = _build(period, accounts, account, after)
    if on_page and period.days > ENTRIES_UP_TO_DAYS:
        days = report.table("days")
        report.tables[report.tables.index(days)] = _by_month(days, period, account)
    return report


def _build(period: Period, accounts: list[Account], account: Account | None, after: str) -> Report:
    start, end = period.start, period.end
    names = {a.pk: a.name for a in accounts}
    kept = cash_reading.read(start, end, accounts)
    book, lost = kept.book()
    account_rows = [
        {
            "account": row["account"].name,
            "kind": row["account"].get_kind_display(),
            "opening": row["opening"],
            "money_in": row["in"],
            "money_out": row["out"],
            "closing": row["closing"],
        }
        for row in book
    ]
    if lost["in"] or lost["out"]:
        account_rows.append(
            {
                "account": "No account",
                "kind": "",
                "opening": None,
                "money_in": money(lost["in"]),
                "money_out": money(lost["out"]),
                "closing": None,
            }
        )
    zero = money(0)
    totals = {
        "account": "Total",
        "kind": "",
        **{
            key: sum((r[key] for r in account_rows if r[key] is not None), zero)
            for key in ("opening", "money_in", "money_out", "closing")
        },
    }
    opening = {row["account"].pk: row["opening"] for row in book}
    opened = {a.pk: a.opening_date for a in accounts}
    day_rows = _days(kept, names, opened, opening, account.pk if account is not None else ...)
    options: dict[str, str] = {}
    if account is not None:
        entry_rows, following = _account_page(kept, period, account, opening.get(account.pk), after)
        entries_title = f"Entries of {account.name}, {PAGE} at a time"
        if following:
            options["next_page"] = following
    else:
        entry_rows = _entries(kept, period, accounts, opening) if period.days <= ENTRIES_UP_TO_DAYS else []
        entries_title = (
            f"Entries (for a period of up to {ENTRIES_UP_TO_DAYS} days, the first {PAGE} of each account; "
            "choose an account for all of them)"
        )
    closings = (
        CashClosing.objects.filter(status=DocumentStatus.POSTED, date__gte=start, date__lte=end)
        .select_related("account")
        .order_by("date", "account__name")
    )
    closing_rows = [
        {
            "date": c.date,
            "number": c.number,
            "account": c.account.name,
            "expected": c.expected,
            "counted": c.counted,
            "difference": c.difference,
        }
        for c in closings
    ]
    return Report(
        name="cash-book",
        title="Cash book",
        period=period,
        options=options,
        notes=[
            "Money in: customer payments. Money out: supplier payments, expenses (with their tax) and "
            "refunds. A day-end closing books the difference between the cash counted and the book.",
            "Money moved without an account is booked to the account kept for its method; "
            "'No account' shows money for which there is none.",
        ],
        tables=[
            Table(
                "accounts",
                "Per account",
                [
                    Column("account", "Account"),
                    Column("kind", "Kind"),
                    Column("opening", "Opening", "money"),
                    Column("money_in", "In", "money"),
                    Column("money_out", "Out", "money"),
                    Column("closing", "Closing", "money"),
                ],
                account_rows,
                totals,
            ),
            Table(
                "days",
                "By day",
                [
                    Column("account", "Account"),
                    Column("date", "Date", "date"),
                    Column("money_in", "In", "money"),
                    Column("money_out", "Out", "money"),
                    Column("balance", "Balance at day end", "money"),
                ],
                day_rows,
            ),
            Table(
                "entries",
                entries_title,
                [
                    Column("account", "Account"),
                    Column("date", "Date", "date"),
                    Column("what", "Entry"),
                    Column("number", "Number"),
                    Column("party", "From / to"),
                    Column("method", "Method"),
                    Column("money_in", "In", "money"),
                    Column("money_out", "Out", "money"),
                    Column("balance", "Balance", "money"),
                ],
                entry_rows,
            ),
            Table(
                "closings",
                "Day-end closings",
                [
                    Column("date", "Date", "date"),
                    Column("number", "Number"),
                    Column("account", "Account"),
                    Column("expected", "Book said", "money"),
                    Column("counted", "Counted", "money"),
                    Column("difference", "Difference", "money"),
                ],
                closing_rows,
            ),
        ],
        charts=[
            bar_chart(
                "Closing balance by account",
                [r["account"].name[:12] for r in book],
                [r["closing"] for r in book],
            )
        ],
    )


# Every account's entries for a period up to a month, each account's first page of them (choosing
# an account pages through the rest); a longer one shows the days (one row per account and day
# with money), so a year's page stays a few thousand rows at most.
ENTRIES_UP_TO_DAYS = 31


def _entries(kept: cash_reading.Kept, period: Period, accounts: list[Account], opening: dict) -> list[dict]:
    """Each account's first page and the first page of the money no account takes, in one query."""
    ordered = sorted(accounts, key=lambda a: a.name)
    asked = [
        cash_reading.PageAsked(a.pk, max(period.start, a.opening_date))
        for a in ordered
        if max(period.start, a.opening_date) <= period.end
    ]
    found = cash_reading.pages(kept, [*asked, cash_reading.PageAsked(None, period.start)], PAGE)
    rows = []
    for account in ordered:
        balance = opening.get(account.pk, account.opening_balance)
        rows += _with_balances(account, found.get(account.pk, []), balance)
    for entry in found[None]:  # money no account takes
        rows.append({**_row(entry, money(entry["amount"])), "account": "No account", "balance": None})
    return rows


def _with_balances(account: Account, page: list[dict], balance: Decimal) -> list[dict]:
    rows = []
    for entry in page:
        amount = money(entry["amount"])
        balance += amount
        rows.append({"account": account.name, **_row(entry, amount), "balance": money(balance)})
    return rows


def _row(entry: dict, amount: Decimal) -> dict:
    return {
        "date": entry["date"],
        "what": entry["flow"],
        "number": entry["number"],
        "party": entry["party"],
        "method": entry["method"],
        "money_in": amount if amount > 0 else None,
        "money_out": -amount if amount < 0 else None,
    }


def cursor_for(entry: dict) -> str:
    """The signed cursor of the page after ``entry``."""
    day, flow, pk = flows.page_key(entry)
    return keyset.sign(CURSOR_SALT, [day.isoformat(), flow, pk])


def _key(token: str) -> tuple | None:
    """The key a signed cursor carries; None (the first page) when it does not verify."""
    values = keyset.unsign(CURSOR_SALT, token) if token else None
    try:
        day, flow, pk = values
        if flow not in {f.name for f in flows.flows()}:
            return None
        return (date.fromisoformat(day), str(flow), int(pk))
    except (TypeError, ValueError):
        return None


def _account_page(kept: cash_reading.Kept, period: Period, account: Account, opening, after: str):
    """One page of the account's entries in the period with running balances, and the cursor of
    the page after it (None at the end)."""
    first = max(period.start, account.opening_date)  # nothing before the account's book starts
    if first > period.end:
        return [], None
    key = _key(after)
    if key is not None and not first <= key[0] <= period.end:
        key = None  # a cursor of another period: this one's first page
    page = cash_reading.pages(kept, [cash_reading.PageAsked(account.pk, first, key)], PAGE)[account.pk]
    balance = opening if opening is not None else account.opening_balance
    if page and key is not None:
        head = flows.page_key(page[0])
        balance += kept.whole_days(account.pk, first, head[0])
        balance += cash_reading.earlier_that_day(account.pk, head)
    rows = _with_balances(account, page, balance)
    return rows, (cursor_for(page[-1]) if len(page) == PAGE else None)


def _days(kept: cash_reading.Kept, names, opened, opening, only=...) -> list[dict]:
    """One row per account and day with money (of the account ``only`` when one is chosen)."""
    running: dict[int | None, Decimal] = dict(opening)
    rows = []
    sums = kept.by_day()
    for account_id, day in sorted(sums, key=lambda k: (names.get(k[0], "~"), k[1])):
        if only is not ... and account_id != only:
            continue
        if account_id in opened and day < opened[account_id]:
            continue  # before the account's book starts
        entry = sums[(account_id, day)]
        balance = None
        if account_id in running:
            running[account_id] += entry["in"] - entry["out"]
            balance = money(running[account_id])
        rows.append(
            {
                "account": names.get(account_id, "No account"),
                "date": day,
                "money_in": money(entry["in"]),
                "money_out": money(entry["out"]),
                "balance": balance,
            }
        )
    return rows


def _by_month(days: Table, period: Period, account: Account | None) -> Table:
    """The day rows folded into one row per account and month: its money in and out and the
    balance at its last day with money, linked to the month's own page (which lists each day).

    A year's page listed every account's every day (over a thousand rows) where the owner reads
    the months and opens the one to look into; the days stay in the print view and the exports."""
    address = reverse("reporting:cash-book")
    months: dict[tuple[str, int, int], dict] = {}
    for row in days.rows:
        day = row["date"]
        key = (row["account"], day.year, day.month)
        month = months.get(key)
        if month is None:
            first = max(period.start, day.replace(day=1))
            last = min(period.end, day.replace(day=calendar.monthrange(day.year, day.month)[1]))
            query = {"start": first.isoformat(), "end": last.isoformat()}
            if account is not None:
                query["account"] = account.pk
            label = f"{calendar.month_name[day.month]} {day.year}"
            month = months[key] = {
                "account": row["account"],
                "month": label,
                "month_links": [(label, f"{address}?{urlencode(query)}")],
                "money_in": row["money_in"],
                "money_out": row["money_out"],
                "balance": row["balance"],
            }
            continue
        month["money_in"] += row["money_in"]
        month["money_out"] += row["money_out"]
        month["balance"] = row["balance"]
    return Table(
        "months",
        "By month (each day in the month's page, the print view and the exports)",
        [
            Column("account", "Account"),
            Column("month", "Month", "link"),
            Column("money_in", "In", "money"),
            Column("money_out", "Out", "money"),
            Column("balance", "Balance at month end", "money"),
        ],
        list(months.values()),
    )
