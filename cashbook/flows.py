"""The registry of money flows: every kind of document that moves money into or out of an account.

Each document app registers its flow (``register``) with a function that returns its posted
documents as a queryset; the cash book reads every flow the same way: date, number, party,
method, account, amount, signed by the flow's direction. A document without an account is booked
to the account kept for its method (``Account.default_for``); resolving that is done in the
database, so balances are one grouped sum per flow.

Nothing here stores a balance: an account's balance is its opening balance plus the sum of its
entries, always, so it can never drift from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Case, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from cashbook.models import Account

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
    # Rows of money moved outside querysets (a module that only offers a function); each a dict
    # with date, number, party, method, account_id, amount. Used instead of ``documents``.
    rows: Callable[[date, date], list[dict[str, Any]]] | None = None


_FLOWS: dict[str, MoneyFlow] = {}


def register(flow: MoneyFlow) -> None:
    _FLOWS[flow.name] = flow


def flows() -> list[MoneyFlow]:
    return list(_FLOWS.values())


def _default_account(method_field: str):
    """The account kept for the document's method, as a CASE over the few methods that have one
    (a per-row subquery would be asked once for every payment of the year)."""
    defaults = Account.objects.exclude(default_for=None).values_list("default_for", "pk")
    whens = [When(**{method_field: method}, then=Value(pk)) for method, pk in defaults]
    if not whens:
        return Value(None, output_field=BigIntegerField())
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def resolved(flow: MoneyFlow, start: date | None, end: date | None) -> QuerySet:
    """The flow's documents annotated with ``book_account`` (named, or the method's default)."""
    docs = flow.documents(start, end)
    if flow.method:
        return docs.annotate(
            book_account=Coalesce(
                F("account_id"), _default_account(flow.method), output_field=BigIntegerField()
            )
        )
    return docs.annotate(book_account=F("account_id"))


def _extra_rows(flow: MoneyFlow, start: date | None, end: date | None) -> list[dict[str, Any]]:
    rows = flow.rows(start or date.min, end or date.max) if flow.rows else []
    defaults = dict(Account.objects.exclude(default_for=None).values_list("default_for", "pk"))
    for row in rows:
        row.setdefault("account_id", None)
        if row["account_id"] is None:
            row["account_id"] = defaults.get(row.get("method"))
    return rows


def sums_by_account(start: date | None, end: date | None) -> dict[int | None, dict[str, Decimal]]:
    """{account id (None: no account found): {"in": Σ, "out": Σ}} of every flow in the dates."""
    found: dict[int | None, dict[str, Decimal]] = {}

    def add(account_id: int | None, signed: Decimal) -> None:
        entry = found.setdefault(account_id, {"in": Decimal("0.00"), "out": Decimal("0.00")})
        if signed >= 0:
            entry["in"] += signed
        else:
            entry["out"] -= signed

    for flow in flows():
        if flow.rows is not None:
            for row in _extra_rows(flow, start, end):
                add(row["account_id"], flow.direction * Decimal(row["amount"]))
            continue
        grouped = resolved(flow, start, end).order_by().values("book_account").annotate(s=Sum(flow.amount))
        for row in grouped:
            add(row["book_account"], flow.direction * Decimal(row["s"] or 0))
    return found


def sums_by_account_day(start: date, end: date) -> dict[tuple[int | None, date], dict[str, Decimal]]:
    """{(account id, date): {"in": Σ, "out": Σ}} of every flow in the dates: one grouped sum per flow."""
    found: dict[tuple[int | None, date], dict[str, Decimal]] = {}

    def add(key: tuple[int | None, date], signed: Decimal) -> None:
        entry = found.setdefault(key, {"in": Decimal("0.00"), "out": Decimal("0.00")})
        if signed >= 0:
            entry["in"] += signed
        else:
            entry["out"] -= signed

    for flow in flows():
        if flow.rows is not None:
            for row in _extra_rows(flow, start, end):
                add((row["account_id"], row["date"]), flow.direction * Decimal(row["amount"]))
            continue
        grouped = (
            resolved(flow, start, end).order_by().values("book_account", "date").annotate(s=Sum(flow.amount))
        )
        for row in grouped:
            add((row["book_account"], row["date"]), flow.direction * Decimal(row["s"] or 0))
    return found


def entries(start: date | None, end: date | None, account_id: int | None = ...) -> list[dict[str, Any]]:
    """Every entry in the dates (of one account when given), oldest first: date, flow, number,
    party, method, account id, signed amount."""
    rows: list[dict[str, Any]] = []
    for flow in flows():
        if flow.rows is not None:
            for row in _extra_rows(flow, start, end):
                if account_id is ... or row["account_id"] == account_id:
                    rows.append(
                        {**row, "flow": flow.label, "amount": flow.direction * Decimal(row["amount"])}
                    )
            continue
        docs = resolved(flow, start, end)
        if account_id is not ...:
            docs = (
                docs.filter(book_account=account_id)
                if account_id is not None
                else docs.filter(book_account=None)
            )
        fields = ["date", "number", "book_account", flow.amount, "posted_at"]
        if flow.party:
            fields.append(flow.party)
        if flow.method:
            fields.append(flow.method)
        for row in docs.order_by("date", "posted_at", "pk").values(*fields):
            rows.append(
                {
                    "date": row["date"],
                    "flow": flow.label,
                    "number": row["number"],
                    "party": row.get(flow.party, "") if flow.party else "",
                    "method": row.get(flow.method, "") if flow.method else "",
                    "account_id": row["book_account"],
                    "amount": flow.direction * Decimal(row[flow.amount]),
                    "posted_at": row["posted_at"],
                }
            )
    rows.sort(key=lambda r: (r["date"], str(r.get("posted_at") or ""), r["number"] or ""))
    return rows
