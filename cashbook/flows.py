"""The registry of money flows: every kind of document that moves money into or out of an account.

Each document app registers its flow (``register``) with a function that returns its posted
documents as a queryset; the cash book reads every flow the same way: date, number, party,
method, account, amount, signed by the flow's direction. A document without an account is booked
to the account kept for its method (``Account.default_for``); resolving that is done in the
database, when read.

No balance is stored: an account's balance is its opening balance plus the sum of its entries.
Balances over many days read the daily sums of each flow (``FlowDay``), kept by ``cashbook.days``
in the transaction that posts or cancels each document and checked against the documents by
verify_ledger; the entries themselves are read from the documents, a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf

from cashbook.models import Account, FlowDay
from core.money import CENT

IN, OUT = 1, -1


@dataclass(frozen=True)
class MoneyFlow:
    name: str
    label: str
    direction: int  # IN (+1) or OUT (−1); a flow whose amount carries its own sign uses IN
    # Posted documents of this flow, dated within [start, end] (either may be None: unbounded).
    documents: Callable[[date | None, date | None], QuerySet]
    amount: str = "amount"  # the field holding the money that moved
    party: str = ""  # the path of the party's name ("customer__name"), or "" for none
    method: str = "method"  # the field holding the method; "" when the flow has none
    account: str = "account_id"  # the field naming the account; "" when the flow names none
    # The document type whose posting and cancelling move this money (``cashbook.days`` keeps the
    # daily sums as they do); ``documents`` returns posted ones of this type.
    model: type | None = None
    # Booked after the day's other money (a day-end closing counts what the day left).
    day_end: bool = False


_FLOWS: dict[str, MoneyFlow] = {}


def register(flow: MoneyFlow) -> None:
    _FLOWS[flow.name] = flow


def flows() -> list[MoneyFlow]:
    return list(_FLOWS.values())


# Within ``one_reading`` the accounts kept for each method are read once: a report asks for them
# in every flow's query, and each asking is a round trip.
_DEFAULTS: ContextVar[list[tuple[str, int]] | None] = ContextVar("cash_book_defaults", default=None)


@contextmanager
def one_reading(accounts: list[Account] | None = None) -> Iterator[None]:
    """Read the accounts kept for each method once (from ``accounts`` when the caller has them all)."""
    if accounts is None:
        defaults = list(Account.objects.exclude(default_for=None).values_list("default_for", "pk"))
    else:
        defaults = [(a.default_for, a.pk) for a in accounts if a.default_for]
    token = _DEFAULTS.set(defaults)
    try:
        yield
    finally:
        _DEFAULTS.reset(token)


# A typed NULL: PostgreSQL reads a bare ``COALESCE(NULL, NULL)`` as text, which then cannot be
# compared with an account id.
NO_ACCOUNT = Cast(Value(None), output_field=BigIntegerField())


def _default_account(method_field: str):
    """The account kept for the document's method, as a CASE over the few methods that have one
    (a per-row subquery would be asked once for every payment of the year)."""
    defaults = _DEFAULTS.get()
    if defaults is None:
        defaults = Account.objects.exclude(default_for=None).values_list("default_for", "pk")
    whens = [When(**{method_field: method}, then=Value(pk)) for method, pk in defaults]
    if not whens:
        return NO_ACCOUNT
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def _named(flow: MoneyFlow):
    return F(flow.account) if flow.account else NO_ACCOUNT


def resolved(flow: MoneyFlow, start: date | None, end: date | None) -> QuerySet:
    """The flow's documents annotated with ``book_account`` (named, or the method's default)."""
    docs = flow.documents(start, end)
    if flow.method:
        return docs.annotate(
            book_account=Coalesce(_named(flow), _default_account(flow.method), output_field=BigIntegerField())
        )
    return docs.annotate(book_account=_named(flow))


def _kept(start: date | None, end: date | None) -> QuerySet:
    """The kept daily sums (``FlowDay``) in the dates, each with its ``book_account``."""
    days = FlowDay.objects.all()
    if start is not None:
        days = days.filter(date__gte=start)
    if end is not None:
        days = days.filter(date__lte=end)
    named = NullIf(F("named_account"), Value(0), output_field=BigIntegerField())
    return days.annotate(
        book_account=Coalesce(named, _default_account("method"), output_field=BigIntegerField())
    )


def _split(found: dict, key: Any, signed: Decimal) -> None:
    """Add one flow's net sum to ``key``'s money in (when positive) or out (when negative)."""
    entry = found.setdefault(key, {"in": Decimal("0.00"), "out": Decimal("0.00")})
    if signed >= 0:
        entry["in"] += signed
    else:
        entry["out"] -= signed


def sums_by_account(start: date | None, end: date | None) -> dict[int | None, dict[str, Decimal]]:
    """{account id (None: no account found): {"in": Σ, "out": Σ}} of every flow in the dates,
    from the kept daily sums: one grouped query, whatever the number of documents."""
    found: dict[int | None, dict[str, Decimal]] = {}
    grouped = _kept(start, end).order_by().values("flow", "book_account").annotate(s=Sum("amount"))
    for row in sorted(grouped, key=lambda r: (r["flow"], r["book_account"] or 0)):
        _split(found, row["book_account"], Decimal(row["s"] or 0))
    return found


def sums_by_account_day(start: date, end: date) -> dict[tuple[int | None, date], dict[str, Decimal]]:
    """{(account id, date): {"in": Σ, "out": Σ}} of every flow in the dates, from the kept sums."""
    found: dict[tuple[int | None, date], dict[str, Decimal]] = {}
    grouped = _kept(start, end).order_by().values("flow", "book_account", "date").annotate(s=Sum("amount"))
    for row in grouped:
        _split(found, (row["book_account"], row["date"]), Decimal(row["s"] or 0))
    return found


def raw_day_sums() -> dict[tuple[date, str, int, str], tuple[Decimal, int]]:
    """{(date, flow, named account or 0, method): (signed Σ, entries)} summed afresh from every
    flow's posted documents: what ``FlowDay`` must hold (verify_ledger compares them)."""
    found: dict[tuple[date, str, int, str], tuple[Decimal, int]] = {}
    for flow in flows():
        docs = flow.documents(None, None).exclude(**{flow.amount: 0}).order_by()
        named = _named(flow)
        method = F(flow.method) if flow.method else Value("")
        grouped = (
            docs.annotate(named=named, how=method)
            .values("date", "named", "how")
            .annotate(s=Sum(flow.amount), n=Count("pk"))
        )
        for row in grouped:
            key = (row["date"], flow.name, row["named"] or 0, row["how"] or "")
            found[key] = ((flow.direction * Decimal(row["s"])).quantize(CENT), row["n"])
    return found


