"""Each posted run's kept outcome (``RunOutcome``) holds the run's bottles, rejects and conversion
cost, from posting one at a time or in bulk until it is cancelled; ``differences()`` finds one that
drifted and ``rebuild()`` restores them. The run medians and the machine trend read only these."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F

from documents import lifecycle
from production import bulk
from production.models import ProductionRun
from production.services import RejectLine
from reporting import summaries
from reporting.models import RunOutcome
from reporting.reports import exceptions
from reporting.tests.test_exceptions import clean, planted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _outcomes() -> dict[int, tuple]:
    return {
        o.run_id: (
            o.date,
            o.machine,
            o.shift,
            o.product_id,
            o.created_by_id,
            o.runs,
            o.good,
            o.rejected,
            o.conversion,
        )
        for o in RunOutcome.objects.all()
    }


def _expected() -> dict[int, tuple]:
    """What each run that was ever posted should have kept, from the runs and their rejects."""
    kept = {}
    for run in ProductionRun.objects.exclude(posted_at=None).prefetch_related("rejects"):
        standing = run.status == "posted"
        figures = (run.good_quantity, run.reject_quantity, run.conversion_cost) if standing else (0, 0, 0)
        kept[run.pk] = (
            run.date,
            run.machine,
            run.shift,
            run.product_id,
            run.created_by_id,
            int(standing),
            *figures,
        )
    return kept


def test_runs_posted_one_at_a_time_in_bulk_and_cancelled_keep_their_outcomes(planted, plant, manager_user):  # noqa: F811
    day = planted["period"].end - timedelta(days=1)
    with transaction.atomic():
        made = bulk.post_runs(
            by=manager_user,
            date=day,
            runs=[
                bulk.BulkRun(
                    product=plant.bottle,
                    good_quantity=900 + n,
                    machine="BM-7",
                    shift="night",
                    rejects=[RejectLine("thin_wall", 20 + n), RejectLine("burst", 5)],
                    conversion_cost=Decimal("150.00"),
                )
                for n in range(3)
            ],
        )
    standing = ProductionRun.objects.filter(status="posted").exclude(pk__in=[r.pk for r in made]).first()
    lifecycle.cancel(document=standing, by=manager_user, reason="entered on the wrong machine")

    assert _outcomes() == _expected()
    assert _outcomes()[made[0].pk][5:] == (1, 900, 25, Decimal("150.00"))
    assert _outcomes()[standing.pk][5:] == (0, 0, 0, Decimal("0.00"))
    assert summaries.differences() == []


def test_a_drifted_outcome_is_found_and_rebuilt(planted):  # noqa: F811
    before = _outcomes()
    run_id = next(pk for pk, row in before.items() if row[5] == 1)
    RunOutcome.objects.filter(pk=run_id).update(rejected=F("rejected") + 7)
    problems = summaries.exception_fact_differences()
    assert len(problems) == 1 and problems[0].startswith(f"{RunOutcome._meta.db_table} ('{run_id}'")
    summaries.rebuild()
    assert _outcomes() == before
    assert summaries.differences() == []


def test_the_medians_and_the_trend_read_only_the_kept_outcomes(planted):  # noqa: F811
    """A run's rejects changed under the kept outcome (as no service does) move neither the
    medians nor the trend: they read the outcomes, not the rejects."""
    period = planted["period"]

    def trend():
        return exceptions.build(period).table("yield-trend").rows

    medians, before = exceptions.run_outliers(period), trend()
    assert medians.total and before  # the planted month has an outlier and a trend to move
    run = ProductionRun.objects.filter(status="posted").first()
    run.rejects.update(quantity=F("quantity") + 500)
    assert exceptions.run_outliers(period) == medians
    assert trend() == before
