"""Send report reads to a read replica when REPORTING_DATABASE_URL is set.

Reports run their queries inside ``reading_replica()``; everything else, and every write, stays on
the primary. Without a replica configured the context manager does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings

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
