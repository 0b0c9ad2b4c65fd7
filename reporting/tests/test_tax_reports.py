"""Tax reports worked to the paisa: outward supplies (GSTR-1), input tax, tax payable (GSTR-3B),
and profit without tax; every table reconciles to the documents it sums."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from company.models import SellerProfile
from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from purchasing.models import Supplier
from reporting.models import CustomerBalance
from reporting.periods import Period
from reporting.reports import customers, profit_loss, tax
from sales.models import Customer
from tax.gstin import make_gstin
from tax.models import TaxRate

B2B_GSTIN = make_gstin("29", "AAGCK4321L")


@pytest.fixture
def month(plant, manager_user, staff_user, settings):
    """A month of a Maharashtra (27) plant: one purchase with input tax, a local B2C bill, an
    inter-state B2B bill, and a bill posted and then cancelled."""
    settings.APPROVAL_THRESHOLD = D("100000")
    SellerProfile.objects.create(
        legal_name="Bottleworks", state_code="27", gstin=make_gstin("27", "AABCB1234F")
    )
    for item, rate, hsn in (
        (plant.bottle, "18", "39233090"),
        (plant.cap, "12", "39235010"),
        (plant.preform, "5", "39233010"),
    ):
        item.tax_rate, item.hsn_code = TaxRate.objects.create(name=f"GST {rate}%", rate=D(rate)), hsn
        item.save()
    Supplier.objects.filter(pk=plant.supplier.pk).update(
        gstin=make_gstin("27", "AAFCP5555Q"), state_code="27"
    )
    plant.supplier.refresh_from_db()
    day = date.today().replace(day=1)
    purchase = plant.buy(
        manager_user,
        (plant.bottle, 1000, "3.00"),
        (plant.cap, 333, "0.50"),
        (plant.preform, 10, "6.00"),
        date=day,
    )
    local = Customer.objects.create(name="Pune Kirana", state_code="27")
    b2b = Customer.objects.create(name="Bengaluru Aqua", gstin=B2B_GSTIN, state_code="29", is_registered=True)
    bill_a = plant.sell(
        staff_user, (plant.bottle, 400, "5.25"), (plant.cap, 100, "1.15"), customer=local, date=day
    )
    bill_b = plant.sell(
        staff_user, (plant.bottle, 500, "5.00", "50.00"), (plant.preform, 10, "9.00"), customer=b2b, date=day
    )
    cancelled = plant.sell(staff_user, (plant.bottle, 10, "5.00"), customer=b2b, date=day)
    lifecycle.cancel(document=cancelled, by=manager_user, reason="keyed twice")
    return {
        "period": Period(day, date.today()),
        "purchase": purchase,
        "a": bill_a,
        "b": bill_b,
        "local": local,
        "b2b": b2b,
    }


def test_the_documents_carry_the_worked_figures(month):
    p, a, b = month["purchase"], month["a"], month["b"]
    # Input: 3000.00 @ 18 % (270 + 270), 166.50 @ 12 % (9.99 + 9.99), 60.00 @ 5 % (1.50 + 1.50)
    assert (p.taxable_total, p.tax_total, p.round_off, p.total) == (
        D("3226.50"),
        D("562.98"),
        D("-0.48"),
        D("3789.00"),
    )
    assert (a.taxable_total, a.tax_total, a.round_off, a.total) == (
        D("2215.00"),
        D("391.80"),
        D("0.20"),
        D("2607.00"),
    )
    assert (b.taxable_total, b.tax_total, b.round_off, b.total) == (
        D("2540.00"),
        D("445.50"),
        D("0.50"),
        D("2986.00"),
    )


def test_stock_is_valued_without_the_input_tax_and_the_supplier_is_owed_the_grand_total(month, plant):
    from inventory.models import StockMovement

    values = dict(StockMovement.objects.filter(kind="purchase").values_list("item__sku", "value"))
    assert values == {"BTL-500": D("3000.00"), "CAP-28": D("166.50"), "PF-500": D("60.00")}
    assert month["purchase"].grand_total == D("3789.00")


def test_outward_supplies_by_hsn_b2b_and_b2c(month):
    report = tax.build_outward(month["period"])
    by_hsn = report.table("by_hsn")
    assert [
        (r["hsn_code"], r["tax_rate"], r["quantity"], r["taxable"], r["cgst"], r["sgst"], r["igst"])
        for r in by_hsn.rows
    ] == [
        ("39233010", D("5.00"), 10, D("90.00"), 0, 0, D("4.50")),
        ("39233090", D("18.00"), 900, D("4550.00"), D("189.00"), D("189.00"), D("441.00")),
        ("39235010", D("12.00"), 100, D("115.00"), D("6.90"), D("6.90"), 0),
    ]
    total = by_hsn.totals
    assert (total["taxable"], total["cgst"], total["sgst"], total["igst"], total["tax"]) == (
        D("4755.00"),
        D("195.90"),
        D("195.90"),
        D("445.50"),
        D("837.30"),
    )
    [b2b] = report.table("b2b").rows
    assert (b2b["gstin"], b2b["customer"], b2b["invoices"], b2b["taxable"], b2b["igst"], b2b["value"]) == (
        B2B_GSTIN,
        "Bengaluru Aqua",
        1,
        D("2540.00"),
        D("445.50"),
        D("2986.00"),
    )
    assert [
        (r["place_of_supply"], r["supply"], r["rate"], r["taxable"], r["cgst"])
        for r in report.table("b2c").rows
    ] == [
        ("27 Maharashtra", "intra-state", D("12.00"), D("115.00"), D("6.90")),
        ("27 Maharashtra", "intra-state", D("18.00"), D("2100.00"), D("189.00")),
    ]
    # Reconciles: the line tables sum to the bills' own figures (the cancelled bill in neither).
    [docs] = report.table("documents").rows
    assert (docs["documents"], docs["taxable"], docs["tax"], docs["round_off"], docs["value"]) == (
        2,
        total["taxable"],
        total["tax"],
        D("0.70"),
        D("5593.00"),
    )
    b2c_total = report.table("b2c").totals
    assert b2c_total["taxable"] + report.table("b2b").totals["taxable"] == total["taxable"]


def test_inward_supplies_show_the_input_tax_by_supplier_and_rate(month, plant):
    report = tax.build_inward(month["period"])
    [row] = report.table("by_supplier").rows
    assert (
        row["gstin"],
        row["supplier"],
        row["taxable"],
        row["cgst"],
        row["sgst"],
        row["tax"],
        row["value"],
    ) == (
        plant.supplier.gstin,
        plant.supplier.name,
        D("3226.50"),
        D("281.49"),
        D("281.49"),
        D("562.98"),
        D("3789.00"),
    )
    assert [(r["tax_rate"], r["tax"]) for r in report.table("by_rate").rows] == [
        (D("5.00"), D("3.00")),
        (D("12.00"), D("19.98")),
        (D("18.00"), D("540.00")),
    ]


def test_the_months_tax_payable_is_output_tax_less_input_tax(month):
    report = tax.build_payable(month["period"])
    assert [(r["head"], r["output"], r["input"], r["payable"]) for r in report.table("payable").rows] == [
        ("CGST", D("195.90"), D("281.49"), D("-85.59")),
        ("SGST", D("195.90"), D("281.49"), D("-85.59")),
        ("IGST", D("445.50"), D("0.00"), D("445.50")),
        ("Total tax", D("837.30"), D("562.98"), D("274.32")),
    ]


def test_the_tax_payable_takes_the_input_tax_on_expenses_split_by_the_suppliers_state(
    month, manager_user, staff_user
):
    fuel, power = ExpenseCategory.objects.get(code="fuel"), ExpenseCategory.objects.get(code="power")
    day = month["period"].start
    # Diesel from a pump in the plant's state (no supplier named: local): 18.01 splits 9.01 + 9.00.
    record_expense(
        by=staff_user, category=fuel, amount=D("100.05"), input_tax=D("18.01"), method="cash", date=day
    )
    # Power billed from another state: IGST.
    karnataka = Supplier.objects.create(name="Karnataka Grid", state_code="29")
    record_expense(
        by=staff_user,
        category=power,
        amount=D("277.78"),
        input_tax=D("50.00"),
        supplier=karnataka,
        method="bank",
        date=day,
    )
    # No tax on its bill, and a taxed one cancelled: neither counts.
    record_expense(by=staff_user, category=fuel, amount=D("40.00"), method="cash", date=day)
    cancelled = record_expense(
        by=staff_user, category=fuel, amount=D("10.00"), input_tax=D("1.80"), method="cash", date=day
    )
    lifecycle.cancel(document=cancelled, by=manager_user, reason="keyed twice")

    report = tax.build_payable(month["period"])
    assert [(r["head"], r["output"], r["input"], r["payable"]) for r in report.table("payable").rows] == [
        ("CGST", D("195.90"), D("290.50"), D("-94.60")),
        ("SGST", D("195.90"), D("290.49"), D("-94.59")),
        ("IGST", D("445.50"), D("50.00"), D("395.50")),
        ("Total tax", D("837.30"), D("630.99"), D("206.31")),
    ]
    assert [(r["what"], r["taxable"], r["tax"]) for r in report.table("supplies").rows][1:] == [
        ("Inward (purchases less debit notes)", D("3226.50"), D("562.98")),
        ("Expenses billed with input tax", D("377.83"), D("68.01")),
    ]


def test_profit_excludes_tax_and_the_customers_owe_the_grand_totals(month):
    figures = profit_loss.totals(month["period"])
    # Revenue is the taxable value; COGS is 900 bottles × 3.00 + 100 caps × 0.50 + 10 preforms × 6.00
    assert (figures["revenue"], figures["cogs"], figures["gross_profit"]) == (
        D("4755.00"),
        D("2810.00"),
        D("1945.00"),
    )
    billed = dict(CustomerBalance.objects.values_list("customer_id", "billed"))
    assert billed[month["local"].pk] == D("2607.00")
    assert billed[month["b2b"].pk] == D("2986.00")
    assert customers.total_outstanding_at(date.today()) == D("5593.00")


def test_the_tax_reports_are_pages_exports_and_api_for_managers_only(month, client, manager_user, staff_user):
    client.force_login(manager_user)
    page = client.get("/reports/tax-payable/")
    assert page.status_code == 200 and b"274.32" in page.content
    csv = client.get("/reports/outward-supplies/?export=csv")
    assert csv.status_code == 200 and B2B_GSTIN in b"".join(csv.streaming_content).decode()
    xlsx = client.get("/reports/inward-supplies/?export=xlsx")
    body = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
    assert xlsx.status_code == 200 and body[:2] == b"PK"
    api = client.get("/api/v1/reports/tax-payable/")
    assert api.status_code == 200
    assert "274.32" in json.dumps(api.json())
    client.force_login(staff_user)
    assert client.get("/reports/tax-payable/").status_code == 403
