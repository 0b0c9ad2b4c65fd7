"""Money: Decimal amounts to the cent, rounded half up (DESIGN §5: never float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """``value`` to the cent, half up; None or empty counts as zero."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)
