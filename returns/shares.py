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


TAX_HEADS = ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount")


def tax_shares(source, *, units: int, already: dict[str, Decimal]) -> dict[str, Decimal]:
    """A returned line's share of ``source``'s (a bill or purchase line's) taxable value and tax.

    Each head (taxable value, CGST, SGST, IGST) is shared on its own, cumulatively as ``share``
    does, so returning what is left of a line reverses exactly what is left of each head. A tax
    kept outside the GST heads (VAT: one plain tax) is shared as the rest of ``tax_amount``.
    ``already``: what posted returns of the line reversed, per field (``tax_amount`` included).
    """
    figures = {
        head: share(getattr(source, head), units=units, of=source.quantity, already=already.get(head, 0))
        for head in TAX_HEADS
    }
    gst = figures["cgst_amount"] + figures["sgst_amount"] + figures["igst_amount"]
    other = source.tax_amount - source.cgst_amount - source.sgst_amount - source.igst_amount
    other_before = Decimal(already.get("tax_amount", 0)) - sum(
        (Decimal(already.get(head, 0)) for head in TAX_HEADS[1:]), Decimal("0")
    )
    figures["tax_amount"] = gst + share(other, units=units, of=source.quantity, already=other_before)
    figures["line_total"] = figures["taxable_value"] + figures["tax_amount"]
    figures["tax_rate"] = source.tax_rate
    return figures
