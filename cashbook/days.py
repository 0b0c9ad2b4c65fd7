"""Keep ``FlowDay`` (each money flow's sums per day, account named and method) equal to the posted
documents it sums.

``record_posting`` is a lifecycle observer: it runs inside the transaction that posts (+1) or
cancels (−1) a document of a registered flow and adds the document's money to its day's row. The
add is one ``INSERT … ON CONFLICT DO UPDATE SET amount = amount + excluded.amount``: two postings
of one day serialise on the row and neither loses a cent (the ORM's upsert can only overwrite).
``rebuild`` sums every flow afresh (the migration that made the table, and after an import).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum, Value

from cashbook import flows
from cashbook.models import FlowDay

if TYPE_CHECKING:
    from documents.lifecycle import PostingContext

TABLE = FlowDay._meta.db_table
UPSERT = (
    f"INSERT INTO {TABLE} (date, flow, named_account, method, amount, entries) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (date, flow, named_account, method) "
    f"DO UPDATE SET amount = {TABLE}.amount + excluded.amount, entries = {TABLE}.entries + excluded.entries"
)


def _flows_of(model: type) -> list[flows.MoneyFlow]:
    return [flow for flow in flows.flows() if flow.model is model]


def _key(flow: flows.MoneyFlow, document: Any) -> tuple[date, str, int, str]:
    named = getattr(document, flow.account) if flow.account else None
    method = getattr(document, flow.method) if flow.method else ""
    return document.date, flow.name, named or 0, method or ""


def _add(rows: Sequence[tuple[tuple[date, str, int, str], Decimal, int]]) -> None:
    with connection.cursor() as cursor:
        for key, amount, entries in rows:
            cursor.execute(UPSERT, [*key, amount, entries])


def record_posting(posting: PostingContext) -> None:
    """Add (sign +1) or take away (−1) the money of the document just posted or cancelled."""
    document, sign = posting.document, posting.sign
    rows = []
    for flow in _flows_of(type(document)):
        amount = Decimal(getattr(document, flow.amount) or 0)
        if amount:  # a document that moved no money is no entry (e.g. a closing that matched)
            rows.append((_key(flow, document), sign * flow.direction * amount, sign))
    _add(rows)


def record_postings(model: type, ids: Sequence[int], sign: int) -> None:
    """``record_posting`` for many documents of one type posted at once (the bulk paths): one
    grouped read of them, one add per day, account and method."""
    for flow in _flows_of(model):
        for start in range(0, len(ids), 1000):
            _add(
                [
                    (key, sign * amount, sign * n)
                    for key, (amount, n) in _grouped(flow, ids[start : start + 1000])
                ]
            )


def _grouped(flow: flows.MoneyFlow, ids: Sequence[int]):
    docs = flow.model.objects.filter(pk__in=list(ids)).exclude(**{flow.amount: 0}).order_by()
    named = F(flow.account) if flow.account else Value(0)
    method = F(flow.method) if flow.method else Value("")
    rows = (
        docs.annotate(named=named, how=method)
        .values("date", "named", "how")
        .annotate(s=Sum(flow.amount), n=Count("pk"))
    )
    for row in rows:
        yield (
            (row["date"], flow.name, row["named"] or 0, row["how"] or ""),
            (flow.direction * row["s"], row["n"]),
        )


@transaction.atomic
def rebuild() -> None:
    """Sum every flow's posted documents afresh into ``FlowDay``."""
    FlowDay.objects.all().delete()
    FlowDay.objects.bulk_create(
        [
            FlowDay(date=key[0], flow=key[1], named_account=key[2], method=key[3], amount=amount, entries=n)
            for key, (amount, n) in flows.raw_day_sums().items()
        ],
        batch_size=5000,
    )


def differences() -> list[str]:
    """Where ``FlowDay`` differs from a fresh sum of the posted documents; empty when they agree."""
    expected = flows.raw_day_sums()
    stored = {
        (row.date, row.flow, row.named_account, row.method): (row.amount, row.entries)
        for row in FlowDay.objects.all()
        if row.amount or row.entries
    }
    return [
        f"cash book day {key[0].isoformat()} {key[1]} account {key[2] or '-'} {key[3] or '-'}: "
        f"holds {stored.get(key)} but the documents sum to {expected.get(key)}"
        for key in sorted(set(expected) | set(stored), key=str)
        if expected.get(key) != stored.get(key)
    ]
