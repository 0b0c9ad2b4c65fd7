"""Real concurrency on PostgreSQL: threads released together by a barrier, each on its own connection."""

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import InsufficientStock
from documents.numbering import financial_year_label
from inventory.models import StockBalance
from inventory.verification import verify_ledger
from production.services import create_run
from purchasing.models import Purchase
from sales.models import Sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def race(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, all starting at once; return each result or exception."""
    barrier = threading.Barrier(len(jobs), timeout=60)
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a posting hung"
    return results


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


def unexpected(results, *allowed):
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, allowed)]


def test_fifty_one_unit_sales_against_ten_in_stock_post_exactly_ten(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    results = race([lambda: plant.sell(staff_user, (plant.bottle, 1, "5.00")) for _ in range(50)])

    assert unexpected(results, InsufficientStock) == []
    posted = [r for r in results if isinstance(r, Sale)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(posted), len(refused)) == (10, 40)
    assert all(str(r) == "Not enough stock — BTL-500: 0 in stock, 1 requested." for r in refused)
    assert stock(plant.bottle) == (0, D("0.00"))
    year = financial_year_label(posted[0].date)
    assert sorted(Sale.objects.values_list("number", flat=True)) == [
        f"S/{year}/{n:05d}" for n in range(1, 11)
    ]
    assert verify_ledger() == []


def test_thirty_two_item_bills_in_opposite_orders_never_deadlock(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))

    def bill(i: int):
        lines = [(plant.preform, 1, "3.00"), (plant.cap, 2, "1.00")]
        return plant.sell(staff_user, *(lines if i % 2 else reversed(lines)))

    results = race([lambda i=i: bill(i) for i in range(30)])

    assert unexpected(results) == []
    assert all(r.status == "posted" for r in results)
    assert stock(plant.preform) == (70, D("140.00"))
    assert stock(plant.cap) == (40, D("20.00"))
    assert verify_ledger() == []


def test_a_run_racing_sales_of_its_preforms_never_drives_stock_negative(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    run = lambda: create_run(  # noqa: E731
        by=staff_user, product=plant.bottle, good_quantity=60, machine="BM-1", shift="day", submit=True
    )
    sale = lambda: plant.sell(staff_user, (plant.preform, 5, "3.00"))  # noqa: E731
    results = race([run] + [sale] * 10)

    assert unexpected(results, InsufficientStock) == []
    done = [r for r in results if not isinstance(r, Exception)]
    preforms_used = sum(60 if r._meta.model_name == "productionrun" else 5 for r in done)
    assert preforms_used <= 100
    assert stock(plant.preform)[0] == 100 - preforms_used
    assert all(b.quantity >= 0 and b.value >= 0 for b in StockBalance.objects.all())
    assert verify_ledger() == []


def test_concurrent_postings_get_gapless_unique_numbers(plant, staff_user):
    results = race([lambda: plant.buy(staff_user, (plant.cap, 1, "0.50")) for _ in range(20)])

    assert unexpected(results) == []
    year = financial_year_label(results[0].date)
    assert sorted(Purchase.objects.values_list("number", flat=True)) == [
        f"P/{year}/{n:05d}" for n in range(1, 21)
    ]
    assert stock(plant.cap) == (20, D("10.00"))


def test_one_request_key_sent_ten_times_at_once_makes_one_bill(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    key = uuid.uuid4()
    results = race([lambda: plant.sell(staff_user, (plant.bottle, 2, "5.00"), request_key=key)] * 10)

    assert unexpected(results) == []
    assert {r.pk for r in results} == set(Sale.objects.values_list("pk", flat=True))
    assert Sale.objects.count() == 1
    assert stock(plant.bottle) == (8, D("24.00"))


def test_concurrent_bills_never_take_a_customer_past_their_credit_limit(plant, staff_user, manager_user):
    from sales.services import CreditLimitExceeded, save_customer

    customer = save_customer(by=manager_user, name="Small Shop", credit_limit=D("30.00"))
    plant.buy(staff_user, (plant.bottle, 100, "3.00"))
    results = race([lambda: plant.sell(staff_user, (plant.bottle, 2, "5.00"), customer=customer)] * 10)

    assert unexpected(results, CreditLimitExceeded) == []
    assert sum(isinstance(r, Sale) for r in results) == 3  # 3 × 10.00 reaches the 30.00 limit exactly
    assert stock(plant.bottle) == (94, D("282.00"))
