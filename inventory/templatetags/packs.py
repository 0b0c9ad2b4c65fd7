"""``{{ quantity|in_packs:item }}``: "41 cartons + 6 = 990 pcs" (reads ``item.packs``, prefetched)."""

from __future__ import annotations

from django import template

from inventory.packs import describe

register = template.Library()


@register.filter
def in_packs(quantity, item) -> str:
    if quantity in (None, ""):
        quantity = 0
    return describe(int(quantity), item.unit, item.packs.all())


@register.filter
def line_in_packs(line) -> str:
    """A document line's quantity in the pack it was entered in (else its item's smallest)."""
    return describe(line.quantity, line.item.unit, line.item.packs.all(), pack=line.pack)
