"""Insert many new rows, each with its "created" history row, as fast as the database allows.

``seed_demo`` writes a million bill lines; Django's ``bulk_create`` spends most of that time
building SQL. On PostgreSQL this takes ids from the table's sequence and streams the rows (and
their simple-history rows) with COPY; elsewhere it is ``bulk_create`` and simple-history's own
bulk history. Either way each object ends with its id set and exactly one history row ("+", by
``by``). ``at``: each object's moment of entry, for its history row (and its ``created_at``, which
the object may carry already); now when not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from config.bulk_copy import copy_rows, insert_new


def _created_fields(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]


def insert_with_history(
    model: type[Model], objects: Sequence[Model], *, by: User, at: Sequence[datetime] | None = None
) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        # bulk_create stamps every creation time with now: put back the ones the objects carried.
        stamped = _created_fields(model)
        kept = [[getattr(obj, name) for name in stamped] for obj in objects]
        model.objects.bulk_create(list(objects), batch_size=2000)
        if any(value for values in kept for value in values):
            for obj, values in zip(objects, kept, strict=True):
                for name, value in zip(stamped, values, strict=True):
                    if value:
                        setattr(obj, name, value)
            model.objects.bulk_update(list(objects), stamped, batch_size=2000)
    else:
        insert_new(model, objects)
    add_history(model, objects, by=by, at=at)


def add_history(
    model: type[Model], objects: Sequence[Model], *, by: User, at: Sequence[datetime] | None = None
) -> None:
    """One "created" history row per object (already saved), as simple-history would write it."""
    now = timezone.now()
    moments = list(at) if at is not None else [now] * len(objects)
    if connection.vendor != "postgresql":
        for obj, moment in zip(objects, moments, strict=True):
            obj._history_date = moment
        model.history.bulk_history_create(list(objects), default_user=by, batch_size=2000)
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    special = {"history_user_id": by.pk, "history_type": "+", "history_change_reason": None}
    rows = []
    for obj, moment in zip(objects, moments, strict=True):
        special["history_date"] = moment
        rows.append([special[f.attname] if f.attname in special else getattr(obj, f.attname) for f in fields])
    copy_rows(history, rows, [f.column for f in fields])
