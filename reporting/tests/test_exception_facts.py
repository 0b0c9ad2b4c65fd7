"""Threshold splitting and cancellations per person read kept facts (``SplitBandDay`` and its
customers' and creators' days, ``DocumentDay``) that postings keep: they find exactly what the old
pass over the period's documents finds, after single and bulk bills, cancellations, rejections and
waiting documents, and after a change of the limit (read from the documents until the facts are
rebuilt)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from documents import lifecycle
from reporting import summaries
from reporting.models import DocumentDay, SplitBand, SplitBandDay, SplitCreatorDay, SplitCustomerDay
from reporting.periods import Period
from reporting.reports import exceptions
from reporting.tests.test_exceptions import clean, planted  # noqa: F401 (fixtures)
from sales import bulk
from sales.lines import SaleLineInput
from sales.models import Customer, Sale
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def facts(planted, plant, staff_user, manager_user, owner_user):  # noqa: F811 (the imported fixture)
    """The planted month, its facts summed, then more posted on top through the posting paths: bills
    of many sizes by two people for several customers on a few days (one cancelled), a day's bulk
    bills, a rejected and a waiting bill, a cancelled payment."""
    summaries.rebuild()
    end = planted["period"].end
    customers = list(Customer.objects.order_by("pk"))
    for n, quantity in enumerate((100, 250, 400, 520, 610, 700, 900, 150, 330, 480, 560, 640)):
        bill = plant.sell(
            staff_user if n % 2 else manager_user,
            (plant.bottle, quantity, "5.00"),
            customer=customers[n % len(customers)],
            date=end - timedelta(days=2 + n % 3),
        )
        if n in (4, 9):
            lifecycle.cancel(document=bill, by=manager_user, reason="entered twice")
    with transaction.atomic():
        bulk.post_bills(
            by=manager_user,
            date=end - timedelta(days=3),
            bills=[
                bulk.BulkBill(customers[i % len(customers)], [SaleLineInput(plant.bottle, q, D("5.00"))])
                for i, q in enumerate((500, 560, 610, 90, 620))
            ],
        )
    big = plant.sell(staff_user, (plant.bottle, 1500, "5.00"), date=end - timedelta(days=2))
    lifecycle.reject(document=big, by=owner_user, reason="too many")
    plant.sell(staff_user, (plant.bottle, 1400, "5.00"), date=end - timedelta(days=4))  # waits
    paid = record_payment(by=staff_user, customer=customers[0], amount=D("100.00"), method="cash", date=end)
    lifecycle.cancel(document=paid, by=manager_user, reason="bounced")
    return planted


def _read_facts(queries) -> bool:
    tables = (SplitCustomerDay._meta.db_table, SplitCreatorDay._meta.db_table)
    return any(table in q["sql"] for q in queries.captured_queries for table in tables)


def test_postings_keep_the_facts_equal_to_the_documents(facts):
    assert SplitBand.objects.count() == 1
    assert SplitBandDay.objects.filter(bills__gt=0).exists()
    assert SplitCreatorDay.objects.filter(customers__gte=2).exists()
    assert DocumentDay.objects.filter(cancelled__gt=0).exists()
    assert summaries.exception_fact_differences() == []
    assert summaries.differences() == []


@pytest.mark.parametrize(("limit", "share"), [("5000", "50"), ("3200", "50"), ("2500", "10"), ("6000", "40")])
def test_threshold_splitting_from_the_facts_equals_the_pass_over_the_bills(facts, settings, limit, share):
    settings.EXCEPTION_MAX_ROWS = 1000
    settings.APPROVAL_THRESHOLD = D(limit)
    settings.EXCEPTION_SPLIT_SHARE = D(share)
    if (limit, share) != ("5000", "50"):
        summaries.rebuild()  # the facts for the new band
    period = facts["period"]
    with CaptureQueriesContext(connection) as queries:
        kept = exceptions.threshold_splitting(period)
    assert _read_facts(queries)
    raw = exceptions.threshold_splitting(period, kept=False)
    assert raw.total > 0
    assert (kept.total, kept.findings) == (raw.total, raw.findings)
    # The digest's count and a short page say the same.
    settings.EXCEPTION_MAX_ROWS = 2
    assert exceptions.threshold_splitting(period) == exceptions.threshold_splitting(period, kept=False)
    counts = exceptions.findings_by_check(period.start, period.end)
    assert counts["threshold-split"] == raw.total


def test_a_changed_limit_is_read_from_the_bills_until_the_facts_are_rebuilt(
    facts, settings, plant, staff_user
):
    settings.EXCEPTION_MAX_ROWS = 1000
    period = facts["period"]
    settings.APPROVAL_THRESHOLD = D("3200")
    with CaptureQueriesContext(connection) as queries:
        found = exceptions.threshold_splitting(period)
    assert not _read_facts(queries)
    assert found == exceptions.threshold_splitting(period, kept=False)
    # Posting under the changed setting still adds to the kept band's facts: none drift.
    customer = Customer.objects.order_by("pk").first()
    plant.sell(staff_user, (plant.bottle, 480, "5.00"), customer=customer, date=period.end)
    assert summaries.exception_fact_differences() == []
    summaries.rebuild()
    assert summaries.kept_split_band() == (D("1600"), D("3200"))
    with CaptureQueriesContext(connection) as queries:
        again = exceptions.threshold_splitting(period)
    assert _read_facts(queries)
    assert again == exceptions.threshold_splitting(period, kept=False)


def test_a_creators_day_counts_a_customer_once_and_drops_them_with_their_last_bill(
    facts, plant, staff_user, manager_user
):
    """A creator's day counts the customers their band bills are for: a second bill for the same
    customer adds a bill but no customer, and cancelling both takes the customer away again."""
    day = facts["period"].end - timedelta(days=1)
    customer = Customer.objects.order_by("pk").first()

    def creators_day():
        row = SplitCreatorDay.objects.filter(date=day, created_by=staff_user).first()
        return (row.customers, row.bills, row.total) if row else (0, 0, D("0.00"))

    before = creators_day()
    bills = [
        plant.sell(staff_user, (plant.bottle, quantity, "5.00"), customer=customer, date=day)
        for quantity in (500, 600)  # each 2,500–3,000 with tax: in the default band, under the limit
    ]
    customers, count, total = creators_day()
    assert (customers, count) == (before[0] + 1, before[1] + 2)
    assert total == before[2] + sum(bill.total for bill in bills)
    lifecycle.cancel(document=bills[0], by=manager_user, reason="entered twice")
    assert creators_day()[:2] == (before[0] + 1, before[1] + 1)
    lifecycle.cancel(document=bills[1], by=manager_user, reason="entered twice")
    assert creators_day() == before
    assert summaries.exception_fact_differences() == []


def test_a_drifted_fact_is_reported(facts):
    row = SplitBandDay.objects.filter(bills__gt=0).first()
    SplitBandDay.objects.filter(pk=row.pk).update(bills=row.bills + 1)
    DocumentDay.objects.filter(pk=DocumentDay.objects.first().pk).update(posted=99)
    creators = SplitCreatorDay.objects.filter(customers__gt=0).first()
    SplitCreatorDay.objects.filter(pk=creators.pk).update(customers=creators.customers + 1)
    problems = summaries.exception_fact_differences()
    assert len(problems) == 3
    assert any(SplitCreatorDay._meta.db_table in p for p in problems)
    from inventory.verification import verify_ledger

    assert any(SplitBandDay._meta.db_table in p for p in verify_ledger())


@pytest.mark.parametrize("days", [1, 3, 10, 40])
def test_undone_counts_from_the_facts_equal_the_pass_over_the_documents(facts, days):
    end = facts["period"].end
    start = end - timedelta(days=days - 1)
    kept = exceptions.undone_by_person(start, end)
    assert kept == exceptions.undone_by_person(start, end, kept=False)
    assert sum(r["cancelled"] for r in kept.values()) >= (2 if days >= 3 else 0)


@pytest.mark.parametrize(("minimum", "factor"), [(1, "1"), (2, "1.5"), (1, "0")])
def test_undone_documents_from_the_facts_equal_the_pass_over_the_documents(facts, settings, minimum, factor):
    settings.EXCEPTION_UNDONE_MIN = minimum
    settings.EXCEPTION_UNDONE_FACTOR = D(factor)
    period = Period(facts["period"].end - timedelta(days=6), facts["period"].end)
    kept = exceptions.undone_documents(period)
    assert kept == exceptions.undone_documents(period, kept=False)
    assert kept.total > 0


def test_a_bulk_day_of_bills_is_counted_once(facts):
    day = facts["period"].end - timedelta(days=3)
    bulk_bills = Sale.objects.filter(date=day, status="posted")
    counted = DocumentDay.objects.filter(date=day, document="sales.sale")
    assert sum(r.posted - r.cancelled for r in counted) == bulk_bills.count()
