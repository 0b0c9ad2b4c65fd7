"""Tax on bills, worked to the paisa: CGST + SGST within the seller's state, IGST across states."""

from decimal import Decimal as D

import pytest

from company.models import SellerProfile
from inventory.models import Item, StockBalance
from sales import selectors
from sales.models import Customer
from tax.gstin import make_gstin
from tax.models import TaxRate


@pytest.fixture
def taxed(plant, manager_user):
    """Seller in Maharashtra (27); bottles 18 %, caps 12 %, preforms 5 %; stock bought in."""
    SellerProfile.objects.create(
        legal_name="Bottleworks Pvt Ltd", state_code="27", gstin=make_gstin("27", "AABCB1234F")
    )
    rates = {r: TaxRate.objects.create(name=f"GST {r}%", rate=D(r)) for r in ("5", "12", "18")}
    for item, rate, hsn in (
        (plant.bottle, "18", "39233090"),
        (plant.cap, "12", "39235010"),
        (plant.preform, "5", "39233010"),
    ):
        item.tax_rate, item.hsn_code = rates[rate], hsn
        item.save()
    plant.buy(
        manager_user, (plant.bottle, 1000, "3.00"), (plant.cap, 333, "0.50"), (plant.preform, 10, "6.00")
    )
    plant.rates = rates
    return plant


LINES = lambda p: ((p.bottle, 1000, "5.25", "37.50"), (p.cap, 333, "1.15"), (p.preform, 10, "9.00"))  # noqa: E731


def test_an_intra_state_bill_splits_cgst_and_sgst_per_line_and_rounds_to_the_rupee(taxed, staff_user):
    taxed.customer.state_code = "27"
    taxed.customer.save()
    sale = taxed.sell(staff_user, *LINES(taxed), customer=taxed.customer)
    sale.refresh_from_db()
    assert sale.status == "pending"  # 6674.00 is over the approval limit (5000)
    lines = list(sale.lines.all())
    # 1000 × 5.25 − 37.50 = 5212.50 at 18 %: CGST 9 % = 469.125 → 469.13, SGST the same
    assert [
        (
            ln.hsn_code,
            ln.tax_rate,
            ln.taxable_value,
            ln.cgst_amount,
            ln.sgst_amount,
            ln.igst_amount,
            ln.line_total,
        )
        for ln in lines
    ] == [
        ("39233090", D("18.00"), D("5212.50"), D("469.13"), D("469.13"), 0, D("6150.76")),
        ("39235010", D("12.00"), D("382.95"), D("22.98"), D("22.98"), 0, D("428.91")),
        ("39233010", D("5.00"), D("90.00"), D("2.25"), D("2.25"), 0, D("94.50")),
    ]
    assert (sale.place_of_supply, sale.is_inter_state) == ("27", False)
    assert (sale.taxable_total, sale.tax_total, sale.round_off) == (D("5685.45"), D("988.72"), D("-0.17"))
    assert sale.grand_total == sale.total == D("6674.00")
    assert selectors.tax_summary(sale) == [
        {
            "rate": D("5.00"),
            "taxable": D("90.00"),
            "cgst": D("2.25"),
            "sgst": D("2.25"),
            "igst": 0,
            "tax": D("4.50"),
        },
        {
            "rate": D("12.00"),
            "taxable": D("382.95"),
            "cgst": D("22.98"),
            "sgst": D("22.98"),
            "igst": 0,
            "tax": D("45.96"),
        },
        {
            "rate": D("18.00"),
            "taxable": D("5212.50"),
            "cgst": D("469.13"),
            "sgst": D("469.13"),
            "igst": 0,
            "tax": D("938.26"),
        },
    ]


def test_an_inter_state_bill_is_igst_at_the_whole_rate(taxed, staff_user, settings):
    settings.APPROVAL_THRESHOLD = D("100000")
    buyer = Customer.objects.create(
        name="Karnataka Aqua", gstin=make_gstin("29", "AAGCK4321L"), is_registered=True
    )
    sale = taxed.sell(staff_user, *LINES(taxed), customer=buyer)
    sale.refresh_from_db()
    assert sale.status == "posted"
    assert (sale.place_of_supply, sale.is_inter_state) == ("29", True)  # from the GSTIN: no state typed
    assert [(ln.cgst_amount, ln.sgst_amount, ln.igst_amount) for ln in sale.lines.all()] == [
        (0, 0, D("938.25")),
        (0, 0, D("45.95")),  # 382.95 × 12 % = 45.954
        (0, 0, D("4.50")),
    ]
    assert (sale.taxable_total, sale.tax_total, sale.round_off, sale.total) == (
        D("5685.45"),
        D("988.70"),
        D("-0.15"),
        D("6674.00"),
    )
    # The customer owes the grand total; the bill's cost (COGS) is the stock's taxable value.
    assert selectors.customer_outstanding(buyer) == D("6674.00")
    assert sale.cost == D("3226.50")