def _entry_fields(flow: MoneyFlow) -> list[str]:
    fields = ["pk", "date", "number", "book_account", flow.amount, "posted_at"]
    if flow.party:
        fields.append(flow.party)
    if flow.method:
        fields.append(flow.method)
    return fields


def _entry(flow: MoneyFlow, row: dict) -> dict[str, Any]:
    return {
        "date": row["date"],
        "flow": flow.label,
        "flow_name": flow.name,
        "id": row["pk"],
        "number": row["number"],
        "party": row.get(flow.party, "") if flow.party else "",
        "method": row.get(flow.method, "") if flow.method else "",
        "account_id": row["book_account"],
        "amount": flow.direction * Decimal(row[flow.amount]),
        "posted_at": row["posted_at"],
    }


def _of_account(docs: QuerySet, account_id: int | None) -> QuerySet:
    return docs.filter(book_account=account_id) if account_id is not None else docs.filter(book_account=None)


def entries(start: date | None, end: date | None, account_id: int | None = ...) -> list[dict[str, Any]]:
    """Every entry in the dates (of one account when given), oldest first: date, flow, number,
    party, method, account id, signed amount."""
    rows: list[dict[str, Any]] = []
    for flow in flows():
        docs = resolved(flow, start, end).exclude(**{flow.amount: 0})
        if account_id is not ...:
            docs = _of_account(docs, account_id)
        rows += [_entry(flow, row) for row in docs.order_by("date", "pk").values(*_entry_fields(flow))]
    rows.sort(key=_order)
    return rows


def _rank(flow: MoneyFlow) -> tuple[bool, str]:
    return (flow.day_end, flow.name)


