"""Approval by value: what every document type's rule shares.

Each type's ``lifecycle.DocumentRules.approval_reason`` says why one of its documents must wait for
a second person (a sentence with the figures that decided it), or None when it may post at once.
The limits are settings (README, "Settings"). A reason may name costs, so only people who may see
costs are shown it (``lifecycle.waiting_reason``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings


def amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def over_limit(what: str, value: Decimal, limit: Decimal, detail: str = "") -> str | None:
    """``"<what> 6,000.00<detail> is over the approval limit 5,000.00"`` when ``value`` is above
    ``limit``, else None."""
    if value > limit:
        return f"{what} {amount(value)}{detail} is over the approval limit {amount(Decimal(limit))}"
    return None


def total_over_limit(document: Any) -> str | None:
    """Bills and purchases: by the grand total (what changes hands, tax included), or by the
    taxable value when APPROVAL_ON_GRAND_TOTAL is off."""
    taxable = getattr(document, "taxable_total", None)
    if settings.APPROVAL_ON_GRAND_TOTAL or taxable is None:
        return over_limit("total", document.total, settings.APPROVAL_THRESHOLD)
    return over_limit("taxable value", taxable, settings.APPROVAL_THRESHOLD)


def times(ratio: Decimal) -> str:
    """A ratio as people read it: 4,356× or 0.18×."""
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:,.2f}×"


def reasons(*found: str | None) -> str | None:
    """Every reason that applies, in one sentence; None if none does."""
    given = [reason for reason in found if reason]
    return "; ".join(given) or None
