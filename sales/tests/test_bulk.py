"""The bulk path of bills and payments writes exactly what the one-at-a-time services write."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import InsufficientStock, InvalidDocument
from inventory.models import StockBalance, StockMovement
from inventory.verification import verify_ledger
from reporting.models import CustomerBalance, SalesCustomerDay, SalesItemDay, StockDay
from reporting.summaries import differences
from sales import bulk, pricing
from sales.models import Customer, Payment, PaymentMethod, Sale, SaleLine
from sales.services import SaleLineInput, create_sale, record_payment, save_customer
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(plant, manager_user):
    """Bottles bought at two prices (an average that does not divide evenly), caps and preforms."""
    plant.buy(manager_user, (plant.bottle, 100, "2.00"), (plant.cap, 40, "0.50"), (plant.preform, 30, "1.10"))
    plant.buy(manager_user, (plant.bottle, 50, "2.35"), (plant.cap, 7, "0.53"))
    plant.other = Customer.objects.create(name="Blue Springs")
    return plant


def _bills(plant):
    """(customer, lines): the last bill takes every bottle left, so it takes their whole value."""
    return [
        (
            plant.customer,
            [SaleLineInput(plant.bottle, 7, D("6.00"), D("1.00")), SaleLineInput(plant.cap, 3, D("1.00"))],
        ),
        (
            plant.other,
            [SaleLineInput(plant.bottle, 13, D("6.00")), SaleLineInput(plant.preform, 9, D("3.00"))],
        ),
        (plant.customer, [SaleLineInput(plant.cap, 44, D("0.90"), D("2.50"))]),
        (
            plant.other,
            [SaleLineInput(plant.bottle, 130, D("5.50")), SaleLineInput(plant.preform, 1, D("3.00"))],
        ),
    ]


def _snapshot() -> dict:
    """Everything a posting writes, without ids (the two paths take different ones)."""
    return {
        "movements": list(
            StockMovement.objects.order_by("id").values_list(
                "item_id",
                "kind",
                "quantity",
                "value",
                "unit_cost",
                "date",
                "source_type",
                "source_number",
                "posted_by",
            )
        ),
        "balances": list(
            StockBalance.objects.order_by("item_id").values_list("item_id", "quantity", "value")
        ),
        "bills": list(
            Sale.objects.order_by("number").values_list(
                "number", "customer", "date", "status", "total", "cost", "created_by"
            )
        ),
        "lines": list(
            SaleLine.objects.order_by("sale__number", "id").values_list(
                "sale__number", "item", "quantity", "unit_price", "discount", "amount", "unit_cost", "cost"
            )
        ),
        "payments": list(
            Payment.objects.order_by("number").values_list(
                "number", "customer", "sale__number", "amount", "total", "method", "status", "date"
            )
        ),
        "history": sorted(
            [*Sale.history.values_list("number", "history_type", "status", "cost", "history_user")]
            + [
                (n, t, s, None, u)
                for n, t, s, u in Payment.history.values_list(
                    "number", "history_type", "status", "history_user"
                )
            ]
        ),
        "line history": sorted(
            SaleLine.history.values_list("sale__number", "item", "cost", "history_type", "history_user")
        ),
        "stock days": sorted(
            StockDay.objects.values_list("date", "item", "kind", "quantity", "value", "movements")
        ),
        "item days": sorted(
            SalesItemDay.objects.values_list(
                "date", "item", "lines", "quantity", "discount", "revenue", "cogs"
            )
        ),
        "customer days": sorted(
            SalesCustomerDay.objects.values_list(
                "date", "customer", "bills", "lines", "quantity", "revenue", "cogs", "paid"
            )
        ),
        "customer balances": sorted(CustomerBalance.objects.values_list("customer", "billed", "paid")),
    }


def test_bills_and_payments_posted_in_bulk_equal_those_posted_one_at_a_time(stocked, manager_user):
    plant, day = stocked, timezone.localdate() - timedelta(days=1)
    before = ledger_state()
    with transaction.atomic():
        sales = [
            create_sale(by=manager_user, customer=customer, lines=lines, date=day, submit=True)
            for customer, lines in _bills(plant)
        ]
        record_payment(
            by=manager_user, customer=plant.customer, amount=D("20.00"), method="upi", date=day, sale=sales[0]
        )
        record_payment(by=manager_user, customer=plant.other, amount=D("300.00"), method="cash", date=day)
        one_at_a_time = _snapshot()
        assert verify_ledger() == [] and differences() == []
        transaction.set_rollback(True)

    assert ledger_state() == before  # the rollback left the plant as it was (numbers too)
    with transaction.atomic():
        made = bulk.post_bills(
            by=manager_user,
            date=day,
            bills=[bulk.BulkBill(customer, lines) for customer, lines in _bills(plant)],
        )
        bulk.post_payments(
            by=manager_user,
            date=day,
            payments=[
                bulk.BulkPayment(plant.customer, D("20.00"), PaymentMethod.UPI, sale_id=made[0].pk),
                bulk.BulkPayment(plant.other, D("300.00"), PaymentMethod.CASH),
            ],
        )
    in_bulk = _snapshot()
    assert in_bulk["bills"] and in_bulk["movements"]
    for part, rows in one_at_a_time.items():
        assert in_bulk[part] == rows, part
    assert StockBalance.objects.get(item=plant.bottle).quantity == 0  # the last bill emptied it
    assert verify_ledger() == [] and differences() == []


def test_a_bulk_posting_with_one_bill_short_of_stock_writes_nothing(stocked, manager_user):
    plant, before = stocked, ledger_state()
    bills = [bulk.BulkBill(c, lines) for c, lines in _bills(plant)]
    bills.append(
        bulk.BulkBill(plant.customer, [SaleLineInput(plant.bottle, 1, D("6.00"))])
    )  # none left by now
    with pytest.raises(InsufficientStock, match=plant.bottle.sku), transaction.atomic():
        bulk.post_bills(by=manager_user, date=timezone.localdate(), bills=bills)
    assert ledger_state() == before and not Sale.objects.exists() and not SaleLine.objects.exists()


def test_a_bulk_posting_refuses_a_bill_that_would_wait_for_approval(stocked, manager_user, settings):
    settings.APPROVAL_THRESHOLD = D("100")
    big = bulk.BulkBill(stocked.customer, [SaleLineInput(stocked.bottle, 30, D("6.00"))])
    with pytest.raises(bulk.NeedsApproval, match="would wait for approval"), transaction.atomic():
        bulk.post_bills(by=manager_user, date=timezone.localdate(), bills=[big])
    assert not Sale.objects.exists()


def test_bulk_payments_may_not_overpay_a_bill_together(stocked, manager_user):
    plant = stocked
    with transaction.atomic():
        (bill,) = bulk.post_bills(
            by=manager_user,
            date=timezone.localdate(),
            bills=[bulk.BulkBill(plant.customer, [SaleLineInput(plant.bottle, 10, D("6.00"))])],
        )
    halves = [bulk.BulkPayment(plant.customer, D("40.00"), PaymentMethod.CASH, sale_id=bill.pk)] * 2
    with pytest.raises(InvalidDocument) as refused, transaction.atomic():
        bulk.post_payments(by=manager_user, date=timezone.localdate(), payments=halves)
    assert "owes 20.00" in str(refused.value.fields["amount"])
    assert not Payment.objects.exists()


def test_bulk_bills_take_each_customers_list_prices_as_one_at_a_time_bills_do(stocked, manager_user):
    """Each price list's prices are read once for the batch; every bill still gets its own list's
    price (or the default list's, or the item's), noted on the line as create_sale notes it."""
    plant, day = stocked, timezone.localdate() - timedelta(days=1)
    default = pricing.save_price_list(by=manager_user, name="Standard", is_default=True)
    distributors = pricing.save_price_list(by=manager_user, name="Distributors")
    pricing.set_price(by=manager_user, price_list=default, item=plant.bottle, price=D("5.50"), valid_from=day)
    pricing.set_price(
        by=manager_user, price_list=distributors, item=plant.cap, price=D("0.80"), valid_from=day
    )
    distributor = save_customer(by=manager_user, name="Patil Water Supply", price_list=distributors)
    bills = [
        (distributor, [SaleLineInput(plant.bottle, 5), SaleLineInput(plant.cap, 4)]),  # default, own list
        (plant.customer, [SaleLineInput(plant.bottle, 3), SaleLineInput(plant.cap, 2, D("0.90"))]),
        (distributor, [SaleLineInput(plant.preform, 2)]),  # on no list: the item's default price
        (plant.other, [SaleLineInput(plant.bottle, 1, D("5.60"))]),
    ]
    plant.preform.default_price = D("3.10")
    plant.preform.save()

    def lines():
        return sorted(
            SaleLine.objects.values_list(
                "sale__number", "sale__customer", "item", "unit_price", "list_price", "amount"
            )
        )

    with transaction.atomic():
        for customer, given in bills:
            create_sale(by=manager_user, customer=customer, lines=given, date=day, submit=True)
        one_at_a_time = lines()
        transaction.set_rollback(True)
    with transaction.atomic():
        bulk.post_bills(by=manager_user, date=day, bills=[bulk.BulkBill(c, given) for c, given in bills])
    assert lines() == one_at_a_time
    prices = {(customer, item): (price, listed) for _n, customer, item, price, listed, _a in lines()}
    assert prices[(distributor.pk, plant.bottle.pk)] == (D("5.50"), D("5.50"))
    assert prices[(distributor.pk, plant.cap.pk)] == (D("0.80"), D("0.80"))
    assert prices[(plant.customer.pk, plant.cap.pk)] == (D("0.90"), None)
    assert prices[(distributor.pk, plant.preform.pk)] == (D("3.10"), None)
