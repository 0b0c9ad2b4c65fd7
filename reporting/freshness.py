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
from weakref import WeakKeyDictionary

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


class _Bump:
    """The one bump of a transaction: every change in it schedules this object on commit (a change
    inside a savepoint that rolls back takes its own schedule away with it), and it bumps once."""

    __slots__ = ("done", "__weakref__")

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            _bump()


# Each connection's bump for its open transaction (Django's connections are per thread).
_pending: WeakKeyDictionary[Any, _Bump] = WeakKeyDictionary()


def changes_pending() -> bool:
    """Whether this connection's open transaction holds changes whose bump waits for the commit.

    It may answer yes for a transaction whose only changes were rolled back to a savepoint, or
    one begun right after a rolled-back one: then the dashboard is computed afresh rather than
    cached, never served stale.
    """
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _pending.pop(connection, None)
        return False
    bump = _pending.get(connection)
    return bump is not None and not bump.done


def mark_changed(*args: Any, **kwargs: Any) -> None:
    """Raise the data version when the current transaction commits (at once outside one).

    Takes and ignores any arguments, so it serves directly as a signal receiver or a posting
    observer.
    """
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _pending.pop(connection, None)
        _bump()
        return
    bump = _pending.get(connection)
    if bump is None or bump.done:
        bump = _pending[connection] = _Bump()
    transaction.on_commit(bump, using=DEFAULT_DB_ALIAS)


def current_version() -> int | None:
    """The committed data version, read where the dashboard reads its figures; None without the row."""
    alias = router.db_for_read(DataVersion) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT version FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    return None if row is None else row[0]
