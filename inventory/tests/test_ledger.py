"""The posting engine itself: moving-average rounding, the empty-item rule, exact reversals."""

from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import InsufficientStock, LedgerConflict
from inventory import ledger
from inventory.models import StockBalance, StockMovement
from inventory.verification import verify_ledger

pytestmark = pytest.mark.django_db
D = Decimal


def post(user, *changes, kind="purchase", number="T-1", source_id=1):
    with transaction.atomic():
        return ledger.post(
            changes=[ledger.StockChange(*change) for change in changes],
            kind=kind,
            date=user.date_joined.date(),
            source=ledger.Source(type="test.doc", id=source_id, number=number),
            by=user,
        )


def stock(item):
    balance = StockBalance.objects.get(item=item)
    return balance.quantity, balance.value


def test_an_outflow_takes_its_share_of_value_rounded_half_up_to_the_cent(plant, manager_user):
    post(manager_user, (plant.cap.pk, 3, D("1.00")))  # 0.3333… each
    (first,) = post(manager_user, (plant.cap.pk, -1), kind="sale")
    assert (first.value, first.unit_cost) == (D("-0.33"), D("0.3300"))
    post(manager_user, (plant.preform.pk, 8, D("0.10")))
    (half,) = post(manager_user, (plant.preform.pk, -1), kind="sale")  # 0.0125 → 0.01
    assert half.value == D("-0.01")
    (odd,) = post(manager_user, (plant.preform.pk, -3), kind="sale")  # 3 × 0.09 / 7 = 0.03857 → 0.04
    assert odd.value == D("-0.04")


def test_the_outflow_that_empties_an_item_takes_all_its_remaining_value(plant, manager_user):
    post(manager_user, (plant.cap.pk, 3, D("1.00")))
    values = [post(manager_user, (plant.cap.pk, -1), kind="sale")[0].value for _ in range(3)]
    # 1/3 of 1.00 → 0.33; 1/2 of 0.67 → 0.34 (half up); the last unit takes what is left, 0.33.
    assert values == [D("-0.33"), D("-0.34"), D("-0.33")]
    assert stock(plant.cap) == (0, D("0.00"))
    assert verify_ledger() == []


def test_a_posting_short_on_any_item_writes_nothing_at_all(plant, manager_user):
    post(manager_user, (plant.cap.pk, 5, D("1.00")), (plant.preform.pk, 5, D("1.00")))
    with pytest.raises(InsufficientStock) as refused:
        post(manager_user, (plant.cap.pk, -2), (plant.preform.pk, -6), kind="sale")
    assert [(s.sku, s.available, s.requested) for s in refused.value.shortages] == [("PF-500", 5, 6)]
    assert stock(plant.cap) == (5, D("1.00"))
    assert StockMovement.objects.count() == 2


def test_reversing_a_posting_negates_each_movement_exactly(plant, manager_user):
    post(manager_user, (plant.preform.pk, 4, D("2.00")), number="B", source_id=2)
    post(manager_user, (plant.cap.pk, 3, D("1.00")))
    post(manager_user, (plant.preform.pk, -1), kind="sale")  # the same document also takes one out
    with transaction.atomic():
        undone = ledger.reverse(
            source=ledger.Source(type="test.doc", id=1, number="T-1"),
            date=manager_user.date_joined.date(),
            by=manager_user,
        )
    assert sorted((m.quantity, m.value) for m in undone) == [(-3, D("-1.00")), (1, D("0.50"))]
    assert all(m.reverses_id for m in undone)
    assert stock(plant.cap) == (0, D("0.00"))
    assert stock(plant.preform) == (4, D("2.00"))
    assert verify_ledger() == []


def test_undoing_an_inflow_whose_value_has_since_left_is_refused(plant, manager_user):
    post(manager_user, (plant.cap.pk, 10, D("10.00")), number="A")
    with transaction.atomic():
        ledger.post(
            changes=[ledger.StockChange(plant.cap.pk, 10, D("0.00"))],
            kind="purchase",
            date=manager_user.date_joined.date(),
            source=ledger.Source(type="test.other", id=2, number="B"),
            by=manager_user,
        )
    post(manager_user, (plant.cap.pk, -10), kind="sale")  # takes 5.00 at the 0.50 average
    with pytest.raises(LedgerConflict, match="CAP-28: undoing this would leave 0 in stock valued at -5.00"):
        post(manager_user, (plant.cap.pk, -10, D("-10.00")), kind="reversal")
    assert stock(plant.cap) == (10, D("5.00"))


def test_an_inflow_without_a_value_or_with_a_negative_one_is_a_programming_error(plant, manager_user):
    with pytest.raises(ValueError):
        post(manager_user, (plant.cap.pk, 1))
    with pytest.raises(ValueError):
        post(manager_user, (plant.cap.pk, 1, D("-0.01")))
    assert not StockMovement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_posting_outside_a_transaction_is_refused(plant, manager_user):
    with pytest.raises(RuntimeError, match="must run inside transaction.atomic"):
        ledger.post(
            changes=[ledger.StockChange(plant.cap.pk, 1, D("1"))],
            kind="purchase",
            date=manager_user.date_joined.date(),
            source=ledger.Source(type="test.doc", id=1, number="T-1"),
            by=manager_user,
        )


def test_balances_are_locked_in_item_order_whatever_order_they_are_asked_in(
    plant, manager_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(manager_user, (plant.cap.pk, 1, D("1")), (plant.preform.pk, 1, D("1")), (plant.bottle.pk, 1, D("1")))
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        locked = ledger.lock_balances([plant.bottle.pk, plant.preform.pk, plant.cap.pk, plant.cap.pk])
    assert list(locked) == sorted([plant.bottle.pk, plant.preform.pk, plant.cap.pk])
    (query,) = captured.captured_queries
    assert 'ORDER BY "item_id"' in query["sql"]
    if connection.vendor == "postgresql":
        assert query["sql"].endswith("FOR UPDATE")


def test_a_draft_with_movements_fails_verification(plant, staff_user, manager_user):
    draft = plant.buy(staff_user, (plant.cap, 5, "1.00"), submit=False)
    with transaction.atomic():
        ledger.post(
            changes=[ledger.StockChange(plant.cap.pk, 5, D("5.00"))],
            kind="purchase",
            date=draft.date,
            source=ledger.Source.of(draft),
            by=manager_user,
        )
    assert verify_ledger() == [f"purchase #{draft.pk} is draft but has 1 stock movements"]


def test_movements_are_stored_exactly_as_posted_with_their_ids(plant, manager_user):
    bought = post(manager_user, (plant.cap.pk, 3, D("1.00")), (plant.bottle.pk, 2, D("0.50")))
    (sold,) = post(manager_user, (plant.cap.pk, -1), kind="sale", number="T-2", source_id=2)
    fields = [f.attname for f in StockMovement._meta.concrete_fields]
    for movement in [*bought, sold]:
        stored = StockMovement.objects.get(pk=movement.pk)
        assert [getattr(stored, f) for f in fields] == [getattr(movement, f) for f in fields]
    assert sold.posted_at is not None and sold.source_number == "T-2" and sold.posted_by_id == manager_user.pk
    assert [m.pk for m in bought] == sorted(m.pk for m in bought)
