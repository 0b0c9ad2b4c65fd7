"""Net profit: gross profit less stock write-offs and expenses, by month, against the period before."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.services import CountLineInput, create_stock_count
from production.services import create_run
from reporting.periods import Period
from reporting.reports import production, profit_loss

pytestmark = pytest.mark.django_db
D = Decimal


def spend(by, code, amount, day, tax="0"):
    return record_expense(
        by=by,
        category=ExpenseCategory.objects.get(code=code),
        amount=D(amount),
        input_tax=D(tax),
        method="cash",
        date=day,
    )


@pytest.fixture
def year(plant, staff_user, manager_user):
    today = timezone.localdate()
    start = today - timedelta(days=59)
    plant.buy(staff_user, (plant.bottle, 1000, "3.00"), date=start)  # 3.00 a bottle
    plant.sell(staff_user, (plant.bottle, 100, "5.00"), date=start + timedelta(days=1))  # previous 30 days
    plant.sell(staff_user, (plant.bottle, 300, "5.00", "10.00"), date=today - timedelta(days=2))  # 1490
    count = create_stock_count(
        by=manager_user,
        lines=[CountLineInput(item=plant.bottle, quantity=596)],
        date=today - timedelta(days=1),
        submit=True,
    )  # 600 on hand, 596 counted: 4 lost at 3.00
    spend(staff_user, "power", "300.00", today - timedelta(days=5), tax="54.00")
    spend(staff_user, "wages", "250.50", today - timedelta(days=4))
    spend(staff_user, "power", "40.00", start + timedelta(days=2))  # the period before
    cancelled = spend(staff_user, "rent", "999.00", today - timedelta(days=3))
    lifecycle.cancel(document=cancelled, by=manager_user, reason="typed twice")
    return {"today": today, "start": start, "count": count}


def test_net_profit_is_gross_profit_less_write_offs_and_expenses_before_tax(year):
    period = Period(year["today"] - timedelta(days=29), year["today"])
    report = profit_loss.build(period, "month")
    summary = {r["figure"]: r for r in report.table("summary").rows}
    # 300 × 5 − 10 = 1490 revenue; COGS 900; gross 590; 4 × 3.00 = 12 lost; 300 + 250.50 spent.
    assert summary["Revenue"]["this_period"] == D("1490.00")
    assert summary["Gross profit"]["this_period"] == D("590.00")
    assert summary["Stock count write-offs"]["this_period"] == D("12.00")
    assert summary["Expenses"]["this_period"] == D("550.50")
    assert summary["Net profit"]["this_period"] == D("27.50")
    # The 30 days before: 100 × 5 = 500 revenue, 300 COGS, 40 power.
    assert summary["Net profit"]["previous_period"] == D("160.00")
    assert summary["Net profit"]["change"] == D("-132.50")
    by_period = report.table("by_period")
    assert sum(r["net_profit"] for r in by_period.rows) == by_period.totals["net_profit"] == D("27.50")
    assert sum(r["expenses"] for r in by_period.rows) == D("550.50")
    expenses = {r["category"]: r for r in report.table("expenses").rows}
    assert expenses["Power"] == {
        "category": "Power",
        "this_period": D("300.00"),
        "previous_period": D("40.00"),
        "change": D("260.00"),
    }
    assert "Rent" not in expenses  # cancelled
    assert report.table("expenses").totals["this_period"] == D("550.50")
    assert report.charts


def test_the_api_and_the_csv_carry_the_same_net_profit(year, manager_client):
    params = {"start": (year["today"] - timedelta(days=29)).isoformat(), "end": year["today"].isoformat()}
    api = manager_client.get("/api/v1/reports/profit-loss/", params).json()
    by_period = next(t for t in api["tables"] if t["name"] == "by_period")
    assert by_period["totals"]["net_profit"] == "27.50"
    response = manager_client.get("/reports/profit-loss/", {**params, "export": "csv"})
    csv_text = b"".join(response.streaming_content).decode()
    assert "Net profit" in csv_text and "27.50" in csv_text


def test_power_per_thousand_bottles_on_the_production_report(plant, staff_user):
    today = timezone.localdate()
    plant.buy(staff_user, (plant.preform, 2000, "2.00"), (plant.cap, 2000, "0.50"))
    create_run(
        by=staff_user, product=plant.bottle, good_quantity=1600, machine="BM-1", shift="day", submit=True
    )
    spend(staff_user, "power", "2000.00", today, tax="360.00")
    report = production.build(Period(today, today), "item", "month")
    assert report.table("power").rows == [{"power": D("2000.00"), "good": 1600, "per_thousand": D("1250.00")}]