def _order(entry: dict[str, Any]) -> tuple:
    """The book's order: by date; within a day flow by flow (a day-end closing last), each in
    the order its documents were made. Each flow reads its next rows straight from its (date,
    id) index, so a page costs the same at any depth."""
    flow = _FLOWS[entry["flow_name"]]
    return (entry["date"], flow.day_end, flow.name, entry["id"])


def page_key(entry: dict[str, Any]) -> tuple:
    """(date, flow name, id): where a page ends and the next begins."""
    return (entry["date"], entry["flow_name"], entry["id"])


def _beyond(flow: MoneyFlow, key: tuple, *, after: bool) -> Q:
    """``flow``'s documents after (or before) the entry keyed ``key`` in the book's order."""
    day, name, pk = key
    mine, theirs = _rank(flow), _rank(_FLOWS[name])
    if after:
        later = Q(date__gt=day)
        same_day = Q(date=day, pk__gt=pk) if mine == theirs else Q(date=day) if mine > theirs else None
    else:
        later = Q(date__lt=day)
        same_day = Q(date=day, pk__lt=pk) if mine == theirs else Q(date=day) if mine < theirs else None
    return later | same_day if same_day is not None else later


def entries_page(
    account_id: int | None, start: date, end: date, after: tuple | None, size: int
) -> list[dict[str, Any]]:
    """Up to ``size`` entries of one account in the dates, in the book's order, after the key
    (``page_key``) of the previous page's last entry: each flow reads only its next ``size`` rows
    in (date, id) order, however deep the page."""
    rows: list[dict[str, Any]] = []
    windows = _windows(account_id, after[0] if after is not None else start, end, size)
    for flow in flows():
        if flow.name not in windows:
            continue  # the kept sums say this flow has nothing more for the account
        docs = _of_account(resolved(flow, start, windows[flow.name]).exclude(**{flow.amount: 0}), account_id)
        if after is not None:
            docs = docs.filter(_beyond(flow, after, after=True))
        ordered = docs.order_by("date", "pk").values(*_entry_fields(flow))[:size]
        rows += [_entry(flow, row) for row in ordered]
    rows.sort(key=_order)
    return rows[:size]


def _windows(account_id: int | None, start: date, end: date, size: int) -> dict[str, date]:
    """{flow name: the last date the page may need} from the kept daily counts of entries: the
    day by which the flow has ``size`` entries for the account after ``start``'s own (a page ends
    within it), or ``end``. A flow with none is left out, so its documents are not read at all."""
    kept = _kept(start, end).filter(book_account=account_id) if account_id is not None else None
    if kept is None:
        kept = _kept(start, end).filter(book_account=None)
    counts = kept.order_by().values("flow", "date").annotate(n=Sum("entries")).filter(n__gt=0)
    windows: dict[str, date] = {}
    seen: dict[str, int] = {}
    for row in sorted(counts, key=lambda r: (r["flow"], r["date"])):
        name = row["flow"]
        if name in windows and seen[name] >= size:
            continue
        # The first day's entries may lie before the page's key: count them as well as ``size``.
        seen[name] = seen.get(name, 0) + (row["n"] if row["date"] > start else 0)
        windows[name] = row["date"] if seen[name] >= size else end
    return windows


def sums_before(account_id: int, start: date, before: tuple) -> Decimal:
    """Σ one account's entries from ``start`` up to (not including) the entry keyed ``before``:
    the kept daily sums of the whole days before its day, then that day's earlier documents."""
    day = before[0]
    whole_days = sums_by_account(start, day - timedelta(days=1)).get(account_id) if day > start else None
    total = (whole_days["in"] - whole_days["out"]) if whole_days else Decimal("0.00")
    for flow in flows():
        docs = _of_account(resolved(flow, day, day).exclude(**{flow.amount: 0}), account_id)
        docs = docs.filter(_beyond(flow, before, after=False))
        total += flow.direction * Decimal(docs.aggregate(s=Sum(flow.amount))["s"] or 0)
    return total


# The pieces ``cashbook.book`` reads a whole page from, in one query over every flow.
default_account = _default_account
of_account = _of_account
beyond = _beyond
book_order = _order


def by_name(name: str) -> MoneyFlow:
    return _FLOWS[name]
