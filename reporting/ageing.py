"""Ageing per bill: each open bill's outstanding at a date, put in the bucket of its age.

Used by the receivables (customer bills) and payables (supplier bills) ageing alike. A bill's
outstanding at the end of ``end`` is its total less the payments against it dated up to then;
money held on account belongs to no bill and is shown beside the buckets, so
owed = Σ buckets − on account.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When

from reporting.tables import money

BUCKETS = [("days_0_30", "0–30 days"), ("days_31_60", "31–60 days"), ("days_61_90", "61–90 days")]
OVER_90 = ("days_over_90", "Over 90 days")
KEYS = [key for key, _ in BUCKETS] + [OVER_90[0]]
MONEY = DecimalField(max_digits=14, decimal_places=2)


def bucket_of(bill_date: date, end: date) -> str:
    days = (end - bill_date).days
    if days <= 30:
        return "days_0_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"


def _bucket_conditions(end: date) -> dict[str, Q]:
    d30, d60, d90 = (end - timedelta(days=n) for n in (30, 60, 90))
    return {
        "days_0_30": Q(date__gt=d30),
        "days_31_60": Q(date__lte=d30, date__gt=d60),
        "days_61_90": Q(date__lte=d60, date__gt=d90),
        "days_over_90": Q(date__lte=d90),
    }


def per_party(open_bills: QuerySet, party: str, end: date) -> dict[int, dict]:
    """{party id: {bucket: Σ outstanding of its open bills of that age}} in one grouped query.

    ``open_bills`` are annotated with ``outstanding`` (> 0) and filtered to ``date <= end``.
    """
    zero = Value(0, output_field=MONEY)
    sums = {
        key: Sum(Case(When(condition, then=F("outstanding")), default=zero, output_field=MONEY))
        for key, condition in _bucket_conditions(end).items()
    }
    rows = open_bills.order_by().values(party).annotate(**sums)
    return {row[party]: {key: money(row[key]) for key in KEYS} for row in rows}
