"""Read-side queries for purchases."""

from __future__ import annotations

from decimal import Decimal

from company import taxation
from purchasing.models import Purchase, PurchaseLine


def tax_summary(purchase: Purchase) -> list[dict[str, Decimal]]:
    """The purchase's input tax by rate (rate, taxable, cgst, sgst, igst, tax), in rate order."""
    return taxation.tax_summary(PurchaseLine.objects.filter(purchase=purchase))
