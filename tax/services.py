"""Tax rates: kept by Managers. A rate in use is retired (made inactive), never deleted."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from accounts import roles
from accounts.models import User
from core.errors import InvalidDocument, NotAllowed
from tax.models import TaxRate


@transaction.atomic
def save_tax_rate(*, by: User, tax_rate: TaxRate | None = None, **fields: Any) -> TaxRate:
    """Create or change a rate (name, rate %, active). Posted documents keep the rate they used."""
    if not roles.can_manage_master_data(by):
        raise NotAllowed("Only a Manager may change tax rates.")
    tax_rate = tax_rate or TaxRate()
    for name, value in fields.items():
        if name not in ("name", "rate", "is_active"):
            raise TypeError(f"unknown tax rate field {name}")
        setattr(tax_rate, name, value)
    tax_rate.name = (tax_rate.name or "").strip()
    if not tax_rate.name:
        raise InvalidDocument(fields={"name": ["Enter a name, e.g. GST 18%."]})
    if TaxRate.objects.filter(name__iexact=tax_rate.name).exclude(pk=tax_rate.pk).exists():
        raise InvalidDocument(fields={"name": [f"A tax rate named {tax_rate.name} exists already."]})
    try:
        rate = Decimal(tax_rate.rate)
    except (InvalidOperation, TypeError, ValueError):
        rate = None
    if isinstance(tax_rate.rate, float) or rate is None or not rate.is_finite() or not 0 <= rate <= 100:
        raise InvalidDocument(fields={"rate": ["Enter a rate from 0 to 100 (%)."]})
    if rate != rate.quantize(Decimal("0.01")):
        raise InvalidDocument(fields={"rate": ["A rate has at most two decimal places."]})
    tax_rate.rate = rate
    tax_rate._history_user = by
    tax_rate.save()
    return tax_rate
