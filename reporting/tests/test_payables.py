"""Payables: outstanding per supplier and the per-bill ageing add up to the bills less payments."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from purchasing.services import AllocationInput, record_supplier_payment, save_supplier
from reporting.periods import Period
from reporting.reports import payables

pytestmark = pytest.mark.django_db
D = Decimal


def test_payables_age_each_open_bill_by_its_date_and_show_money_on_account(plant, staff_user, manager_user):
    today = timezone.localdate()
    save_supplier(by=manager_user, supplier=plant.supplier, name=plant.supplier.name, credit_days=15)
    old = plant.buy(staff_user, (plant.preform, 1000, "2.00"), date=today - timedelta(days=70))  # 2000
    mid = plant.buy(staff_user, (plant.cap, 1000, "0.45"), date=today - timedelta(days=40))  # 450
    new = plant.buy(staff_user, (plant.preform, 100, "2.10"), date=today - timedelta(days=5))  # 210
    record_supplier_payment(
        by=staff_user,
        supplier=plant.supplier,
        amount=D("1300.00"),
        method="bank",
        allocations=[AllocationInput(purchase=old, amount=D("1200.00"))],
        date=today - timedelta(days=3),
    )  # 100 kept on account
    report = payables.build(Period(today - timedelta(days=29), today))
    (row,) = report.table("ageing").rows
    assert row["outstanding"] == D("2660.00") - D("1300.00") == D("1360.00")
    assert (row["days_0_30"], row["days_31_60"], row["days_61_90"], row["days_over_90"]) == (
        D("210.00"),
        D("450.00"),
        D("800.00"),
        D("0.00"),
    )
    assert row["on_account"] == D("-100.00")
    assert (
        row["days_0_30"] + row["days_31_60"] + row["days_61_90"] + row["days_over_90"] + row["on_account"]
        == row["outstanding"]
    )
    bills = {r["number"]: r for r in report.table("bills").rows}
    assert bills[old.number]["outstanding"] == D("800.00")
    assert bills[old.number]["due_date"] == old.date + timedelta(days=15)
    assert bills[old.number]["days_overdue"] == 55
    assert bills[new.number]["days_overdue"] == 0
    assert bills[mid.number]["age"] == "31–60 days"
    (supplier,) = report.table("suppliers").rows
    assert (supplier["billed"], supplier["paid"], supplier["outstanding"]) == (
        D("210.00"),
        D("1300.00"),
        D("1360.00"),
    )
    # Ten days earlier nothing was paid yet and the newest bill did not exist.
    earlier = payables.build(Period(today - timedelta(days=10), today - timedelta(days=10)))
    assert earlier.table("ageing").rows[0]["outstanding"] == D("2450.00")


def test_payables_report_page_csv_and_api_agree(plant, staff_user, manager_client):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    page = manager_client.get("/reports/payables/")
    assert page.status_code == 200 and b"Payables ageing" in page.content
    assert manager_client.get("/reports/payables/", {"export": "csv"}).status_code == 200
    api = manager_client.get("/api/v1/reports/payables/").json()
    assert any(t["name"] == "ageing" for t in api["tables"])
