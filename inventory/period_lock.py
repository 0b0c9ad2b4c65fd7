"""The lock that makes closing a period atomic against postings in flight (DESIGN §4, Time).

A posting reads "is this date in a closed period?" and then writes; a close writes the boundary.
Without a lock between them a posting that read "open" just before the close committed would
commit after it, dated inside the period it closed. So every posting and cancellation takes this
lock *shared* (postings never wait on each other) before it reads the boundary, and a close or a
reopen takes it *exclusively*: the close waits for every posting already past its check to commit,
and postings that come later wait for the close, then read the new boundary and are refused.

PostgreSQL: a transaction-level advisory lock on one key, released at commit or rollback. The
boundary must be read in a statement *after* the lock is granted (READ COMMITTED takes a fresh
snapshot per statement), so it costs a posting one extra statement. Lock order: this lock comes
before any stock, document-number or other row lock a posting takes, so a queued close can never
sit in a wait cycle with postings. SQLite runs every write transaction one at a time
(``transaction_mode=IMMEDIATE``), so there is nothing to take there.
"""

from __future__ import annotations

from django.db import connection

# One key in PostgreSQL's database-wide advisory lock space: "BtlPrd" in ASCII.
PERIOD_LOCK_KEY = 0x42746C507264


def share() -> None:
    """Taken by every posting and cancellation before it checks the period (shared, re-entrant)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [PERIOD_LOCK_KEY])


def hold_exclusively() -> None:
    """Taken by a close or reopen: waits for postings in flight, holds new ones until commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PERIOD_LOCK_KEY])
