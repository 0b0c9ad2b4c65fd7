"""Tax arithmetic, pure: a line's taxable value and tax, the CGST/SGST/IGST split, the round-off.

Every amount is a Decimal rounded half-up to the paisa, line by line, so a printed bill adds up
exactly: line total = taxable value + tax, bill total = Σ line totals + round-off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from core.money import CENT

RUPEE = Decimal("1")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


class Regime:
    GST = "gst"  # India: CGST + SGST within the seller's state, IGST across states
    VAT = "vat"  # one plain rate per line, no split
    NONE = "none"  # no tax at all

    ALL = (GST, VAT, NONE)


def paisa(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTax:
    rate: Decimal
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    tax: Decimal  # CGST + SGST + IGST under GST; the one plain tax under VAT

    @property
    def line_total(self) -> Decimal:
        return self.taxable_value + self.tax


def line_tax(
    *,
    amount: Decimal,
    rate: Decimal | None,
    inter_state: bool,
    regime: str | None = None,
    prices_include_tax: bool | None = None,
) -> LineTax:
    """Tax on one line whose price × quantity − discount is ``amount``.

    Tax-exclusive prices: the amount is the taxable value. Tax-inclusive: the amount is the line
    total, and the taxable value is what is left after taking the tax out of it.
    GST within a state: CGST and SGST at half the rate each; across states: IGST at the rate.
    VAT: one tax at the rate, with no split (CGST, SGST and IGST stay zero).
    """
    regime = settings.TAX_REGIME if regime is None else regime
    inclusive = settings.PRICES_INCLUDE_TAX if prices_include_tax is None else prices_include_tax
    amount = paisa(amount)
    rate = Decimal(rate or 0)
    if regime == Regime.NONE or rate == 0:
        rate = ZERO if regime == Regime.NONE else paisa(rate)
        return LineTax(rate=rate, taxable_value=amount, cgst=ZERO, sgst=ZERO, igst=ZERO, tax=ZERO)
    if inclusive:
        taxable = paisa(amount * HUNDRED / (HUNDRED + rate))
        tax = amount - taxable
    else:
        taxable = amount
        tax = None
    if regime == Regime.VAT:
        tax = paisa(taxable * rate / HUNDRED) if tax is None else tax
        return LineTax(rate=rate, taxable_value=taxable, cgst=ZERO, sgst=ZERO, igst=ZERO, tax=tax)
    if inter_state:
        igst = paisa(taxable * rate / HUNDRED) if tax is None else tax
        return LineTax(rate=rate, taxable_value=taxable, cgst=ZERO, sgst=ZERO, igst=igst, tax=igst)
    # Within the state: each half is rounded on its own, so CGST and SGST print equal when priced
    # tax-exclusive; an odd paisa of a tax-inclusive split goes to SGST.
    cgst = paisa(taxable * rate / 2 / HUNDRED) if tax is None else paisa(tax / 2)
    sgst = cgst if tax is None else tax - cgst
    return LineTax(rate=rate, taxable_value=taxable, cgst=cgst, sgst=sgst, igst=ZERO, tax=cgst + sgst)


def round_off(total: Decimal, *, to_rupee: bool | None = None) -> Decimal:
    """What to add to ``total`` to make it whole rupees (half a rupee rounds up); 0 when off."""
    to_rupee = settings.ROUND_OFF_TO_RUPEE if to_rupee is None else to_rupee
    if not to_rupee:
        return ZERO
    return Decimal(total).quantize(RUPEE, rounding=ROUND_HALF_UP) - paisa(total)


@dataclass(frozen=True)
class Totals:
    taxable_total: Decimal
    cgst_total: Decimal
    sgst_total: Decimal
    igst_total: Decimal
    tax_total: Decimal
    round_off: Decimal
    grand_total: Decimal


def totals(lines: Iterable[LineTax], *, to_rupee: bool | None = None) -> Totals:
    lines = list(lines)
    taxable = sum((line.taxable_value for line in lines), ZERO)
    cgst = sum((line.cgst for line in lines), ZERO)
    sgst = sum((line.sgst for line in lines), ZERO)
    igst = sum((line.igst for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    # Only a document that carries tax is rounded: an untaxed one keeps the exact figures typed.
    off = round_off(taxable + tax, to_rupee=to_rupee) if tax else ZERO
    return Totals(taxable, cgst, sgst, igst, tax, off, taxable + tax + off)


def is_inter_state(seller_state: str, place_of_supply: str, regime: str | None = None) -> bool:
    """GST only: a supply to another state is inter-state (IGST). Unknown states count as local."""
    regime = settings.TAX_REGIME if regime is None else regime
    return bool(regime == Regime.GST and seller_state and place_of_supply and seller_state != place_of_supply)
