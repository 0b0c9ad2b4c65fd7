"""A bill's lines as entered, checked and turned into line rows: shared by the one-at-a-time
services (``sales.services``) and the bulk path (``sales.bulk``), so both price, check and tax a
bill with the same code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from company import taxation
from core.errors import InvalidDocument
from core.money import money
from documents.drafts import check_lines
from inventory.models import Item, PackSize
from sales import pricing
from sales.models import Customer, Sale, SaleLine


@dataclass(frozen=True)
class SaleLineInput:
    item: Item
    quantity: int  # base units, packs included (``inventory.packs.total_units``)
    unit_price: Decimal | None = None  # None: the customer's list price, else the item's default
    discount: Decimal = Decimal("0")
    # As entered, when the line was counted in packs: ``packs`` × ``pack`` + loose units = quantity.
    pack: PackSize | None = None
    packs: int | None = None
    # Filled in by the service (whatever a caller sends): the customer's list price for the item.
    list_price: Decimal | None = None


def with_prices(
    customer: Customer | None,
    lines: Sequence[SaleLineInput],
    on: date,
    listed: dict[int, Decimal] | None = None,
) -> list[SaleLineInput]:
    """Note each line's list price and give a line left without a price the customer's list price,
    else its item's default selling price (a form sent without JS, an API call without prices).

    ``listed``: the customer's list prices on ``on`` (``pricing.list_prices``) for at least these
    lines' items, read once by a caller pricing many bills of customers on one list.
    """
    if listed is None:
        items = [line.item for line in lines if isinstance(line.item, Item)]
        listed = pricing.list_prices(
            customer=customer if isinstance(customer, Customer) else None,
            item_ids=[item.pk for item in items],
            on=on,
        )
    priced, errors = [], {}
    for index, line in enumerate(lines):
        if isinstance(line.item, Item):
            list_price = listed.get(line.item.pk)
            line = replace(line, list_price=list_price)
            if line.unit_price is None:
                suggested = list_price if list_price is not None else line.item.default_price
                if suggested is None:
                    errors[index] = {
                        "unit_price": [f"Enter a price: {line.item.sku} has no default selling price."]
                    }
                else:
                    line = replace(line, unit_price=suggested)
        priced.append(line)
    if errors:
        raise InvalidDocument(lines=errors)
    return priced


def _check_packs(lines: Sequence[SaleLineInput]) -> None:
    """A line's packs are packs of its own item, and no more of them than its quantity holds."""
    errors = {}
    for index, line in enumerate(lines):
        if line.pack is None:
            if line.packs:
                errors[index] = {"pack": ["Choose the pack the number of packs counts."]}
            continue
        if not isinstance(line.item, Item) or line.pack.item_id != line.item.pk:
            errors[index] = {"pack": [f"A {line.pack.name} is not a pack of this item."]}
        elif (
            line.packs is not None
            and isinstance(line.quantity, int)
            and line.packs * line.pack.quantity > line.quantity
        ):
            errors[index] = {
                "packs": [
                    f"{line.packs} × {line.pack.quantity} is more than the line's {line.quantity} units."
                ]
            }
    if errors:
        raise InvalidDocument(lines=errors)


def check_bill(customer: Customer, lines: Sequence[SaleLineInput]) -> None:
    if customer is None or not customer.is_active:
        raise InvalidDocument(fields={"customer": ["Choose an active customer."]})
    check_lines(lines)
    _check_packs(lines)
    too_big = {
        i: {"discount": ["The discount is more than the line's amount."]}
        for i, line in enumerate(lines)
        if Decimal(line.discount) > line.quantity * Decimal(line.unit_price)
    }
    if too_big:
        raise InvalidDocument(lines=too_big)


def line_rows(
    sale: Sale,
    lines: Sequence[SaleLineInput],
    *,
    seller_state: str | None = None,
    rates: dict[int, tuple[str, Decimal]] | None = None,
) -> list[SaleLine]:
    """The bill's line rows, in memory, and its tax and total; ``seller_state`` and ``rates``
    (``taxation.item_rates``) may be read once by a caller making many bills."""
    rows = [
        SaleLine(
            sale=sale,
            item=line.item,
            quantity=line.quantity,
            unit_price=money(line.unit_price),
            discount=money(line.discount),
            amount=money(line.quantity * money(line.unit_price) - money(line.discount)),
            list_price=line.list_price,
            pack=line.pack,
            packs=line.packs if line.pack is not None else None,
        )
        for line in lines
    ]
    taxation.apply(sale, rows, sale.customer, from_items=True, seller_state=seller_state, rates=rates)
    sale.off_list_lines = sum(1 for r in rows if r.is_off_list)
    return rows
