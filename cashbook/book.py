"""One reading of the cash book for a period, in a fixed handful of queries whatever the number of
accounts or entries.

- ``read`` asks the kept daily sums (``FlowDay``) once: every account's days up to the period's
  end, grouped by account and flow, the period's days each apart and the days before it folded
  into one bucket per account opening date. Openings, money in and out, the days, the kept counts
  that bound a page and the whole days before a page's first entry all come from that one answer.
- ``pages`` reads pages of entries (one account's at any depth, or every account's first) with one
  UNION ALL over the accounts and flows: each branch reads only its next rows in (date, id) order,
  within the days the kept counts say its page ends by.
- ``earlier_that_day`` sums a page's day's entries before its first one (one query, deep pages
  only), so a page's first balance is the period's opening + the kept whole days + that sum.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Case, CharField, DateField, F, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf

from cashbook import flows
from cashbook.models import Account, FlowDay
from core.money import CENT

ZERO = Decimal("0.00")


def _split(found: dict, key: Any, signed: Decimal) -> None:
    """Add one flow's net sum to ``key``'s money in (when positive) or out (when negative)."""
    entry = found.setdefault(key, {"in": ZERO, "out": ZERO})
    if signed >= 0:
        entry["in"] += signed
    else:
        entry["out"] -= signed


@dataclass
class Kept:
    """The kept daily sums one page of the book reads: ``days`` {(account id or None, flow, date):
    (Σ, entries)} of the period, ``before`` {(account id, bucket): Σ} of the days before it."""

    start: date
    end: date
    accounts: list[Account]
    days: dict[tuple[int | None, str, date], tuple[Decimal, int]] = field(default_factory=dict)
    before: dict[tuple[int | None, date], Decimal] = field(default_factory=dict)

    def _first_day(self, account: Account) -> date:
        return max(self.start, account.opening_date)

    def book(self) -> tuple[list[dict], dict[str, Decimal]]:
        """Per account (by name): opening at the start, money in and out in the period, closing;
        and the money no account takes. Each flow's net over the period counts as in or out."""
        per_flow: dict[tuple[int | None, str], Decimal] = defaultdict(Decimal)
        first = {a.pk: self._first_day(a) for a in self.accounts}
        for (account_id, name, day), (amount, _) in self.days.items():
            if account_id is None or (account_id in first and day >= first[account_id]):
                per_flow[(account_id, name)] += amount
        within: dict[int | None, dict[str, Decimal]] = {}
        for (account_id, _name), amount in sorted(per_flow.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0)):
            _split(within, account_id, amount)
        rows = []
        for account in sorted(self.accounts, key=lambda a: a.name):
            opening = account.opening_balance + sum(
                (
                    amount
                    for (account_id, bucket), amount in self.before.items()
                    if account_id == account.pk and bucket >= account.opening_date
                ),
                ZERO,
            )
            money_in = within.get(account.pk, {}).get("in", ZERO)
            money_out = within.get(account.pk, {}).get("out", ZERO)
            rows.append(
                {
                    "account": account,
                    "opening": opening.quantize(CENT),
                    "in": money_in.quantize(CENT),
                    "out": money_out.quantize(CENT),
                    "closing": (opening + money_in - money_out).quantize(CENT),
                }
            )
        return rows, within.get(None) or {"in": ZERO, "out": ZERO}

    def by_day(self) -> dict[tuple[int | None, date], dict[str, Decimal]]:
        """{(account id, date): {"in": Σ, "out": Σ}} of the period's days with money."""
        found: dict[tuple[int | None, date], dict[str, Decimal]] = {}
        for (account_id, _name, day), (amount, _) in self.days.items():
            _split(found, (account_id, day), amount)
        return found

    def window(self, account_id: int | None, after: date, size: int) -> date | None:
        """The last day a page of ``size`` entries of the account starting on ``after`` may reach:
        the day by which the days after ``after`` hold ``size`` entries (the page ends by then),
        or the period's end; None when the account has no entries from ``after`` on."""
        counts: dict[date, int] = defaultdict(int)
        for (owner, _name, day), (_, entries) in self.days.items():
            if owner == account_id and day >= after and entries:
                counts[day] += entries
        if not counts:
            return None
        seen = 0
        for day in sorted(counts):
            seen += counts[day] if day > after else 0  # the first day's may lie before the page
            if seen >= size:
                return day
        return self.end

    def flows_with_entries(self, account_id: int | None, first: date, last: date) -> set[str]:
        return {
            name
            for (owner, name, day), (_, entries) in self.days.items()
            if owner == account_id and first <= day <= last and entries
        }

    def whole_days(self, account_id: int, first: date, before: date) -> Decimal:
        """Σ the account's kept days from ``first`` up to (not including) ``before``."""
        return sum(
            (
                amount
                for (owner, _name, day), (amount, _) in self.days.items()
                if owner == account_id and first <= day < before
            ),
            ZERO,
        )


