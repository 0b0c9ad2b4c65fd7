"""What a django-simple-history row says: its action and the fields it changed.

One reading of the history rows for the document pages, the audit trail and the API, each of which
only shapes it. Fields are compared one by one over every tracked field, since simple-history's
own diff skips the non-editable ones (a document's status and number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Field, Model
from simple_history.utils import get_change_reason_from_object

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Change:
    field: Field
    old: Any  # None for a created row
    new: Any

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def label(self) -> str:
        return str(self.field.verbose_name)

    def shown(self, value: Any) -> str | None:
        """A value as a person reads it: the label of a choice, else its text (None stays None)."""
        if value is None:
            return None
        return str(dict(self.field.flatchoices).get(value, value))


@dataclass(frozen=True)
class Entry:
    record: Any  # the history row (``history_date``, ``history_user``, ``history_type``, fields)
    changes: list[Change]

    @property
    def action(self) -> str:
        return ACTIONS.get(self.record.history_type, "changed")

    def change_of(self, name: str) -> Change | None:
        return next((c for c in self.changes if c.name == name), None)


def changes(record: Any, previous: Any | None) -> list[Change]:
    """What ``record`` changed against the row before it; without one, the values it was created
    with (the empty ones left out)."""
    if previous is None:
        return [
            Change(f, None, getattr(record, f.attname))
            for f in record.tracked_fields
            if getattr(record, f.attname) not in (None, "")
        ]
    return [
        Change(f, getattr(previous, f.attname), getattr(record, f.attname))
        for f in record.tracked_fields
        if getattr(record, f.attname) != getattr(previous, f.attname)
    ]


def entries(records: Iterable[Any]) -> list[Entry]:
    """History rows of one record, oldest first, each read against the one before it."""
    found, previous = [], None
    for record in records:
        found.append(Entry(record, changes(record, previous)))
        previous = record
    return found


def history_of(instance: Model) -> list[Entry]:
    """Every history row of ``instance``, oldest first, with who made it."""
    return entries(instance.history.select_related("history_user").order_by("history_date", "history_id"))


def created_values(obj: Model, *, by: Model | None, at: datetime) -> dict[str, Any]:
    """The history fields of ``obj``'s "created" row as simple-history writes them when it saves
    ``obj``: who (``obj._history_user`` if set, else ``by``), when (``obj._history_date`` if set,
    else ``at``), the change reason and "+". The writers that store rows without ``save()``
    (``core.rows`` one document at a time, ``core.bulk_copy`` by COPY) both take them from here."""
    user = getattr(obj, "_history_user", by)
    return {
        "history_date": getattr(obj, "_history_date", at),
        "history_user_id": user.pk if user is not None else None,
        "history_change_reason": get_change_reason_from_object(obj),
        "history_type": "+",
    }
