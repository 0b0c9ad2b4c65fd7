"""What a picker finds as the user types: rows with every typed word anywhere in their search text.

Shared by the item, customer and supplier pickers (their API endpoints live with their apps). A
result is a small dict; the stock shown is a quantity only, never a cost, so every role may see it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core import search
from inventory import item_flags
from inventory.models import Item
from inventory.search_text import matching, words

LIMIT = 10
MAX_LIMIT = 25

# ?use= of the item picker -> the flag an item needs to be offered there.
USES = {"sold": item_flags.SOLD, "bought": item_flags.BOUGHT, "made": item_flags.MADE}


def search_rows(queryset: QuerySet, query: str, *, limit: int = LIMIT) -> QuerySet:
    """The first ``limit`` active rows holding every word of ``query`` (its first MAX_TERMS words,
    within MAX_LENGTH characters); nothing for an empty query."""
    query = query[: search.MAX_LENGTH]
    if not words(query):
        return queryset.none()
    return matching(queryset.filter(is_active=True), query)[: max(1, min(limit, MAX_LIMIT))]


def search_items(query: str, *, use: str = "", limit: int = LIMIT) -> list[dict[str, Any]]:
    """Items for a picker, with their stock quantity, default price and pack sizes."""
    items = (
        Item.objects.select_related("balance")
        .prefetch_related("packs")
        .only("sku", "name", "unit", "default_price", "balance__quantity")
        .order_by("sku")
    )
    if use in USES:
        items = items.filter(**{USES[use]: True})
    found = search_rows(items, query, limit=limit)
    return [item_row(item) for item in found]


def item_row(item: Item) -> dict[str, Any]:
    balance = getattr(item, "balance", None)
    return {
        "id": item.pk,
        "sku": item.sku,
        "name": item.name,
        "label": str(item),
        "unit": item.unit,
        "stock": balance.quantity if balance is not None else 0,
        "price": None if item.default_price is None else str(item.default_price),
        "packs": [
            {"id": p.pk, "name": p.name, "plural": p.plural_name, "quantity": p.quantity}
            for p in item.packs.all()
        ],
    }


def party_row(party: Any) -> dict[str, Any]:
    """A customer or supplier: its name and the details a clerk tells two namesakes apart by."""
    town = " ".join((party.address or "").split())
    return {"id": party.pk, "label": party.name, "name": party.name, "town": town[:80], "phone": party.phone}
