"""A version number of the data the dashboard shows, shared by every process through the database.

Whatever may change a dashboard figure calls ``mark_changed()``; the version goes up once the change
is committed. A cached dashboard is keyed by the version it was computed at, so a request that reads
a newer version never sees the older figures. No Redis is needed: the version is one row
(``reporting.DataVersion``), bumped with ``UPDATE … SET version = version + 1`` and read with one
indexed ``SELECT``.

The bump runs after the commit (``transaction.on_commit``), once per transaction however many rows
it changed, so concurrent postings do not queue on the version row while holding their stock locks;
a transaction that rolls back bumps nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction

from reporting.models import DataVersion

log = logging.getLogger(__name__)

TABLE = DataVersion._meta.db_table
ROW = 1


def _bump() -> None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET version = version + 1 WHERE id = %s", [ROW])
    except DatabaseError:
        # The change itself is committed; a missed bump only leaves the cache until its timeout.
        log.exception("could not raise the data version")


def changes_pending() -> bool:
    """Whether this connection's open transaction holds changes whose bump waits for the commit.

    Django drops the callback when the transaction (or the savepoint that scheduled it) rolls
    back, so a rolled-back change never keeps a later one from scheduling its own bump.
    """
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        return False
    return any(callback is _bump for _sids, callback, _robust in connection.run_on_commit)


def mark_changed(*args: Any, **kwargs: Any) -> None:
    """Raise the data version when the current transaction commits (at once outside one).

    Takes and ignores any arguments, so it serves directly as a signal receiver or a posting
    observer.
    """
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _bump()
    elif not changes_pending():
        transaction.on_commit(_bump, using=DEFAULT_DB_ALIAS)


def current_version() -> int | None:
    """The committed data version, read where the dashboard reads its figures; None without the row."""
    alias = router.db_for_read(DataVersion) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT version FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    return None if row is None else row[0]
