"""An item's movements, newest first, a keyset page at a time, with the balance after each one.

The running balance starts from the item's balance row and walks back through the page, so a page
reads its own rows and nothing older: page 1 subtracts from the balance whatever was posted after
its newest row (normally nothing), and every "older"/"newer" link carries, signed, the balance at
its edge. Reading the whole ledger of an item for each page (a window over all of its movements)
grows with the years; this stays at one page of rows.

Ids follow posting order within one item: a posting locks the item's balance row before it
inserts the item's movements (``inventory.ledger``), so the balance at an edge id never changes
once that page has been shown.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core import keyset
from inventory.models import Item, StockBalance, StockMovement


def _salt(item: Item) -> str:
    return f"stock-item:{item.pk}"


def _cursor(request, item: Item) -> tuple[str | None, int, int, Decimal]:
    direction, values = keyset.read_cursor(request, _salt(item))
    try:
        edge, quantity, value = values or ()
        return direction, int(edge), int(quantity), Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        return None, 0, 0, Decimal(0)


def _balance_after(item: Item, newest_id: int) -> tuple[int, Decimal]:
    """The item's balance after movement ``newest_id``: the balance row less anything newer.

    One statement, so the balance and the newer movements come from the same snapshot.
    """
    newer = (
        StockMovement.objects.filter(item_id=OuterRef("item_id"), id__gt=newest_id)
        .order_by()
        .values("item_id")
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    row = (
        StockBalance.objects.filter(item=item)
        .annotate(
            newer_quantity=Coalesce(Subquery(newer.annotate(s=Sum("quantity")).values("s")), 0),
            newer_value=Coalesce(
                Subquery(newer.annotate(s=Sum("value")).values("s"), output_field=money),
                Value(Decimal(0), output_field=money),
            ),
        )
        .values_list("quantity", "value", "newer_quantity", "newer_value")
        .first()
    )
    if row is None:
        return 0, Decimal(0)
    quantity, value, newer_quantity, newer_value = row
    return quantity - newer_quantity, value - newer_value


def movements_page(*, item: Item, request, size: int) -> keyset.KeysetPage:
    """The page of ``item``'s movements the request asks for, each with ``running_quantity`` and
    ``running_value`` (the balance after it)."""
    direction, edge, quantity, value = _cursor(request, item)
    movements = StockMovement.objects.filter(item=item).select_related("posted_by")
    more_newer = more_older = False
    if direction == keyset.NEWER:
        rows = list(movements.filter(id__gt=edge).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        if not more_newer:
            # Back at the top: the first page, full, from the balance row.
            return movements_page(item=item, request=keyset.without_cursor(request), size=size)
        rows = rows[:size]
        # Oldest first here: each row adds to the balance at the edge below it.
        for row in rows:
            quantity, value = quantity + row.quantity, value + row.value
            row.running_quantity, row.running_value = quantity, value
        rows.reverse()
        more_older = True
    else:
        if direction == keyset.OLDER:
            movements = movements.filter(id__lt=edge)
        rows = list(movements.order_by("-id")[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = direction == keyset.OLDER
        if rows:
            if direction != keyset.OLDER:
                quantity, value = _balance_after(item, rows[0].id)
            rows[0].running_quantity, rows[0].running_value = quantity, value
            # Newest first: the balance after a row is the one after the next newer row, less it.
            for newer, row in pairwise(rows):
                row.running_quantity = newer.running_quantity - newer.quantity
                row.running_value = newer.running_value - newer.value
    page = keyset.KeysetPage(rows)
    query = keyset.without_cursor(request).GET
    salt = _salt(item)
    if rows and more_older:
        last = rows[-1]
        before = (last.id, last.running_quantity - last.quantity, str(last.running_value - last.value))
        page.older = keyset.link(query, keyset.OLDER, keyset.sign(salt, before))
    if rows and more_newer:
        first = rows[0]
        after = (first.id, first.running_quantity, str(first.running_value))
        page.newer = keyset.link(query, keyset.NEWER, keyset.sign(salt, after))
    return page
