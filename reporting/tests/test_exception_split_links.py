"""Threshold splitting reads its groups' documents without a window over them and counts without
reading groups out, and the findings' links are built from one reversed address per page: it finds
exactly what a plain pass over every document of the period finds, at any limit."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from documents import lifecycle
from documents.models import DocumentStatus
from purchasing.models import Purchase
from reporting.periods import Period
from reporting.reports import exceptions
from reporting.tests.test_exceptions import clean, planted  # noqa: F401 (fixtures)
from sales.models import Sale

pytestmark = pytest.mark.django_db
D = Decimal


def _every_split(period: Period, limit: Decimal, share: Decimal) -> list[tuple]:
    """The split groups as a pass over every posted document of the period finds them."""
    floor = limit * share / 100
    found = []
    for model, party in ((Sale, "customer_id"), (Purchase, "supplier_id")):
        docs = [
            d
            for d in model.objects.filter(status=DocumentStatus.POSTED)
            if period.start <= d.date <= period.end and floor <= d.total <= limit
        ]
        for key in (party, "created_by_id"):
            groups: dict[tuple, list] = defaultdict(list)
            for d in docs:
                groups[(getattr(d, key), d.date)].append(d)
            for (_k, day), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
                together = sum(d.total for d in members)
                parties = {getattr(d, party) for d in members}
                if len(members) < 2 or together <= limit:
                    continue
                if key == "created_by_id" and len(parties) < 2:
                    continue
                numbers = sorted(members, key=lambda d: d.pk)[: exceptions.LINKS_PER_FINDING]
                found.append((day, frozenset(d.number for d in numbers)))
    return found


@pytest.fixture
def splits(planted, plant, staff_user, manager_user):  # noqa: F811 (the imported fixture)
    """The planted month with bills of many sizes on a few days, for several customers, one of
    them cancelled: splits appear and vanish as the limit and the share move."""
    end = planted["period"].end
    customers = list({s.customer for s in Sale.objects.all()})
    for n, quantity in enumerate((100, 250, 400, 520, 610, 700, 900, 150, 330, 480)):
        bill = plant.sell(
            staff_user,
            (plant.bottle, quantity, "5.00"),
            customer=customers[n % len(customers)],
            date=end - timedelta(days=2 + n % 3),
        )
        if n == 4:
            lifecycle.cancel(document=bill, by=manager_user, reason="entered twice")
    return planted


@pytest.mark.parametrize("limit", ["1000", "2500", "3200", "5000", "9000"])
@pytest.mark.parametrize("share", ["10", "50", "90"])
def test_threshold_splitting_finds_what_a_pass_over_every_bill_finds(splits, settings, limit, share):
    settings.APPROVAL_THRESHOLD = D(limit)
    settings.EXCEPTION_SPLIT_SHARE = D(share)
    settings.EXCEPTION_MAX_ROWS = 1000
    period = splits["period"]
    expected = _every_split(period, D(limit), D(share))
    found = exceptions.threshold_splitting(period)
    assert found.total == len(expected)
    got = [(f.day, frozenset(n for n, _u in f.documents)) for f in found.findings]
    assert sorted(got, key=str) == sorted(expected, key=str)
    # The digest's count reads no group out and says the same.
    assert exceptions.findings_by_check(period.start, period.end)["threshold-split"] == len(expected)


def test_threshold_splitting_counts_all_and_shows_the_first(splits, settings):
    settings.APPROVAL_THRESHOLD = D("2500")
    settings.EXCEPTION_SPLIT_SHARE = D("10")
    every = exceptions.threshold_splitting(splits["period"])
    assert every.total >= 3
    settings.EXCEPTION_MAX_ROWS = 2
    capped = exceptions.threshold_splitting(splits["period"])
    assert capped.total == every.total
    assert len(capped.findings) == 2


def test_links_are_the_addresses_reverse_gives(splits):
    """Every finding's link is its document's page, as ``reverse()`` makes it (the report fills
    one reversed address per page with the document's id)."""
    linked = 0
    for found in exceptions.run_checks(splits["period"]).values():
        for finding in found.findings:
            for number, url in finding.documents:
                model = next(m for m in exceptions.PAGES if m.objects.filter(number=number).exists())
                pk = model.objects.get(number=number).pk
                assert url == reverse(exceptions.PAGES[model][0], args=[pk])
                linked += 1
    assert linked >= 8
