"""``sales.bill_terms`` reads in one plain statement what ``pricing.list_prices`` and
``taxation.seller_state_and_item_rates`` read through the ORM: the two must never drift apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from company import taxation
from company.models import SellerProfile
from sales import bill_terms, pricing
from sales.models import Customer
from sales.services import SaleLineInput, create_sale
from tax.models import TaxRate

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def _orm(customer, item_ids, on):
    state, rates = taxation.seller_state_and_item_rates(item_ids)
    return bill_terms.BillTerms(
        seller_state=state,
        rates=rates,
        listed=pricing.list_prices(customer=customer, item_ids=item_ids, on=on),
    )


def _same(customer, item_ids, on):
    plain = bill_terms.read(customer=customer, item_ids=item_ids, on=on)
    assert plain == _orm(customer, item_ids, on)
    for price in plain.listed.values():
        assert isinstance(price, D)
    for _hsn, rate in plain.rates.values():
        assert isinstance(rate, D)
    return plain


def test_bill_terms_equal_the_orm_reads_over_lists_dates_rates_and_profiles(plant, manager_user):
    items = [plant.bottle.pk, plant.cap.pk, plant.preform.pk]
    walk_in = Customer.objects.create(name="Walk-in")
    # Nothing set up: no profile, no rates, no lists.
    assert _same(walk_in, items, DAY) == bill_terms.BillTerms(
        seller_state="", rates={pk: ("", D("0")) for pk in items}, listed={}
    )

    SellerProfile.objects.create(legal_name="Bottleworks", state_code="27")
    SellerProfile.objects.create(legal_name="A later one", state_code="29")  # the first one counts
    plant.bottle.tax_rate = TaxRate.objects.create(name="GST 18%", rate=D("18"))
    plant.bottle.hsn_code = "39233090"
    plant.bottle.save()
    plant.cap.tax_rate = TaxRate.objects.create(name="GST 12.5%", rate=D("12.50"))
    plant.cap.save()

    default = pricing.save_price_list(by=manager_user, name="Standard", is_default=True)
    distributors = pricing.save_price_list(by=manager_user, name="Distributors")
    stale = pricing.save_price_list(by=manager_user, name="Old", is_active=False)
    for price_list, item, price, valid_from in (
        (default, plant.bottle, "5.50", DAY),
        (default, plant.cap, "0.90", date(2026, 1, 1)),
        (default, plant.cap, "0.95", date(2026, 12, 1)),
        (distributors, plant.bottle, "4.00", date(2026, 1, 1)),
        (distributors, plant.bottle, "4.40", date(2026, 12, 1)),
        (distributors, plant.preform, "1.25", date(2026, 6, 1)),
        (stale, plant.cap, "0.10", date(2026, 1, 1)),
    ):
        pricing.set_price(
            by=manager_user, price_list=price_list, item=item, price=D(price), valid_from=valid_from
        )
    distributor = Customer.objects.create(name="Patil", price_list=distributors)
    on_the_old = Customer.objects.create(name="Old terms", price_list=stale)

    for customer in (walk_in, distributor, on_the_old, None):
        for on in (date(2025, 12, 31), date(2026, 6, 1), DAY, date(2026, 12, 1), date(2027, 3, 1)):
            _same(customer, items, on)
    assert _same(distributor, items, DAY) == bill_terms.BillTerms(
        seller_state="27",
        rates={
            plant.bottle.pk: ("39233090", D("18.00")),
            plant.cap.pk: ("", D("12.50")),
            plant.preform.pk: ("", D("0")),
        },
        listed={plant.bottle.pk: D("4.00"), plant.cap.pk: D("0.90"), plant.preform.pk: D("1.25")},
    )
    # The customer's list is the default one too; then no default list at all.
    default.is_default = False
    default.save()
    distributors.is_default = True
    distributors.save()
    for customer in (walk_in, distributor, on_the_old):
        _same(customer, items, DAY)
    distributors.is_default = False
    distributors.save()
    for customer in (walk_in, distributor, on_the_old):
        _same(customer, items, DAY)
    assert _same(walk_in, [plant.cap.pk], DAY).listed == {}
    # No items: the profile's state, as SellerProfile.current() has it.
    assert bill_terms.read(customer=walk_in, item_ids=[], on=DAY) == bill_terms.BillTerms("27", {}, {})
    assert bill_terms.read(customer=walk_in, item_ids=[10**9], on=DAY) == bill_terms.BillTerms("27", {}, {})


def test_a_new_bill_reads_its_items_prices_and_tax_in_one_query(
    plant, manager_user, django_assert_num_queries
):
    plant.buy(manager_user, (plant.bottle, 100, "3.00"))
    default = pricing.save_price_list(by=manager_user, name="Standard", is_default=True)
    pricing.set_price(by=manager_user, price_list=default, item=plant.bottle, price=D("5.50"), valid_from=DAY)
    lines = [SaleLineInput(item=plant.bottle, quantity=2)]
    with django_assert_num_queries(1) as context:
        bill_terms.read(customer=plant.customer, item_ids=[plant.bottle.pk], on=DAY)
    read_alone = context.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as context:
        sale = create_sale(by=manager_user, customer=plant.customer, lines=lines, date=DAY, submit=True)
    statements = [query["sql"] for query in context.captured_queries]
    assert sum("sales_pricelistentry" in sql for sql in statements) == 1
    assert sum("tax_taxrate" in sql for sql in statements) == 1
    assert read_alone in statements
    line = sale.lines.get()
    assert (line.unit_price, line.list_price) == (D("5.50"), D("5.50"))
