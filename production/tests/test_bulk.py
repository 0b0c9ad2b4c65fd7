"""The bulk path of production runs writes what ``create_run(submit=True)`` writes, run by run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.errors import InsufficientStock
from inventory.models import StockBalance, StockMovement
from inventory.verification import verify_ledger
from production import bulk
from production.models import ProductionRun, RejectReason, RunInput, RunReject
from production.services import InputLine, RejectLine, create_run
from reporting.models import StockDay
from reporting.summaries import differences
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(plant, manager_user):
    """Preforms and caps bought at two prices each, so averages do not divide evenly."""
    plant.buy(manager_user, (plant.preform, 300, "1.10"), (plant.cap, 400, "0.50"))
    plant.buy(manager_user, (plant.preform, 97, "1.23"), (plant.cap, 30, "0.53"))
    return plant


def _runs(plant) -> list[dict]:
    """Recipe runs with rejects and scrap, one with typed inputs; the last takes every preform left."""
    return [
        dict(
            good_quantity=120,
            machine="BM-1",
            shift="day",
            rejects=[RejectLine(RejectReason.BURST, 4), RejectLine(RejectReason.THIN_WALL, 3)],
            conversion_cost=D("21.60"),
            scrap_item=plant.scrap,
            scrap_quantity=7,
            scrap_value=D("0.56"),
        ),
        dict(
            good_quantity=95,
            machine="BM-2",
            shift="night",
            rejects=[RejectLine(RejectReason.DEFORMED, 2)],
            inputs=[InputLine(plant.preform, 99), InputLine(plant.cap, 97)],
            conversion_cost=D("17.10"),
        ),
        dict(good_quantity=60, machine="BM-3", shift="evening", conversion_cost=D("10.80")),
        dict(
            good_quantity=110,
            machine="BM-1",
            shift="evening",
            rejects=[RejectLine(RejectReason.SHORT_SHOT, 1)],
            conversion_cost=D("19.80"),
        ),
    ]


def _last_per_object(history, *fields):
    """Each object's newest history row: the state it was left in, and by whom."""
    newest = {}
    for row in history.order_by("history_date", "history_id").values("id", *fields, "history_user"):
        newest[row.pop("id")] = row
    return sorted(tuple(row.values()) for row in newest.values())


def _snapshot() -> dict:
    """Everything posting runs writes, without ids (the two paths take different ones)."""
    run_fields = (
        "number", "product", "good_quantity", "machine", "shift", "date", "status", "conversion_cost",
        "scrap_item", "scrap_quantity", "scrap_value", "input_value", "unit_cost", "total", "created_by",
    )  # fmt: skip
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
            )  # fmt: skip
        ),
        "balances": list(
            StockBalance.objects.order_by("item_id").values_list("item_id", "quantity", "value")
        ),
        "runs": list(ProductionRun.objects.order_by("number").values_list(*run_fields)),
        "inputs": list(
            RunInput.objects.order_by("run__number", "id").values_list(
                "run__number", "item", "quantity", "value"
            )
        ),
        "rejects": list(
            RunReject.objects.order_by("run__number", "id").values_list("run__number", "reason", "quantity")
        ),
        "run history": _last_per_object(ProductionRun.history, *run_fields),
        "input history": _last_per_object(RunInput.history, "run__number", "item", "quantity", "value"),
        "reject history": _last_per_object(RunReject.history, "run__number", "reason", "quantity"),
        "stock days": sorted(
            StockDay.objects.values_list("date", "item", "kind", "quantity", "value", "movements")
        ),
    }


def test_runs_posted_in_bulk_equal_those_posted_one_at_a_time(stocked, manager_user):
    plant, day = stocked, timezone.localdate() - timedelta(days=1)
    before = ledger_state()
    with transaction.atomic():
        for run in _runs(plant):
            made = create_run(by=manager_user, product=plant.bottle, date=day, submit=True, **run)
            assert made.status == "posted"
        one_at_a_time = _snapshot()
        assert verify_ledger() == [] and differences() == []
        transaction.set_rollback(True)

    assert ledger_state() == before  # the rollback left the plant as it was (numbers too)
    with transaction.atomic():
        bulk.post_runs(
            by=manager_user,
            date=day,
            runs=[bulk.BulkRun(product=plant.bottle, **run) for run in _runs(plant)],
        )
    in_bulk = _snapshot()
    assert len(in_bulk["runs"]) == 4 and in_bulk["movements"]
    for part, rows in one_at_a_time.items():
        assert in_bulk[part] == rows, part
    assert StockBalance.objects.get(item=plant.preform).quantity == 0  # the last run emptied it
    assert verify_ledger() == [] and differences() == []
    # Each run, input and reject has exactly one history row, written by the one who entered it.
    assert ProductionRun.history.filter(history_type="+", history_user=manager_user).count() == 4
    assert RunInput.history.count() == RunInput.objects.count()


def test_a_bulk_posting_with_a_run_short_of_inputs_writes_nothing(stocked, manager_user):
    plant, day = stocked, timezone.localdate() - timedelta(days=1)
    runs = [
        *_runs(plant),
        dict(good_quantity=5, machine="BM-4", shift="day", conversion_cost=D("5.00")),
    ]  # no preform left
    before = ledger_state()
    with pytest.raises(InsufficientStock) as refused, transaction.atomic():
        bulk.post_runs(
            by=manager_user, date=day, runs=[bulk.BulkRun(product=plant.bottle, **r) for r in runs]
        )
    assert str(refused.value) == "Not enough stock for this run — PF-500: 0 in stock, 5 needed."
    assert ledger_state() == before


@override_settings(RUN_APPROVAL_THRESHOLD=D("150"))
def test_a_bulk_posting_refuses_a_run_that_would_wait_for_approval(stocked, manager_user):
    plant, day = stocked, timezone.localdate() - timedelta(days=1)
    before = ledger_state()
    with pytest.raises(bulk.NeedsApproval) as refused, transaction.atomic():
        bulk.post_runs(
            by=manager_user, date=day, runs=[bulk.BulkRun(product=plant.bottle, **r) for r in _runs(plant)]
        )
    assert "would wait for approval (run value" in str(refused.value)
    assert ledger_state() == before
