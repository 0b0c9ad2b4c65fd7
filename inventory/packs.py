"""Pack sizes: a line entered in cartons and loose bottles, the ledger in bottles.

``total_units`` is the one place a count in packs becomes base units; ``describe`` writes a
quantity back the way the floor counts it: "41 cartons + 6 = 990 pcs".
"""

from __future__ import annotations

from collections.abc import Iterable

from inventory.models import PackSize


def total_units(*, pack: PackSize | None, packs: int | None, units: int | None) -> int | None:
    """Base units of ``packs`` × ``pack`` plus loose ``units``; None when nothing was entered."""
    if pack is None or not packs:
        return units
    return packs * pack.quantity + (units or 0)


def describe(quantity: int, unit: str, packs: Iterable[PackSize], pack: PackSize | None = None) -> str:
    """``quantity`` in ``pack`` (else the item's smallest pack) and loose units, then in base units.

    With no pack that fits even once, just the base units: "6 pcs".
    """
    chosen = pack
    if chosen is None:
        sizes = sorted(packs, key=lambda p: p.quantity)
        chosen = sizes[0] if sizes else None
    if chosen is None or quantity < chosen.quantity:
        return f"{quantity:,} {unit}"
    whole, loose = divmod(quantity, chosen.quantity)
    name = chosen.name if whole == 1 else chosen.plural_name
    text = f"{whole:,} {name}"
    if loose:
        text += f" + {loose:,}"
    return f"{text} = {quantity:,} {unit}"
