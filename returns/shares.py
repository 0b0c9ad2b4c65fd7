"""A returned line's share of the line it returns: its credit, discount and cost.

Each share is the cumulative share of everything returned from the line so far, less what was
already taken back: the returns of one line always add up to exactly that line (a full return
gives back every paisa, however it was split), and no rounding cent is ever lost or made.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.money import CENT


def share(whole: Decimal, *, units: int, of: int, already: Decimal) -> Decimal:
    """The part of ``whole`` (a line of ``of`` units) that this return carries, when ``units`` is
    how many of the line are returned with it counted in, and ``already`` what earlier returns of
    the line took back."""
    if of <= 0:
        return Decimal("0.00")
    cumulative = (Decimal(whole) * units / of).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(cumulative - Decimal(already), Decimal("0.00"))
