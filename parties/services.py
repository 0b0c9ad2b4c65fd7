"""Saving a supplier or customer: the fields both share and the one way to write them."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from core.errors import InvalidDocument, NotAllowed
from documents import lifecycle

PARTY_FIELDS = ("name", "contact_person", "phone", "email", "address", "tax_number", "notes", "is_active")


def save_party(instance: Any, *, by: User, allowed: bool, what: str, fields: dict[str, Any], extra=()) -> Any:
    """Create or change a supplier or customer with the given fields; history records ``by``."""
    if not allowed:
        raise NotAllowed(f"{by} may not change {what}s.")
    for name, value in fields.items():
        if name not in PARTY_FIELDS + tuple(extra):
            raise TypeError(f"unknown {what} field {name}")
        setattr(instance, name, value)
    if not (instance.name or "").strip():
        raise InvalidDocument(fields={"name": ["Enter a name."]})
    lifecycle.save_as(instance, by)
    return instance