def test_a_later_rate_change_never_rewrites_a_posted_bill(taxed, staff_user, manager_user, settings):
    settings.APPROVAL_THRESHOLD = D("100000")
    sale = taxed.sell(staff_user, (taxed.bottle, 100, "5.00"))
    rate = taxed.rates["18"]
    rate.rate = D("28")
    rate.save()
    sale.refresh_from_db()
    line = sale.lines.get()
    assert (line.tax_rate, line.tax_amount, sale.total) == (D("18.00"), D("90.00"), D("590.00"))


def test_a_draft_takes_the_rate_in_force_when_it_posts(taxed, staff_user, settings):
    from documents import lifecycle

    settings.APPROVAL_THRESHOLD = D("100000")
    sale = taxed.sell(staff_user, (taxed.bottle, 100, "5.00"), submit=False)
    assert sale.total == D("590.00")
    Item.objects.filter(pk=taxed.bottle.pk).update(tax_rate=taxed.rates["12"])
    lifecycle.submit(document=sale, by=staff_user)
    sale.refresh_from_db()
    line = sale.lines.get()
    assert (line.tax_rate, line.tax_amount, sale.total, sale.status) == (
        D("12.00"),
        D("60.00"),
        D("560.00"),
        "posted",
    )
    assert line.history.first().tax_rate == D("12.00")  # the posting's change is in the line's history


def test_the_approval_limit_judges_the_grand_total_or_the_taxable_value(taxed, staff_user, settings):
    settings.APPROVAL_THRESHOLD = D("5500")
    # taxable 5000.00, grand total 5900.00
    assert taxed.sell(staff_user, (taxed.bottle, 1000, "5.00")).status == "pending"
    settings.APPROVAL_ON_GRAND_TOTAL = False
    assert taxed.sell(staff_user, (taxed.bottle, 1000, "5.00")).status == "posted"


def test_with_the_regime_none_nothing_is_taxed(taxed, staff_user, settings):
    settings.TAX_REGIME = "none"
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "5.25"))
    line = sale.lines.get()
    assert (line.tax_rate, line.tax_amount, line.taxable_value, sale.round_off, sale.total) == (
        0,
        0,
        D("52.50"),
        0,
        D("52.50"),
    )


def test_with_vat_one_tax_is_charged_without_a_split(taxed, staff_user, settings):
    settings.TAX_REGIME = "vat"
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "5.25"))
    line = sale.lines.get()
    assert (line.cgst_amount, line.sgst_amount, line.igst_amount, line.tax_amount) == (0, 0, 0, D("9.45"))
    assert (sale.is_inter_state, sale.round_off, sale.total) == (False, D("0.05"), D("62.00"))


def test_bills_on_items_without_a_tax_rate_keep_their_untaxed_figures(plant, manager_user, staff_user):
    plant.buy(manager_user, (plant.bottle, 3, "1.00"))
    sale = plant.sell(staff_user, (plant.bottle, 3, "1.15"))
    assert StockBalance.objects.get(item=plant.bottle).value == D("0.00")
    assert (sale.taxable_total, sale.tax_total, sale.round_off, sale.total) == (D("3.45"), 0, 0, D("3.45"))


def test_tax_inclusive_prices_have_the_tax_taken_out_and_revenue_is_the_rest(taxed, staff_user, settings):
    settings.PRICES_INCLUDE_TAX = True
    settings.APPROVAL_THRESHOLD = D("100000")
    sale = taxed.sell(staff_user, (taxed.bottle, 100, "5.90"))
    line = sale.lines.get()
    # 590.00 including 18 %: taxable 500.00, CGST 45.00 + SGST 45.00
    assert (line.amount, line.taxable_value, line.cgst_amount, line.sgst_amount, line.line_total) == (
        D("590.00"),
        D("500.00"),
        D("45.00"),
        D("45.00"),
        D("590.00"),
    )
    assert (sale.taxable_total, sale.tax_total, sale.total) == (D("500.00"), D("90.00"), D("590.00"))