def read(start: date, end: date, accounts: list[Account]) -> Kept:
    """The kept sums the period's book needs, in one grouped query (inside ``flows.one_reading``)."""
    kept = Kept(start, end, accounts)
    openings = sorted({a.opening_date for a in accounts if a.opening_date < start}, reverse=True)
    # A day before the period goes to the latest opening date on or before it: an account opened
    # on ``d`` sums the buckets from ``d`` on, which are exactly its days before the period.
    bucket = Case(
        When(date__gte=start, then=F("date")),
        *[When(date__gte=d, then=Value(d)) for d in openings],
        default=Value(None),
        output_field=DateField(),
    )
    named = NullIf(F("named_account"), Value(0), output_field=BigIntegerField())
    grouped = (
        FlowDay.objects.filter(date__gte=min([start, *openings]), date__lte=end)
        .annotate(
            book_account=Coalesce(named, flows.default_account("method"), output_field=BigIntegerField()),
            bucket=bucket,
        )
        .order_by()
        .values("book_account", "flow", "bucket")
        .annotate(s=Sum("amount"), n=Sum("entries"))
        .values_list("book_account", "flow", "bucket", "s", "n")
    )
    for account_id, name, day, amount, entries in grouped:
        if day is None:
            continue
        if day >= start:
            kept.days[(account_id, name, day)] = (amount or ZERO, entries or 0)
        elif account_id is not None:
            kept.before[(account_id, day)] = kept.before.get((account_id, day), ZERO) + (amount or ZERO)
    return kept


@dataclass(frozen=True)
class PageAsked:
    """One account's page (None: the money no account takes): its entries from ``first`` (the
    period's first day of the account's book) after the entry keyed ``after`` (None: from the start)."""

    account_id: int | None
    first: date
    after: tuple | None = None


COLUMNS = ("e_date", "e_flow", "e_id", "e_number", "e_party", "e_method", "book_account", "e_amount")


def _flow_sql(flow: flows.MoneyFlow) -> tuple[str, tuple]:
    """The flow's entries as the page's columns: compiled once a page, then read by every
    account's branch (compiling a query per account and flow cost more than running them)."""
    docs = flows.resolved(flow, None, None).exclude(**{flow.amount: 0})
    blank = Value("", output_field=CharField())
    return (
        docs.annotate(
            e_date=F("date"),
            e_flow=Value(flow.name, output_field=CharField()),
            e_id=F("pk"),
            e_number=F("number"),
            e_party=F(flow.party) if flow.party else blank,
            e_method=F(flow.method) if flow.method else blank,
            e_amount=F(flow.amount),
        )
        .values_list(*COLUMNS)
        .order_by()
        .query.sql_with_params()
    )


