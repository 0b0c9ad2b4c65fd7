"""Send report reads to a read replica when REPORTING_DATABASE_URL is set.

Reports run their queries inside ``reading_replica()``; everything else, and every write, stays on
the primary. Without a replica configured the context manager does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

_reporting: ContextVar[bool] = ContextVar("reporting_reads", default=False)

ALIAS = "reporting"


def replica_configured() -> bool:
    return ALIAS in settings.DATABASES


@contextlib.contextmanager
def reading_replica() -> Iterator[None]:
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


# How a report's statements are planned on PostgreSQL. Each is planned for its own dates: the
# connections prepare the statements they repeat (``prepare_threshold``, for the postings), and
# after five runs PostgreSQL may keep a generic plan made without the dates, which reads a year
# where the dates ask for a day (a count of payments on account: 11 → 90 ms at five million bill
# lines). None is compiled: JIT costs 60–100 ms a statement, more than the summaries take. And none
# starts parallel workers: a report reads summaries and indexes of a few thousand rows, and
# starting two workers cost 15 ms where the reads took 3.5 (the exceptions' entry counts).
REPORT_PLANNING = {
    "plan_cache_mode": "force_custom_plan",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}
# ``set_config(…, true)`` is ``SET LOCAL``: all of them in one statement, one round trip.
PLANNING_SQL = "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in REPORT_PLANNING)


@contextlib.contextmanager
def report_reads() -> Iterator[None]:
    """Build a report: ``reading_replica()``, and on PostgreSQL inside a read transaction on each
    connection the report reads (the primary for plain SQL, the replica if one is configured) whose
    statements are planned as ``REPORT_PLANNING`` says. A local setting ends with the transaction, so a
    kept connection goes back to the postings as it was."""
    from reporting.models import StockDay

    with contextlib.ExitStack() as stack:
        stack.enter_context(reading_replica())
        # The primary (plain SQL runs there) and wherever the routers now send the ORM's reads.
        for alias in dict.fromkeys([DEFAULT_DB_ALIAS, router.db_for_read(StockDay)]):
            connection = connections[alias]
            if connection.vendor != "postgresql":
                continue
            stack.enter_context(transaction.atomic(using=alias))
            with connection.cursor() as cursor:
                cursor.execute(PLANNING_SQL, list(REPORT_PLANNING.values()))
        yield


class ReportingRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and replica_configured():
            return ALIAS
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary; migrations run on the primary only.
        return db != ALIAS
