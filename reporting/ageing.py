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


# Receivables: every posted bill up to the date against the payments made on it, as one hash join
# of two grouped scans. The ORM's form of it (``open_bills`` annotated with a per-bill subquery,
# which ``per_party`` then sums) asks the payments once per bill and once more per bucket: at a
# year of bills that is seconds instead of a fraction of one. A test keeps the two equal.
RECEIVABLES_SQL = """
WITH paid AS (
    SELECT p.sale_id, SUM(p.amount) AS paid
    FROM sales_payment p
    WHERE p.status = 'posted' AND p.sale_id IS NOT NULL AND p.date <= %s
    GROUP BY p.sale_id
),
open_bills AS (
    SELECT b.customer_id, b.date, b.total - COALESCE(paid.paid, 0) AS outstanding
    FROM sales_sale b LEFT JOIN paid ON paid.sale_id = b.id
    WHERE b.status = 'posted' AND b.date <= %s
)
SELECT customer_id,
       SUM(CASE WHEN date > %s THEN outstanding ELSE 0 END),
       SUM(CASE WHEN date <= %s AND date > %s THEN outstanding ELSE 0 END),
       SUM(CASE WHEN date <= %s AND date > %s THEN outstanding ELSE 0 END),
       SUM(CASE WHEN date <= %s THEN outstanding ELSE 0 END)
FROM open_bills
WHERE outstanding > 0
GROUP BY customer_id
"""


def receivables_per_customer(end: date) -> dict[int, dict]:
    """``per_party`` of the customers' open bills at ``end``, in one statement (see above)."""
    from django.db import connection

    d30, d60, d90 = (end - timedelta(days=n) for n in (30, 60, 90))
    with connection.cursor() as cursor:
        cursor.execute(RECEIVABLES_SQL, [end, end, d30, d30, d60, d60, d90, d90])
        rows = cursor.fetchall()
    return {row[0]: {key: money(value) for key, value in zip(KEYS, row[1:], strict=True)} for row in rows}
