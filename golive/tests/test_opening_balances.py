"""Opening balances on the go-live date: stock at its cost, customers' and suppliers' dues."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import InvalidDocument, NotAllowed, PeriodClosed
from golive import services
from inventory.models import MovementKind, StockBalance, StockMovement
from inventory.services import close_period
from inventory.verification import verify_ledger
from purchasing import selectors as purchasing_selectors
from reporting import summaries
from reporting.periods import Period
from reporting.reports import customers as receivables
from reporting.reports import payables, stock
from sales import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def go_live(settings):
    day = timezone.localdate() - timedelta(days=10)
    settings.GO_LIVE_DATE = day
    return day


def test_opening_stock_enters_at_its_cost_and_a_later_bill_takes_that_cogs(plant, manager_user, go_live):
    opening = services.enter_opening_stock(
        by=manager_user, item=plant.bottle, quantity=300, unit_cost=Decimal("2.1500")
    )
    assert opening.date == go_live and opening.value == Decimal("645.00")
    movement = StockMovement.objects.get(item=plant.bottle)
    assert (movement.kind, movement.quantity, movement.value, movement.date) == (
        MovementKind.OPENING,
        300,
        Decimal("645.00"),
        go_live,
    )
    balance = StockBalance.objects.get(item=plant.bottle)
    assert (balance.quantity, balance.value) == (300, Decimal("645.00"))
    rows, totals = stock.valuation_rows(go_live)
    assert [(r["sku"], r["quantity"], r["value"]) for r in rows] == [("BTL-500", 300, Decimal("645.00"))]

    sale = plant.sell(manager_user, (plant.bottle, 100, "5.00"))
    line = sale.lines.get()
    assert line.cost == Decimal("215.00") and sale.cost == Decimal("215.00")
    assert verify_ledger() == []
    assert summaries.differences() == []


def test_an_item_gets_its_opening_stock_once(plant, manager_user, go_live):
    services.enter_opening_stock(by=manager_user, item=plant.preform, quantity=10, unit_cost=Decimal("1"))
    with pytest.raises(InvalidDocument) as refused:
        services.enter_opening_stock(by=manager_user, item=plant.preform, quantity=10, unit_cost=Decimal("1"))
    assert "already has its opening stock" in str(refused.value.fields["item"])
    assert StockBalance.objects.get(item=plant.preform).quantity == 10


def test_opening_balances_are_refused_once_the_go_live_period_is_closed(plant, manager_user, go_live):
    close_period(by=manager_user, through=go_live)
    with pytest.raises(PeriodClosed):
        services.enter_opening_stock(by=manager_user, item=plant.cap, quantity=5, unit_cost=Decimal("1"))
    with pytest.raises(PeriodClosed):
        services.enter_customer_due(by=manager_user, customer=plant.customer, amount=Decimal("10"))
    with pytest.raises(PeriodClosed):
        services.enter_supplier_due(by=manager_user, supplier=plant.supplier, amount=Decimal("10"))
    assert not StockMovement.objects.exists()


def test_staff_may_not_enter_opening_balances(plant, staff_user, go_live):
    with pytest.raises(NotAllowed):
        services.enter_opening_stock(by=staff_user, item=plant.cap, quantity=5, unit_cost=Decimal("1"))
    with pytest.raises(NotAllowed):
        services.enter_customer_due(by=staff_user, customer=plant.customer, amount=Decimal("10"))


def test_opening_customer_dues_appear_in_receivables(plant, manager_user, go_live):
    services.enter_customer_due(by=manager_user, customer=plant.customer, amount=Decimal("1250.50"))
    assert selectors.customer_outstanding(plant.customer) == Decimal("1250.50")
    assert selectors.total_outstanding() == Decimal("1250.50")
    today = timezone.localdate()
    assert receivables.outstanding_at(today)[plant.customer.pk] == Decimal("1250.50")
    assert receivables.total_outstanding_at(today) == Decimal("1250.50")
    aged = receivables.ageing(today)
    assert [(row[0], Decimal(row[1])) for row in aged] == [(plant.customer.pk, Decimal("1250.50"))]
    report = receivables.build(Period(go_live, today))
    assert report is not None
    assert summaries.differences() == []
    summaries.rebuild()
    assert receivables.total_outstanding_at(today) == Decimal("1250.50")
    with pytest.raises(InvalidDocument):
        services.enter_customer_due(by=manager_user, customer=plant.customer, amount=Decimal("1"))


def test_opening_supplier_due_is_kept_once(plant, manager_user, go_live):
    due = services.enter_supplier_due(by=manager_user, supplier=plant.supplier, amount=Decimal("900.00"))
    assert plant.supplier.opening_due == due and due.date == go_live
    with pytest.raises(InvalidDocument):
        services.enter_supplier_due(by=manager_user, supplier=plant.supplier, amount=Decimal("900.00"))
    assert due.history.count() == 1


def test_an_opening_supplier_due_is_owed_in_payables_and_aged_from_the_go_live_day(
    plant, manager_user, go_live
):
    services.enter_supplier_due(by=manager_user, supplier=plant.supplier, amount=Decimal("900.00"))
    assert purchasing_selectors.supplier_outstanding(plant.supplier) == Decimal("900.00")
    today = timezone.localdate()
    report = payables.build(Period(go_live, today))
    [row] = report.table("ageing").rows
    assert row["supplier"] == plant.supplier.name
    assert row["outstanding"] == Decimal("900.00")
    assert row["days_0_30"] == Decimal("900.00")  # the go-live day is ten days back
    # Before the go-live day nothing was owed yet.
    assert purchasing_selectors.supplier_outstanding(plant.supplier, upto=go_live - timedelta(days=1)) == 0


def test_verify_ledger_flags_an_opening_movement_without_its_entry(plant, manager_user, go_live):
    from inventory import ledger

    opening = services.enter_opening_stock(
        by=manager_user, item=plant.cap, quantity=4, unit_cost=Decimal("0.5")
    )
    assert verify_ledger() == []
    with transaction.atomic():
        ledger.post(
            changes=[ledger.StockChange(item_id=plant.cap.pk, quantity=1, value=Decimal("0.50"))],
            kind=MovementKind.OPENING,
            date=go_live,
            source=ledger.Source(type="inventory.openingstock", id=opening.pk + 1, number="Opening"),
            by=manager_user,
        )
    assert verify_ledger() == [f"movements point at missing opening stock #{opening.pk + 1}"]


def test_the_stock_movement_report_shows_opening_stock_so_closing_adds_up(plant, manager_user, go_live):
    services.enter_opening_stock(by=manager_user, item=plant.preform, quantity=50, unit_cost=Decimal("1.10"))
    rows, totals = stock.movement_rows(Period(go_live, timezone.localdate()))
    (row,) = rows
    assert (row["brought_in_quantity"], row["brought_in_value"]) == (50, Decimal("55.00"))
    assert (row["opening_quantity"], row["closing_quantity"], row["closing_value"]) == (
        0,
        50,
        Decimal("55.00"),
    )
