"""Credit and debit notes reverse tax in proportion, worked to the paisa.

A Maharashtra (27) plant: a local bill with two rates (CGST + SGST), an inter-state bill (IGST) to a
registered customer, a purchase with input tax. Two partial returns of one line return all of it
and reverse exactly its tax; a debit note reverses input tax. The GST reports, what is owed, the
refund in the cash book and the profit read the tax-inclusive note or its taxable value as they must.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from company.models import SellerProfile
from inventory.models import StockBalance
from inventory.verification import verify_ledger
from purchasing import selectors as purchasing_selectors
from purchasing.models import Supplier
from reporting import summaries
from reporting.models import CustomerBalance
from reporting.periods import Period
from reporting.reports import profit_loss, tax
from returns import selectors
from returns.models import SalesReturn, SalesReturnLine, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from sales import selectors as sales_selectors
from sales.models import Customer
from sales.services import record_payment
from tax.gstin import make_gstin
from tax.models import TaxRate

pytestmark = pytest.mark.django_db
B2B_GSTIN = make_gstin("29", "AAGCK4321L")


def heads(document_or_line) -> tuple:
    if hasattr(document_or_line, "taxable_total"):
        return document_or_line.taxable_total, document_or_line.tax_total, document_or_line.total
    line = document_or_line
    return (
        line.taxable_value,
        line.cgst_amount,
        line.sgst_amount,
        line.igst_amount,
        line.tax_amount,
        line.line_total,
    )


@pytest.fixture
def taxed(plant, manager_user, staff_user, settings):
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
    # 3000.00 + 156.51 + 60.00 taxable; CGST = SGST = 270.00 + 9.39 (156.51 × 6% = 9.3906) + 1.50.
    purchase = plant.buy(
        manager_user,
        (plant.bottle, 1000, "3.00"),
        (plant.cap, 333, "0.47"),
        (plant.preform, 10, "6.00"),
        date=day,
    )
    local = Customer.objects.create(name="Pune Kirana", state_code="27")
    b2b = Customer.objects.create(name="Bengaluru Aqua", gstin=B2B_GSTIN, state_code="29", is_registered=True)
    # Local: 10 bottles 52.50 at 18% (CGST = SGST = 4.725 → 4.73), 3 caps 3.45 at 12% (0.207 → 0.21).
    bill_a = plant.sell(
        staff_user, (plant.bottle, 10, "5.25"), (plant.cap, 3, "1.15"), customer=local, date=day
    )
    # Inter-state: 4 bottles 20.00 − 1.00 discount = 19.00 at 18% IGST 3.42; 3 preforms 27.00 at 5% IGST 1.35.
    bill_b = plant.sell(
        staff_user, (plant.bottle, 4, "5.00", "1.00"), (plant.preform, 3, "9.00"), customer=b2b, date=day
    )
    return {"day": day, "period": Period(day, date.today()), "purchase": purchase, "a": bill_a, "b": bill_b}


def _returns(taxed, staff_user):
    """Bill A's bottle line comes back in two halves (credited); 3 of bill B's bottles (refunded)."""
    bottles_a = taxed["a"].lines.get(item__sku="BTL-500")
    first = create_sales_return(
        by=staff_user,
        sale=taxed["a"],
        lines=[SalesReturnLineInput(bottles_a, 5)],
        date=taxed["day"],
        submit=True,
    )
    second = create_sales_return(
        by=staff_user,
        sale=taxed["a"],
        lines=[SalesReturnLineInput(bottles_a, 5)],
        date=taxed["day"],
        submit=True,
    )
    record_payment(
        by=staff_user, customer=taxed["b"].customer, amount=D("51.00"), method="cash", sale=taxed["b"]
    )
    refunded = create_sales_return(
        by=staff_user,
        sale=taxed["b"],
        lines=[SalesReturnLineInput(taxed["b"].lines.get(item__sku="BTL-500"), 3)],
        settlement=Settlement.REFUND,
        refund_method="cash",
        date=taxed["day"],
        submit=True,
    )
    return first, second, refunded


def test_the_bills_carry_the_tax_the_notes_reverse(taxed):
    a, b = taxed["a"], taxed["b"]
    # 55.95 + 9.88 = 65.83, rounded up by 0.17; 46.00 + 4.77 = 50.77, rounded up by 0.23.
    assert (a.taxable_total, a.tax_total, a.round_off, a.total) == (
        D("55.95"),
        D("9.88"),
        D("0.17"),
        D("66.00"),
    )
    assert (b.taxable_total, b.tax_total, b.round_off, b.total) == (
        D("46.00"),
        D("4.77"),
        D("0.23"),
        D("51.00"),
    )
    assert not b.lines.filter(cgst_amount__gt=0).exists() and a.lines.filter(igst_amount__gt=0).count() == 0


def test_two_partial_returns_of_a_line_reverse_exactly_its_tax(taxed, staff_user):
    first, second, _ = _returns(taxed, staff_user)
    bottles = taxed["a"].lines.get(item__sku="BTL-500")
    one, two = first.lines.get(), second.lines.get()
    # Half of 4.73 is 2.365: rounded on its own, each half would be 2.37 and the two 4.74, a paisa
    # more than billed. Shared cumulatively, the first takes 2.37 and the second what is left, 2.36.
    assert heads(one) == (D("26.25"), D("2.37"), D("2.37"), D("0.00"), D("4.74"), D("30.99"))
    assert heads(two) == (D("26.25"), D("2.36"), D("2.36"), D("0.00"), D("4.72"), D("30.97"))
    assert one.tax_rate == two.tax_rate == D("18.00")
    assert heads(first) == (D("26.25"), D("4.74"), D("30.99"))
    assert heads(second) == (D("26.25"), D("4.72"), D("30.97"))
    for field in ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount", "tax_amount", "line_total"):
        assert getattr(one, field) + getattr(two, field) == getattr(bottles, field), field
    # A credit on account: the customer owes the bill's 66.00 less 61.96 — the caps (3.87) and
    # the round-off (0.17), which no note shares.
    assert (first.refund, second.refund) == (D("0.00"), D("0.00"))
    assert sales_selectors.customer_outstanding(taxed["a"].customer) == D("4.04")
    assert CustomerBalance.objects.get(customer=taxed["a"].customer).billed == D("4.04")


def test_an_inter_state_return_reverses_igst_and_refunds_the_tax_inclusive_total(taxed, staff_user):
    *_, refunded = _returns(taxed, staff_user)
    line = refunded.lines.get()
    # 19.00 × 3/4 = 14.25 (the discount's share 0.75 already off); IGST 3.42 × 3/4 = 2.565 → 2.57.
    assert heads(line) == (D("14.25"), D("0.00"), D("0.00"), D("2.57"), D("2.57"), D("16.82"))
    assert (line.amount, line.discount) == (D("14.25"), D("0.75"))
    assert (refunded.total, refunded.refund) == (D("16.82"), D("16.82"))
    # Paid 51.00, credited 16.82 and refunded 16.82 in cash: owes nothing; the cash book pays 16.82.
    assert sales_selectors.customer_outstanding(taxed["b"].customer) == D("0.00")
    assert [(r.document, r.amount) for r in selectors.refunds_between(taxed["day"], date.today())] == [
        (refunded.number, D("16.82"))
    ]


def test_a_debit_note_reverses_input_tax_and_lowers_what_the_plant_owes_by_it(taxed, staff_user, plant):
    purchase = taxed["purchase"]
    assert (purchase.taxable_total, purchase.tax_total, purchase.total) == (
        D("3216.51"),
        D("561.78"),
        D("3778.00"),
    )
    caps = purchase.lines.get(item__sku="CAP-28")
    note = create_purchase_return(
        by=staff_user,
        purchase=purchase,
        lines=[PurchaseReturnLineInput(caps, 100)],
        date=taxed["day"],
        submit=True,
    )
    # 156.51 × 100/333 = 47.00; CGST = SGST = 9.39 × 100/333 = 2.8198… → 2.82.
    assert heads(note.lines.get()) == (D("47.00"), D("2.82"), D("2.82"), D("0.00"), D("5.64"), D("52.64"))
    assert heads(note) == (D("47.00"), D("5.64"), D("52.64"))
    # Stock leaves at the taxable value it entered at (input tax never entered stock).
    balance = StockBalance.objects.get(item=plant.cap)
    assert (balance.quantity, balance.value) == (233 - 3, D("109.51") - D("1.41"))  # 3 caps sold at 0.47
    assert purchasing_selectors.supplier_outstanding(plant.supplier) == D("3778.00") - D("52.64")
    rest = create_purchase_return(
        by=staff_user,
        purchase=purchase,
        lines=[PurchaseReturnLineInput(caps, 230)],
        date=taxed["day"],
        submit=True,
    )
    # The 230 left in stock: 330 of the 333 bought, so 9.39 × 330/333 = 9.305… → 9.31 in all, less
    # the 2.82 already reversed; the taxable 155.10 − 47.00 = 108.10 is exactly what stock holds.
    assert heads(rest.lines.get())[:3] == (D("108.10"), D("6.49"), D("6.49"))
    assert StockBalance.objects.get(item=plant.cap).value == D("0.00")


def test_gstr1_lists_the_credit_notes_and_output_tax_is_net_of_them(taxed, staff_user):
    first, second, refunded = _returns(taxed, staff_user)
    report = tax.build_outward(taxed["period"])
    net = report.table("net").rows
    money = ("taxable", "cgst", "sgst", "igst", "tax")
    # Invoices 101.95 taxable; notes 26.25 + 26.25 + 14.25 = 66.75; CGST 4.94 − 4.73; IGST 4.77 − 2.57.
    assert [tuple(r[k] for k in money) for r in net] == [
        (D("101.95"), D("4.94"), D("4.94"), D("4.77"), D("14.65")),
        (D("-66.75"), D("-4.73"), D("-4.73"), D("-2.57"), D("-12.03")),
        (D("35.20"), D("0.21"), D("0.21"), D("2.20"), D("2.62")),
    ]
    cdnr = report.table("cdnr")
    assert [
        (r["number"], r["invoice"], r["gstin"], r["taxable"], r["igst"], r["value"]) for r in cdnr.rows
    ] == [(refunded.number, taxed["b"].number, B2B_GSTIN, D("14.25"), D("2.57"), D("16.82"))]
    cdnur = report.table("cdnur")
    assert [(r["number"], r["invoice_date"], r["cgst"], r["value"]) for r in cdnur.rows] == [
        (first.number, taxed["a"].date, D("2.37"), D("30.99")),
        (second.number, taxed["a"].date, D("2.36"), D("30.97")),
    ]
    assert cdnur.totals["tax"] + cdnr.totals["tax"] == D("12.03")
    assert cdnur.totals["value"] + cdnr.totals["value"] == report.table("credit_notes").rows[0]["value"]
    # The HSN summary is net of returns: 13 of the 14 bottles came back.
    by_hsn = {
        r["hsn_code"]: (r["quantity"], r["taxable"], r["cgst"], r["igst"])
        for r in report.table("by_hsn").rows
    }
    assert by_hsn == {
        "39233090": (1, D("4.75"), D("0.00"), D("0.85")),
        "39235010": (3, D("3.45"), D("0.21"), D("0.00")),
        "39233010": (3, D("27.00"), D("0.00"), D("1.35")),
    }
    assert report.table("by_hsn").totals["tax"] == D("2.62")


def test_gstr3b_output_and_input_tax_are_net_of_the_notes(taxed, staff_user):
    _returns(taxed, staff_user)
    caps = taxed["purchase"].lines.get(item__sku="CAP-28")
    create_purchase_return(
        by=staff_user,
        purchase=taxed["purchase"],
        lines=[PurchaseReturnLineInput(caps, 100)],
        date=taxed["day"],
        submit=True,
    )
    inward = tax.build_inward(taxed["period"])
    assert inward.table("by_rate").totals["tax"] == D("561.78") - D("5.64")
    assert inward.table("debit_notes").totals["value"] == D("52.64")
    rows = {
        r["head"]: (r["output"], r["input"], r["payable"])
        for r in tax.build_payable(taxed["period"]).table("payable").rows
    }
    assert rows == {
        "CGST": (D("0.21"), D("278.07"), D("-277.86")),
        "SGST": (D("0.21"), D("278.07"), D("-277.86")),
        "IGST": (D("2.20"), D("0.00"), D("2.20")),
        "Total tax": (D("2.62"), D("556.14"), D("-553.52")),
    }


def test_profit_revenue_stays_net_of_tax_after_the_notes(taxed, staff_user):
    _returns(taxed, staff_user)
    figures = profit_loss.totals(taxed["period"])
    assert figures["revenue"] == D("101.95") - D("66.75")  # taxable values only
    assert summaries.differences() == []
    assert verify_ledger() == []


def test_a_bill_without_tax_gives_notes_without_tax(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 3, "5.00"))
    note = create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(bill.lines.get(), 2)], submit=True
    )
    assert heads(note.lines.get()) == (D("10.00"), D("0"), D("0"), D("0"), D("0"), D("10.00"))
    assert heads(note) == (D("10.00"), D("0.00"), D("10.00"))


def test_verify_ledger_names_a_credit_note_that_reverses_more_tax_than_the_line_billed(taxed, staff_user):
    first, *_ = _returns(taxed, staff_user)
    assert verify_ledger() == []
    # A write outside the services (a bad import, a hand edit) makes the note reverse too much.
    SalesReturnLine.objects.filter(sales_return=first).update(
        cgst_amount=D("9.99"), tax_amount=D("12.36"), line_total=D("38.61")
    )
    problems = verify_ledger()
    assert any(taxed["a"].number in p and "CGST" in p for p in problems), problems
    assert SalesReturn.objects.filter(pk=first.pk).exists()


def test_the_migration_gives_notes_made_before_zero_tax_and_keeps_their_totals(taxed, staff_user):
    """Notes made before tax was reversed were settled at their amount (credited, refunded, counted
    in the summaries), so they keep it: zero tax, the taxable value equal to the amount."""
    from importlib import import_module

    from django.apps import apps

    from returns.models import PurchaseReturn, PurchaseReturnLine

    first, *_ = _returns(taxed, staff_user)
    caps = taxed["purchase"].lines.get(item__sku="CAP-28")
    debit = create_purchase_return(
        by=staff_user, purchase=taxed["purchase"], lines=[PurchaseReturnLineInput(caps, 100)], submit=True
    )
    # As the columns arrive on an existing database: all zero, the old total (the amount) kept.
    zero = {
        name: D("0") for name in ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount", "tax_amount")
    }
    for model in (SalesReturnLine, PurchaseReturnLine):
        model.objects.update(**zero, line_total=D("0"))
    SalesReturn.objects.filter(pk=first.pk).update(total=D("26.25"), taxable_total=D("0"), tax_total=D("0"))
    PurchaseReturn.objects.filter(pk=debit.pk).update(
        total=D("47.00"), taxable_total=D("0"), tax_total=D("0")
    )
    migration = import_module("returns.migrations.0003_tax_reversed_on_notes")
    migration.notes_posted_before_tax_keep_their_figures(apps, None)
    line, first = first.lines.get(), SalesReturn.objects.get(pk=first.pk)
    assert heads(line) == (D("26.25"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("26.25"))
    assert heads(first) == (D("26.25"), D("0.00"), D("26.25"))
    assert heads(PurchaseReturn.objects.get(pk=debit.pk)) == (D("47.00"), D("0.00"), D("47.00"))


def test_the_printed_notes_show_taxable_value_and_tax_per_rate_and_the_invoice_they_are_against(
    taxed, staff_user, staff_client
):
    from django.urls import reverse

    from core.formats import day

    *_, refunded = _returns(taxed, staff_user)
    printed = staff_client.get(reverse("returns:sales-return-print", args=[refunded.pk])).content.decode()
    against = f"Against tax invoice {taxed['b'].number} of {day(taxed['b'].date)}"
    assert against in printed
    assert B2B_GSTIN in printed and "IGST" in printed and "CGST" not in printed
    for figure in ("14.25", "2.57", "16.82", "18 %"):
        assert figure in printed, figure
    caps = taxed["purchase"].lines.get(item__sku="CAP-28")
    debit = create_purchase_return(
        by=staff_user, purchase=taxed["purchase"], lines=[PurchaseReturnLineInput(caps, 100)], submit=True
    )
    printed = staff_client.get(reverse("returns:purchase-return-print", args=[debit.pk])).content.decode()
    assert f"Against purchase {taxed['purchase'].number}" in printed
    assert "CGST" in printed and "SGST" in printed and "IGST" not in printed
    for figure in ("47.00", "2.82", "5.64", "52.64", "39235010"):
        assert figure in printed, figure


def test_the_api_returns_the_tax_figures_of_the_notes(taxed, staff_user):
    from testing.api_clients import bearer_client

    first, *_ = _returns(taxed, staff_user)
    body = bearer_client(staff_user).get(f"/api/v1/sales-returns/{first.pk}/").json()
    assert (body["taxable_total"], body["tax_total"], body["total"]) == ("26.25", "4.74", "30.99")
    assert (body["sale_number"], body["sale_date"]) == (taxed["a"].number, taxed["a"].date.isoformat())
    line = body["lines"][0]
    assert (line["tax_rate"], line["taxable_value"], line["cgst_amount"], line["sgst_amount"]) == (
        "18.00",
        "26.25",
        "2.37",
        "2.37",
    )
    assert (line["igst_amount"], line["tax_amount"], line["line_total"]) == ("0.00", "4.74", "30.99")
    caps = taxed["purchase"].lines.get(item__sku="CAP-28")
    debit = create_purchase_return(
        by=staff_user, purchase=taxed["purchase"], lines=[PurchaseReturnLineInput(caps, 100)], submit=True
    )
    body = bearer_client(staff_user).get(f"/api/v1/purchase-returns/{debit.pk}/").json()
    assert (body["taxable_total"], body["tax_total"], body["total"]) == ("47.00", "5.64", "52.64")
    assert body["lines"][0]["cgst_amount"] == "2.82"


def test_a_plain_vat_line_is_shared_back_to_the_paisa_across_three_returns():
    from types import SimpleNamespace

    from returns.shares import tax_shares

    # VAT: one tax, no split. 3 units taxed 0.05: rounded on its own each third would be 0.02.
    line = SimpleNamespace(
        quantity=3,
        tax_rate=D("5.00"),
        taxable_value=D("1.00"),
        cgst_amount=D("0"),
        sgst_amount=D("0"),
        igst_amount=D("0"),
        tax_amount=D("0.05"),
    )
    taken = {
        name: D("0") for name in ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount", "tax_amount")
    }
    reversed_ = []
    for units in (1, 2, 3):
        shares = tax_shares(line, units=units, already=taken)
        for name in taken:
            taken[name] += shares[name]
        reversed_.append((shares["taxable_value"], shares["tax_amount"], shares["line_total"]))
    assert reversed_ == [
        (D("0.33"), D("0.02"), D("0.35")),
        (D("0.34"), D("0.01"), D("0.35")),
        (D("0.33"), D("0.02"), D("0.35")),
    ]
    assert (taken["taxable_value"], taken["tax_amount"]) == (D("1.00"), D("0.05"))


def test_a_tax_inclusive_bill_returned_whole_credits_exactly_its_line_total(taxed, staff_user, settings):
    from sales.services import SaleLineInput, create_sale

    settings.PRICES_INCLUDE_TAX = True
    bottle = taxed["a"].lines.get(item__sku="BTL-500").item
    bill = create_sale(
        by=staff_user,
        customer=taxed["a"].customer,
        lines=[SaleLineInput(item=bottle, quantity=7, unit_price=D("11.80"))],
        submit=True,
    )
    # 7 at 11.80 with tax = 82.60: taxable 70.00, CGST = SGST = 6.30.
    line = bill.lines.get()
    assert heads(line) == (D("70.00"), D("6.30"), D("6.30"), D("0.00"), D("12.60"), D("82.60"))
    notes = [
        create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(line, q)], submit=True)
        for q in (2, 5)
    ]
    # 2 of 7: taxable 20.00, CGST = SGST = 1.80; the second takes exactly what is left.
    assert [heads(n) for n in notes] == [
        (D("20.00"), D("3.60"), D("23.60")),
        (D("50.00"), D("9.00"), D("59.00")),
    ]
    assert notes[0].total + notes[1].total == line.line_total


def test_the_gst_reports_with_notes_are_pages_exports_and_api(taxed, staff_user, client, manager_user):
    first, *_ = _returns(taxed, staff_user)
    caps = taxed["purchase"].lines.get(item__sku="CAP-28")
    create_purchase_return(
        by=staff_user, purchase=taxed["purchase"], lines=[PurchaseReturnLineInput(caps, 100)], submit=True
    )
    client.force_login(manager_user)
    for name in ("outward-supplies", "inward-supplies", "tax-payable"):
        query = f"?start={taxed['day'].isoformat()}&end={date.today().isoformat()}"
        page = client.get(f"/reports/{name}/{query}")
        assert page.status_code == 200, name
        for export in ("csv", "xlsx", "json"):
            response = client.get(f"/reports/{name}/{query}&export={export}")
            assert response.status_code == 200, (name, export)
        assert client.get(f"/api/v1/reports/{name}/{query}").status_code == 200, name
    outward = client.get(f"/reports/outward-supplies/{query}&export=csv")
    body = b"".join(outward.streaming_content) if outward.streaming else outward.content
    assert first.number in body.decode()