def _branch(compiled: tuple[str, tuple], flow: flows.MoneyFlow, asked: PageAsked, last: date, size: int):
    """One account's next ``size`` entries of one flow, in (date, id) order from the flow's index:
    the flow's query with the account, the days and the key around it (the database folds the
    inner query into one scan)."""
    sql, params = compiled
    day = connection.ops.adapt_datefield_value
    where = ["b.book_account IS NULL" if asked.account_id is None else "b.book_account = %s"]
    values = [] if asked.account_id is None else [asked.account_id]
    where.append("b.e_date >= %s AND b.e_date <= %s")
    values += [day(asked.first), day(last)]
    if asked.after is not None:  # the book's order after the key, as ``flows.beyond`` says it
        key_day, name, pk = asked.after
        mine, theirs = (flow.day_end, flow.name), (flows.by_name(name).day_end, name)
        if mine == theirs:
            where.append("(b.e_date > %s OR (b.e_date = %s AND b.e_id > %s))")
            values += [day(key_day), day(key_day), pk]
        else:
            where.append("b.e_date >= %s" if mine > theirs else "b.e_date > %s")
            values.append(day(key_day))
    branch = f"SELECT * FROM ({sql}) AS b WHERE {' AND '.join(where)} ORDER BY b.e_date, b.e_id LIMIT %s"
    return f"SELECT * FROM ({branch}) AS p", (*params, *values, size)


def _union(branches: list[tuple[str, tuple]]) -> list[tuple]:
    """The rows of every branch, in one UNION ALL."""
    if not branches:
        return []
    sql = " UNION ALL ".join(part for part, _ in branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _, params in branches for value in params])
        return cursor.fetchall()


def pages(kept: Kept, asked: list[PageAsked], size: int) -> dict[int | None, list[dict[str, Any]]]:
    """{account id: up to ``size`` of its entries in the book's order} for every page asked, from
    one query."""
    branches, compiled = [], {}
    for one in asked:
        from_day = one.after[0] if one.after is not None else one.first
        last = kept.window(one.account_id, from_day, size)
        if last is None:
            continue
        present = kept.flows_with_entries(one.account_id, from_day, last)
        for flow in flows.flows():
            if flow.name in present:
                if flow.name not in compiled:
                    compiled[flow.name] = _flow_sql(flow)
                branches.append(_branch(compiled[flow.name], flow, one, last, size))
    found: dict[int | None, list[dict[str, Any]]] = {one.account_id: [] for one in asked}
    by_name = {flow.name: flow for flow in flows.flows()}
    for day, name, pk, number, party, method, account_id, amount in _union(branches):
        flow = by_name[name]
        day = date.fromisoformat(day) if isinstance(day, str) else day  # SQLite gives text
        found[account_id].append(
            {
                "date": day,
                "flow": flow.label,
                "flow_name": name,
                "id": pk,
                "number": number,
                "party": party or "",
                "method": method or "",
                "account_id": account_id,
                "amount": flow.direction
                * (amount if isinstance(amount, Decimal) else Decimal(str(amount)).quantize(CENT)),
            }
        )
    for rows in found.values():
        rows.sort(key=flows.book_order)
        del rows[size:]
    return found


def earlier_that_day(account_id: int, before: tuple) -> Decimal:
    """Σ the account's entries on the day of the entry keyed ``before`` that come before it in the
    book's order: one UNION ALL of each flow's sum."""
    day = before[0]
    branches = []
    for flow in flows.flows():
        docs = flows.of_account(flows.resolved(flow, day, day).exclude(**{flow.amount: 0}), account_id)
        docs = docs.filter(flows.beyond(flow, before, after=False)).order_by()
        branches.append(
            docs.annotate(e_flow=Value(flow.name, output_field=CharField()))
            .values("e_flow")
            .annotate(s=Sum(flow.amount))
            .values_list("e_flow", "s")
        )
    head, *rest = branches
    rows = list(head.union(*rest, all=True)) if rest else list(head)
    by_name = {flow.name: flow for flow in flows.flows()}
    return sum((by_name[name].direction * Decimal(s) for name, s in rows if s is not None), ZERO)
