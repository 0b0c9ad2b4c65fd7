"""What a new bill must know of its items before its lines are made, read in one statement: each
item's price on the customer's lists (``pricing.list_prices``), its HSN code and tax rate, and the
seller's state (``taxation.seller_state_and_item_rates``).

Read apart through the ORM these were two round trips, and composing the two queries cost a bill
more Python time than PostgreSQL took to answer them. The statement says the same as those two
functions do; ``sales/tests/test_bill_terms.py`` compares them on lists, dates, rates and profiles
that differ, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections

from company.models import SellerProfile
from core import rows
from inventory.models import Item
from sales.models import Customer, PriceList, PriceListEntry
from tax.models import TaxRate


@dataclass(frozen=True)
class BillTerms:
    seller_state: str
    rates: dict[int, tuple[str, Decimal]]  # item id: (HSN code, tax rate), as taxation.item_rates
    listed: dict[int, Decimal]  # item id: list price, as pricing.list_prices (items on no list left out)


@cache
def _statement() -> str:
    """The SELECT without its item-id list, built once from the models' tables and columns."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def table(model) -> str:
        return quote(model._meta.db_table)

    item_pk, rate_pk = quote(Item._meta.pk.column), quote(TaxRate._meta.pk.column)
    list_pk, profile_pk = quote(PriceList._meta.pk.column), quote(SellerProfile._meta.pk.column)
    # The lists looked in, most particular first: the customer's own (the first parameter), then
    # the default one; an inactive list is skipped; within a list, the newest entry valid on the
    # day. Ties between lists of one rank go to the lower id, as list_prices reads them.
    price = (
        f"SELECT e.{column(PriceListEntry, 'price')} FROM {table(PriceListEntry)} e"
        f" JOIN {table(PriceList)} p ON p.{list_pk} = e.{column(PriceListEntry, 'price_list')}"
        f" WHERE e.{column(PriceListEntry, 'item')} = i.{item_pk} AND p.{column(PriceList, 'is_active')}"
        f" AND (p.{column(PriceList, 'is_default')} OR p.{list_pk} = %s)"
        f" AND e.{column(PriceListEntry, 'valid_from')} <= %s"
        f" ORDER BY CASE WHEN p.{list_pk} = %s THEN 0 ELSE 1 END, p.{list_pk},"
        f" e.{column(PriceListEntry, 'valid_from')} DESC LIMIT 1"
    )
    state = (
        f"SELECT s.{column(SellerProfile, 'state_code')} FROM {table(SellerProfile)} s"
        f" ORDER BY s.{profile_pk} LIMIT 1"
    )
    return (
        f"SELECT i.{item_pk}, i.{column(Item, 'hsn_code')}, r.{column(TaxRate, 'rate')}, ({state}), ({price})"
        f" FROM {table(Item)} i LEFT JOIN {table(TaxRate)} r ON r.{rate_pk} = i.{column(Item, 'tax_rate')}"
        f" WHERE i.{item_pk} IN "
    )


def read(*, customer: Customer | None, item_ids: Iterable[int], on: date) -> BillTerms:
    """The terms of a bill to ``customer`` dated ``on`` for these items, in one query."""
    ids = sorted({int(pk) for pk in item_ids})
    if not ids:
        return BillTerms(seller_state=SellerProfile.current().state_code, rates={}, listed={})
    db = connections[DEFAULT_DB_ALIAS]
    own = customer.price_list_id if customer is not None else None
    day = PriceListEntry._meta.get_field("valid_from").get_db_prep_value(on, db)
    sql = _statement() + "(" + ", ".join(["%s"] * len(ids)) + ")"
    found = rows.select(
        sql,
        [own, day, own, *ids],
        [
            Item._meta.pk,
            Item._meta.get_field("hsn_code"),
            TaxRate._meta.get_field("rate"),
            SellerProfile._meta.get_field("state_code"),
            PriceListEntry._meta.get_field("price"),
        ],
    )
    if not found:
        return BillTerms(seller_state=SellerProfile.current().state_code, rates={}, listed={})
    return BillTerms(
        seller_state=found[0][3] or "",
        rates={pk: (hsn or "", rate or Decimal("0")) for pk, hsn, rate, _, _ in found},
        listed={pk: price for pk, _, _, _, price in found if price is not None},
    )
