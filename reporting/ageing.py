"""Ageing per bill: each open bill's outstanding at a date, put in the bucket of its age.

Used by the receivables (customer bills) and payables (supplier bills) ageing alike. A bill's
outstanding at the end of ``end`` is its total less the payments against it dated up to then;
money held on account belongs to no bill and is shown beside the buckets, so
owed = Σ buckets − on account.

A bill whose credit notes leave it paid above what it now asks (a return on a bill already paid)
is settled, not negative: it ages nothing, and the excess is the customer's credit (``CREDIT``),
money on account like a payment without a bill. The kept per-bill figure stays signed, so a later
cancellation (of the payment or the note) moves it back exactly; the split is made when read.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When

from reporting.tables import money

BUCKETS = [("days_0_30", "0–30 days"), ("days_31_60", "31–60 days"), ("days_61_90", "61–90 days")]
OVER_90 = ("days_over_90", "Over 90 days")
KEYS = [key for key, _ in BUCKETS] + [OVER_90[0]]
CREDIT = "credit"  # Σ what the party's bills were paid or credited above their totals
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


def _cutoffs(end: date) -> tuple[date, date, date]:
    """The last dates of the 31–60, 61–90 and over-90 buckets: a bill exactly 30 days old is in
    0–30, as ``bucket_of`` and the labels say."""
    return tuple(end - timedelta(days=n) for n in (31, 61, 91))


def _bucket_conditions(end: date) -> dict[str, Q]:
    d30, d60, d90 = _cutoffs(end)
    return {
        "days_0_30": Q(date__gt=d30),
        "days_31_60": Q(date__lte=d30, date__gt=d60),
        "days_61_90": Q(date__lte=d60, date__gt=d90),
        "days_over_90": Q(date__lte=d90),
    }


def per_party(open_bills: QuerySet, party: str, end: date) -> dict[int, dict]:
    """{party id: {bucket: Σ outstanding of its open bills of that age}} in one grouped query.

    ``open_bills`` are annotated with ``outstanding`` (not 0) and filtered to ``date <= end``; a
    negative one is settled and counts in ``CREDIT``.
    """
    zero = Value(0, output_field=MONEY)
    sums = {
        key: Sum(
            Case(
                When(condition & Q(outstanding__gt=0), then=F("outstanding")),
                default=zero,
                output_field=MONEY,
            )
        )
        for key, condition in _bucket_conditions(end).items()
    }
    sums[CREDIT] = Sum(
        Case(When(outstanding__lt=0, then=-F("outstanding")), default=zero, output_field=MONEY)
    )
    rows = open_bills.order_by().values(party).annotate(**sums)
    return {row[party]: {key: money(row[key]) for key in (*KEYS, CREDIT)} for row in rows}


# The open bills (customer_id, date, outstanding) summed by customer and bucket: each bill is put in
# one bucket (a settled one, paid above its total, in the credit) and added once, where a sum per
# bucket would add every bill five times (a year's open bills are tens of thousands). Buckets are
# numbered as ``_SUMMED``.
BUCKETS_SQL = """
SELECT customer_id,
       CASE WHEN outstanding < 0 THEN 4 WHEN date > %s THEN 0 WHEN date > %s THEN 1
            WHEN date > %s THEN 2 ELSE 3 END,
       SUM(outstanding)
FROM open_bills
WHERE outstanding <> 0
GROUP BY 1, 2
"""
_SUMMED = (*KEYS, CREDIT)

# Receivables from the rows themselves: every posted bill up to the date against the payments and
# credit notes made on it, as one hash join of grouped scans. It reads every bill and payment ever
# posted, so the report reads the kept figure instead (``RECEIVABLES_SQL`` below); tests hold this
# one, the ORM's form of it (``open_bills`` summed by ``per_party``) and the kept one equal.
RECEIVABLES_RAW_SQL = (
    """
