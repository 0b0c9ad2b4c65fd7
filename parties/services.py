"""Saving a supplier or customer: the fields both share and the one way to write them."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from core.errors import InvalidDocument, NotAllowed
from documents import lifecycle
from tax import gstin
from tax.states import STATE_CODES

PARTY_FIELDS = (
    "name",
    "contact_person",
    "phone",
    "email",
    "address",
    "tax_number",
    "gstin",
    "state_code",
    "is_registered",
    "notes",
    "is_active",
)


def _check_tax_identity(instance: Any) -> None:
    """A GSTIN must be a real one; it names the party's state and makes it registered (B2B)."""
    instance.gstin = gstin.normalise(instance.gstin)
    if instance.state_code and instance.state_code not in STATE_CODES:
        raise InvalidDocument(fields={"state_code": ["Choose a state from the list."]})
    if not instance.gstin:
        if instance.is_registered:
            raise InvalidDocument(fields={"gstin": ["Enter the GSTIN of a registered party."]})
        return
    problem = gstin.gstin_problem(instance.gstin)
    if problem:
        raise InvalidDocument(fields={"gstin": [problem]})
    state = gstin.state_of(instance.gstin)
    if instance.state_code and instance.state_code != state:
        raise InvalidDocument(
            fields={
                "state_code": [
                    f"The GSTIN {instance.gstin} is registered in state {state}, not {instance.state_code}."
                ]
            }
        )
    instance.state_code, instance.is_registered = state, True


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
    _check_tax_identity(instance)
    lifecycle.save_as(instance, by)
    return instance
