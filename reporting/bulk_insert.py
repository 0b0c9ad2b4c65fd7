"""Insert many new rows, each with its "created" history row, as fast as the database allows.

``seed_demo`` writes a million bill lines; Django's ``bulk_create`` spends most of that time
building SQL. On PostgreSQL this takes ids from the table's sequence and streams the rows (and
their simple-history rows) with COPY; elsewhere it is ``bulk_create_with_history``. Either way each
object ends with its id set and exactly one history row ("+", by ``by``, now).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.bulk_copy import copy_rows, insert_new


def insert_with_history(model: type[Model], objects: Sequence[Model], *, by: User) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(list(objects), model, batch_size=2000, default_user=by)
        return
    insert_new(model, objects)
    add_history(model, objects, by=by)


def add_history(model: type[Model], objects: Sequence[Model], *, by: User) -> None:
    """One "created" history row per object (already saved), as simple-history would write it."""
    if connection.vendor != "postgresql":
        model.history.bulk_history_create(list(objects), default_user=by, batch_size=2000)
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    special = {
        "history_date": timezone.now(),
        "history_user_id": by.pk,
        "history_type": "+",
        "history_change_reason": None,
    }
    rows = [
        [special[f.attname] if f.attname in special else getattr(obj, f.attname) for f in fields]
        for obj in objects
    ]
    copy_rows(history, rows, [f.column for f in fields])