WITH settled AS (
    SELECT x.sale_id, SUM(x.amount) AS amount FROM (
        SELECT p.sale_id, p.amount FROM sales_payment p
        WHERE p.status = 'posted' AND p.sale_id IS NOT NULL AND p.date <= %s
        UNION ALL
        SELECT r.sale_id, r.total - r.refund FROM returns_salesreturn r
        WHERE r.status = 'posted' AND r.date <= %s
    ) x GROUP BY x.sale_id
),
open_bills AS (
    SELECT b.customer_id, b.date, b.total - COALESCE(settled.amount, 0) AS outstanding
    FROM sales_sale b LEFT JOIN settled ON settled.sale_id = b.id
    WHERE b.status = 'posted' AND b.date <= %s
)
"""
    + BUCKETS_SQL
)

# Receivables from the kept figure (``reporting.models.BillOutstanding``, what each bill owes
# today): the bills open today, through the partial index, plus back what was paid or credited
# after the date on the bills dated up to it. A year-long report that ends today reads only the
# open bills; one that ends earlier reads the payments and credit notes since its end as well.
RECEIVABLES_SQL = (
    """
WITH later AS (
    SELECT x.sale_id, SUM(x.amount) AS amount FROM (
        SELECT p.sale_id, p.amount FROM sales_payment p
        WHERE p.status = 'posted' AND p.sale_id IS NOT NULL AND p.date > %s
        UNION ALL
        SELECT r.sale_id, r.total - r.refund FROM returns_salesreturn r
        WHERE r.status = 'posted' AND r.date > %s
    ) x GROUP BY x.sale_id
),
open_bills AS (
    -- each bill once: open today (plus what came in after the date), or settled today but open then
    SELECT o.customer_id, o.date, o.outstanding + COALESCE(later.amount, 0) AS outstanding
    FROM reporting_billoutstanding o LEFT JOIN later ON later.sale_id = o.sale_id
    WHERE o.outstanding <> 0 AND o.date <= %s
    UNION ALL
    SELECT o.customer_id, o.date, later.amount
    FROM later JOIN reporting_billoutstanding o ON o.sale_id = later.sale_id
    WHERE o.outstanding = 0 AND o.date <= %s
)
"""
    + BUCKETS_SQL
)


# The same when nothing was paid or credited after the date (a report that ends today, the usual
# case): the open bills' kept figures alone, read from the covering partial index without a join.
# ``outstanding <> 0`` is said once, in ``BUCKETS_SQL``: said here too, PostgreSQL took the two
# for independent and expected a fifteenth of the open bills, and read every bill in parallel
# instead of the index (200 ms against 40 at five million bill lines).
RECEIVABLES_NOTHING_LATER_SQL = (
    """
WITH open_bills AS (
    SELECT o.customer_id, o.date, o.outstanding
    FROM reporting_billoutstanding o
    WHERE o.date <= %s
)
"""
    + BUCKETS_SQL
)

# The last dates anything was paid or credited on a bill: one backward probe of each status-and-date
# index. Without parameters, so a prepared plan can not turn into one that reads every payment.
LAST_SETTLED_SQL = """
SELECT (SELECT MAX(p.date) FROM sales_payment p WHERE p.status = 'posted' AND p.sale_id IS NOT NULL),
       (SELECT MAX(r.date) FROM returns_salesreturn r WHERE r.status = 'posted')
"""


def _receivables(sql: str, end: date, leading: int) -> dict[int, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, [end] * leading + list(_cutoffs(end)))
        rows = cursor.fetchall()
    zero = money(0)
    found: dict[int, dict] = {}
    for customer_id, bucket, amount in rows:
        into = found.setdefault(customer_id, dict.fromkeys(_SUMMED, zero))
        # The credit is what the settled bills were paid above their totals: a positive figure.
        into[_SUMMED[bucket]] = money(-amount if _SUMMED[bucket] == CREDIT else amount)
    return found


def receivables_per_customer(end: date) -> dict[int, dict]:
    """``per_party`` of the customers' open bills at ``end``, from the kept per-bill figure."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(LAST_SETTLED_SQL)
        last_dates = cursor.fetchone()
    # SQLite answers a date as its text.
    last = [date.fromisoformat(day) if isinstance(day, str) else day for day in last_dates]
    if all(day is None or day <= end for day in last):
        return _receivables(RECEIVABLES_NOTHING_LATER_SQL, end, 1)
    return _receivables(RECEIVABLES_SQL, end, 4)


def receivables_from_rows(end: date) -> dict[int, dict]:
    """The same from every bill, payment and credit note (to check the kept figure against)."""
    return _receivables(RECEIVABLES_RAW_SQL, end, 3)
