"""Customer prices: which price a bill line gets, and when a typed price is far from it.

A customer assigned to a price list is billed at its prices; an item missing there comes from the
default list, then from the item's default selling price. Each entry counts from its ``valid_from``
date on, until a later entry for the same item and list starts, so a new price is entered ahead of
the day it applies and bills dated before it keep the old one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts import roles
from accounts.models import User
from core.errors import InvalidDocument, NotAllowed
from core.money import money
from documents import lifecycle
from documents.drafts import money_problem
from inventory.models import Item
from sales.models import Customer, PriceList, PriceListEntry

HUNDRED = Decimal("100")


def list_prices(*, customer: Customer | None, item_ids: Iterable[int], on: date) -> dict[int, Decimal]:
    """Each item's price-list price for this customer on this date (items on no list are left out).

    The lists looked in, most particular first: the customer's own, then the default one (there
    is at most one); an inactive list is skipped, as if the customer had none. One query: the
    entries valid on ``on`` for these items in those lists, newest first (a bill reads this once,
    so the lists are not read apart).
    """
    ids = {int(pk) for pk in item_ids}
    if not ids:
        return {}
    own = customer.price_list_id if customer is not None else None
    in_lists = (
        Q(price_list__is_default=True) | Q(price_list_id=own)
        if own is not None
        else Q(price_list__is_default=True)
    )
    entries = (
        PriceListEntry.objects.filter(
            in_lists, price_list__is_active=True, item_id__in=ids, valid_from__lte=on
        )
        .order_by("item_id", "price_list_id", "-valid_from")
        .values_list("item_id", "price_list_id", "price")
    )
    best: dict[int, tuple[int, Decimal]] = {}
    seen: set[tuple[int, int]] = set()
    for item_id, list_id, price in entries:
        if (item_id, list_id) in seen:
            continue  # an older entry of a list already read
        seen.add((item_id, list_id))
        rank = 0 if list_id == own else 1  # the customer's own list before the default one
        if item_id not in best or rank < best[item_id][0]:
            best[item_id] = (rank, price)
    return {item_id: price for item_id, (_, price) in best.items()}


def bill_prices(*, customer: Customer | None, items: Iterable[Item], on: date) -> dict[int, Decimal]:
    """The price a bill suggests for each item: the customer's list price, else the item's default."""
    items = list(items)
    listed = list_prices(customer=customer, item_ids=[item.pk for item in items], on=on)
    prices = {item.pk: item.default_price for item in items if item.default_price is not None}
    prices.update(listed)
    return prices


def tolerance() -> Decimal:
    return Decimal(settings.PRICE_LIST_TOLERANCE_PERCENT)


def is_off_list(unit_price: Decimal | None, list_price: Decimal | None) -> bool:
    """True when a price is more than PRICE_LIST_TOLERANCE_PERCENT above or below the list price."""
    if unit_price is None or list_price is None:
        return False
    if list_price == 0:
        return unit_price != 0
    return abs(Decimal(unit_price) - list_price) * HUNDRED > tolerance() * list_price


def off_list_reason(sale) -> str | None:
    """Why a bill waits because of its prices (the lines are marked on the bill's page)."""
    count = sale.off_list_lines
    if not count:
        return None
    lines = "1 line is" if count == 1 else f"{count} lines are"
    return f"{lines} priced more than {tolerance():g}% from the customer's price list"


# Keeping the lists: Managers only -------------------------------------------------------------


def _require_manager(by: User) -> None:
    if not roles.can_manage_master_data(by):
        raise NotAllowed("Only a Manager may change price lists.")


@transaction.atomic
def save_price_list(
    *,
    by: User,
    price_list: PriceList | None = None,
    name: str,
    is_default: bool = False,
    is_active: bool = True,
    notes: str = "",
) -> PriceList:
    """Create or change a list; making one the default takes that role from the previous default."""
    _require_manager(by)
    name = (name or "").strip()
    if not name:
        raise InvalidDocument(fields={"name": ["Enter a name."]})
    price_list = price_list or PriceList()
    clash = PriceList.objects.filter(name__iexact=name).exclude(pk=price_list.pk)
    if clash.exists():
        raise InvalidDocument(fields={"name": [f"There is already a price list called {name}."]})
    if is_default:
        for previous in (
            PriceList.objects.select_for_update().filter(is_default=True).exclude(pk=price_list.pk)
        ):
            previous.is_default = False
            lifecycle.save_as(previous, by)
    price_list.name, price_list.is_default, price_list.is_active, price_list.notes = (
        name,
        is_default,
        is_active,
        notes,
    )
    lifecycle.save_as(price_list, by)
    return price_list


@transaction.atomic
def set_price(
    *, by: User, price_list: PriceList, item: Item, price: Decimal, valid_from: date
) -> PriceListEntry:
    """An item's price on a list from ``valid_from`` on (a second entry for the same day replaces it)."""
    _require_manager(by)
    problem = money_problem(price)
    if problem is None and money(price) < 0:
        problem = "Enter a price of zero or more."
    if problem:
        raise InvalidDocument(fields={"price": [problem]})
    if valid_from is None:
        raise InvalidDocument(fields={"valid_from": ["Enter the date the price starts."]})
    entry = (
        PriceListEntry.objects.select_for_update()
        .filter(price_list=price_list, item=item, valid_from=valid_from)
        .first()
    ) or PriceListEntry(price_list=price_list, item=item, valid_from=valid_from)
    entry.price = money(price)
    lifecycle.save_as(entry, by)
    return entry


@transaction.atomic
def remove_price(*, by: User, entry: PriceListEntry) -> None:
    """Take an entry off its list (a price entered by mistake); history keeps what it was."""
    _require_manager(by)
    entry._history_user = by
    entry.delete()
