"""The tax arithmetic, to the paisa (half-up), line by line."""

from decimal import Decimal as D

import pytest

from tax.compute import line_tax, round_off, totals


def test_within_the_state_cgst_and_sgst_are_half_the_rate_each_rounded_half_up():
    tax = line_tax(
        amount=D("5212.50"), rate=D("18"), inter_state=False, regime="gst", prices_include_tax=False
    )
    assert (tax.taxable_value, tax.cgst, tax.sgst, tax.igst) == (D("5212.50"), D("469.13"), D("469.13"), 0)
    assert (tax.tax, tax.line_total) == (D("938.26"), D("6150.76"))


def test_across_states_the_whole_rate_is_igst():
    tax = line_tax(amount=D("382.95"), rate=D("12"), inter_state=True, regime="gst", prices_include_tax=False)
    assert (tax.cgst, tax.sgst, tax.igst, tax.tax) == (0, 0, D("45.95"), D("45.95"))


def test_a_tax_inclusive_price_has_its_tax_taken_out():
    tax = line_tax(amount=D("118.00"), rate=D("18"), inter_state=False, regime="gst", prices_include_tax=True)
    assert (tax.taxable_value, tax.cgst, tax.sgst, tax.line_total) == (
        D("100.00"),
        D("9.00"),
        D("9.00"),
        D("118.00"),
    )
    odd = line_tax(amount=D("100.01"), rate=D("5"), inter_state=False, regime="gst", prices_include_tax=True)
    # 100.01 / 1.05 = 95.2476… → 95.25; tax 4.76 splits 2.38 + 2.38
    assert (odd.taxable_value, odd.cgst, odd.sgst) == (D("95.25"), D("2.38"), D("2.38"))
    assert odd.line_total == D("100.01")


def test_vat_is_one_tax_without_a_split_and_none_is_no_tax():
    vat = line_tax(
        amount=D("200.00"), rate=D("7.5"), inter_state=True, regime="vat", prices_include_tax=False
    )
    assert (vat.cgst, vat.sgst, vat.igst, vat.tax) == (0, 0, 0, D("15.00"))
    none = line_tax(
        amount=D("200.00"), rate=D("18"), inter_state=False, regime="none", prices_include_tax=False
    )
    assert (none.rate, none.tax, none.line_total) == (0, 0, D("200.00"))


@pytest.mark.parametrize(
    "raw, off", [("6674.17", "-0.17"), ("6674.50", "0.50"), ("6674.49", "-0.49"), ("10.00", "0.00")]
)
def test_the_round_off_makes_whole_rupees_half_up(raw, off):
    assert round_off(D(raw), to_rupee=True) == D(off)
    assert round_off(D(raw), to_rupee=False) == 0


def test_an_untaxed_document_is_not_rounded():
    untaxed = line_tax(
        amount=D("12.34"), rate=None, inter_state=False, regime="gst", prices_include_tax=False
    )
    assert totals([untaxed], to_rupee=True).grand_total == D("12.34")
