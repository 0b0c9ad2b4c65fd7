"""A failure after the stock has moved, inside a posting, undoes the whole posting."""

from decimal import Decimal

import pytest

from core import rows
from documents import lifecycle
from documents.numbering import financial_year_label
from inventory import ledger
from inventory.models import Item, StockBalance
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


class Crash(Exception):
    pass


@pytest.fixture
def draft(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"), (plant.cap, 10, "0.50"))
    return plant.sell(staff_user, (plant.bottle, 4, "5.00"), (plant.cap, 1, "1.00"), submit=False)


def crash_after_stock_moved(seen: list):
    """A stand-in that records the balance it sees (already moved) and then fails.

    It reads with ``core.rows``: it may run inside the posting's pipeline, which refuses the ORM.
    """

    def crash(*args, **kwargs):
        bottle = rows.first(Item, sku="BTL-500")
        seen.append(rows.first(StockBalance, item=bottle.pk).quantity)
        raise Crash("disk full")

    return crash


def crash_after(real, seen: list):
    """``real``, then a crash once it has run."""

    def run_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        crash_after_stock_moved(seen)()

    return run_then_crash


@pytest.mark.parametrize("where", ["after the ledger wrote", "while the summaries are updated"])
def test_a_fault_after_the_stock_update_leaves_no_trace(draft, plant, staff_user, monkeypatch, where):
    seen: list[int] = []
    if where == "after the ledger wrote":
        monkeypatch.setattr(ledger.PricedPosting, "record", crash_after(ledger.PricedPosting.record, seen))
    else:
        monkeypatch.setattr(lifecycle, "_notify", crash_after(lifecycle._notify, seen))
    before = ledger_state()

    with pytest.raises(Crash):
        lifecycle.submit(document=draft, by=staff_user)

    assert seen == [6]  # the fault really struck after the balance had moved
    assert ledger_state() == before
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.cost) == ("draft", None, None)
    assert StockBalance.objects.get(item=plant.bottle).quantity == 10

    monkeypatch.undo()
    posted = lifecycle.submit(document=draft, by=staff_user)
    assert (
        posted.number == f"S/{financial_year_label(posted.date)}/00001"
    )  # the failed posting's number came back
