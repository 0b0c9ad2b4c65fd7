"""Closing a period against postings in flight, on PostgreSQL: no posting dated in the period
commits after the close commits (inventory/period_lock.py)."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import PeriodClosed
from inventory import ledger, period_lock
from inventory.models import ClosedPeriod
from inventory.services import close_period
from inventory.verification import verify_ledger
from sales.models import Sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Bounded waits, so a broken lock shows as a failed assertion instead of a hung run.
WAIT = 5


def run_together(jobs: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run each job in its own named thread, released together by a barrier; results or errors."""
    barrier = threading.Barrier(len(jobs), timeout=60)
    results: dict[str, object] = {}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[name] = job()
        except Exception as error:  # collected and asserted on by the test
            results[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a posting or the close hung"
    return results


@pytest.fixture
def period_end():
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def test_a_close_waits_for_a_posting_in_flight_dated_in_the_period(
    roles_exist, plant, staff_user, manager_user, period_end, monkeypatch
):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"))
    inside = period_end - timedelta(days=2)
    posting_in_flight, close_committed = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}
    lock_balances = ledger.lock_balances

    def lock_then_hold(item_ids):
        # The bill has passed its period check and holds its stock locks: it is in flight.
        locked = lock_balances(item_ids)
        if threading.current_thread().name == "bill":
            posting_in_flight.set()
            seen["close committed while the bill was in flight"] = close_committed.wait(WAIT)
        return locked

    monkeypatch.setattr(ledger, "lock_balances", lock_then_hold)

    def close():
        assert posting_in_flight.wait(WAIT * 4)
        period = close_period(by=manager_user, through=period_end)
        close_committed.set()
        return period

    results = run_together(
        {"bill": lambda: plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=inside), "close": close}
    )

    assert isinstance(results["close"], ClosedPeriod), results["close"]
    assert isinstance(results["bill"], Sale), results["bill"]
    assert seen == {"close committed while the bill was in flight": False}
    assert Sale.objects.get().status == "posted"
    assert verify_ledger() == []


def test_a_posting_dated_in_the_period_that_starts_while_the_close_runs_is_refused(
    roles_exist, plant, staff_user, manager_user, period_end, monkeypatch
):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"))
    inside = period_end - timedelta(days=2)
    close_holds_lock, bill_at_lock = threading.Event(), threading.Event()
    hold_exclusively, share = period_lock.hold_exclusively, period_lock.share

    def hold_then_wait():
        hold_exclusively()
        close_holds_lock.set()
        bill_at_lock.wait(WAIT)  # let the bill reach the period lock before the close commits

    def share_when_asked():
        if threading.current_thread().name == "bill":
            bill_at_lock.set()
        share()

    monkeypatch.setattr(period_lock, "hold_exclusively", hold_then_wait)
    monkeypatch.setattr(period_lock, "share", share_when_asked)

    def bill():
        assert close_holds_lock.wait(WAIT * 4)
        return plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=inside)

    results = run_together({"bill": bill, "close": lambda: close_period(by=manager_user, through=period_end)})

    assert isinstance(results["close"], ClosedPeriod), results["close"]
    assert isinstance(results["bill"], PeriodClosed), results["bill"]
    assert not Sale.objects.exists()
    assert verify_ledger() == []


def test_bills_dated_in_the_period_racing_a_close_either_post_or_are_refused_and_nothing_deadlocks(
    roles_exist, plant, staff_user, manager_user, period_end
):
    plant.buy(manager_user, (plant.bottle, 100, "3.00"))
    inside = period_end - timedelta(days=1)

    def bill():
        return plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=inside)

    jobs = {f"bill-{i}": bill for i in range(12)}
    jobs["close"] = lambda: close_period(by=manager_user, through=period_end)
    results = run_together(jobs)

    assert isinstance(results["close"], ClosedPeriod), results["close"]
    refused = [r for r in results.values() if isinstance(r, Exception)]
    # Refused at entry (the date check saw the close) or at posting (the period lock did).
    assert all("is in a closed period" in str(r) for r in refused), refused
    posted = [r for r in results.values() if isinstance(r, Sale)]
    assert len(posted) + len(refused) == 12
    assert Sale.objects.filter(status="posted").count() == len(posted)
    assert verify_ledger() == []
