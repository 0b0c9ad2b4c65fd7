"""A report page asks the same number of queries however many customers, suppliers and items
its period holds: more rows make its queries return more, never more queries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Item, ItemKind
from production.services import RejectLine, create_run
from purchasing.models import Supplier
from purchasing.services import AllocationInput, PurchaseLineInput, create_purchase, record_supplier_payment
from reporting.reports import customers
from returns.services import PurchaseReturnLineInput, create_purchase_return
from sales.models import Customer
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal
PAGES = ("customer-sales", "payables", "supplier-costs", "stock-movement", "production")


def _year():
    today = timezone.localdate()
    return {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}


def _page_query_count(client, name: str, params: dict) -> int:
    client.get(f"/reports/{name}/", params)  # the first request warms per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/reports/{name}/", params)
    assert response.status_code == 200
    return len(queries)


def _trade(plant, staff_user, manager_user, first: int, last: int) -> None:
    """Suppliers and customers ``first``…``last``, each with bills, payments and a return, and an
    item of their own, bought in two months: every table of every page gains rows."""
    today = timezone.localdate()
    for n in range(first, last + 1):
        supplier = Supplier.objects.create(name=f"Supplier {n}")
        label = Item.objects.create(sku=f"LBL-{n}", name=f"Label {n}", kind=ItemKind.LABEL)
        for days_ago, price in ((70, "2.00"), (10, "2.20")):
            purchase = create_purchase(
                by=manager_user,
                supplier=supplier,
                lines=[
                    PurchaseLineInput(item=plant.preform, quantity=100, unit_price=D(price)),
                    PurchaseLineInput(item=plant.cap, quantity=100, unit_price=D("0.50")),
                    PurchaseLineInput(item=label, quantity=50, unit_price=D("0.10")),
                ],
                date=today - timedelta(days=days_ago),
                submit=True,
            )
        record_supplier_payment(
            by=manager_user,
            supplier=supplier,
            amount=D("150.00"),
            method="bank",
            allocations=[AllocationInput(purchase=purchase, amount=D("100.00"))],
            date=today - timedelta(days=5),
        )
        create_purchase_return(
            by=manager_user,
            purchase=purchase,
            lines=[PurchaseReturnLineInput(purchase_line=purchase.lines.first(), quantity=5)],
            date=today - timedelta(days=4),
            submit=True,
        )
        customer = Customer.objects.create(name=f"Customer {n}")
        create_run(
            by=staff_user,
            product=plant.bottle,
            good_quantity=40,
            machine=f"BM-{n}",
            shift="day",
            date=today - timedelta(days=3),
            rejects=[RejectLine("burst", 2)],
            conversion_cost=D("8.00"),
            submit=True,
        )
        two_days_ago = today - timedelta(days=2)
        bill = plant.sell(staff_user, (plant.bottle, 20, "6.00"), customer=customer, date=two_days_ago)
        record_payment(by=staff_user, customer=customer, amount=D("50.00"), method="cash", sale=bill)
        record_payment(by=staff_user, customer=customer, amount=D("10.00"), method="upi")


def test_report_pages_ask_as_many_queries_for_five_parties_as_for_one(
    plant, staff_user, manager_user, manager_client
):
    _trade(plant, staff_user, manager_user, 1, 1)
    one = {name: _page_query_count(manager_client, name, _year()) for name in PAGES}
    _trade(plant, staff_user, manager_user, 2, 5)
    five = {name: _page_query_count(manager_client, name, _year()) for name in PAGES}
    assert five == one
    page = manager_client.get("/reports/payables/", _year()).content.decode()
    assert all(f"Supplier {n}" in page for n in range(1, 6))


def test_customer_sales_lists_the_top_customers_on_the_page_and_every_one_in_the_export(
    plant, staff_user, manager_user, manager_client, monkeypatch
):
    _trade(plant, staff_user, manager_user, 1, 4)
    monkeypatch.setattr(customers, "PAGE_ROWS", 2)
    page = manager_client.get("/reports/customer-sales/", _year()).content.decode()
    assert "The tables list the 2 customers with the most revenue" in page
    # Everyone bought the same, so the ties are listed by name; the totals are of all four.
    assert "Customer 1" in page and "Customer 2" in page
    assert "Customer 3" not in page and "Customer 4" not in page
    export = manager_client.get("/reports/customer-sales/", {**_year(), "export": "csv"})
    text = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    cells = {cell for row in csv.reader(io.StringIO(text)) for cell in row}
    assert {f"Customer {n}" for n in range(1, 5)} <= cells
    printed = manager_client.get("/reports/customer-sales/", {**_year(), "print": "1"}).content.decode()
    assert "Customer 4" in printed


def test_customer_sales_top_rows_keep_the_figures_of_the_whole_report(plant, staff_user, manager_user):
    from reporting.periods import Period

    _trade(plant, staff_user, manager_user, 1, 3)
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today)
    whole, top = customers.build(period), customers.build(period, top=1)
    for name in ("customers", "ageing"):
        assert top.table(name).totals == whole.table(name).totals
        assert top.table(name).rows == whole.table(name).rows[:1]
