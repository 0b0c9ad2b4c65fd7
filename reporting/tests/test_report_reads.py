"""Reports are built with their statements planned for their own dates and not compiled, on the
connection the postings share: the settings last as long as the report and no longer."""

import pytest
from django.db import connection

from reporting.routers import report_reads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _planning() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('plan_cache_mode'), current_setting('jit'), "
            "current_setting('max_parallel_workers_per_gather')"
        )
        return cursor.fetchone()


def test_a_report_plans_each_statement_for_its_dates_and_leaves_the_connection_as_it_was():
    before = _planning()
    assert before[0] == "auto"
    with report_reads():
        assert _planning() == ("force_custom_plan", "off", "0")
    assert _planning() == before


def test_a_report_that_fails_leaves_the_connection_as_it_was():
    before = _planning()
    with pytest.raises(ZeroDivisionError), report_reads():
        1 / 0  # noqa: B018 (the report's error)
    assert _planning() == before
    assert not connection.in_atomic_block
