"""Input tax on purchases and the GSTIN of suppliers and customers."""

from decimal import Decimal as D

import pytest

from company.models import SellerProfile
from core.errors import InvalidDocument
from purchasing.services import PurchaseLineInput, create_purchase, save_supplier
from sales.services import save_customer
from tax.gstin import make_gstin
from tax.models import TaxRate


def test_a_purchase_takes_the_suppliers_rate_per_line_and_values_stock_without_the_tax(plant, manager_user):
    SellerProfile.objects.create(state_code="27")
    plant.preform.tax_rate = TaxRate.objects.create(name="GST 18%", rate=D("18"))
    plant.preform.save()
    supplier = save_supplier(by=manager_user, name="Gujarat Preforms", gstin=make_gstin("24", "AAFCG1111H"))
    purchase = create_purchase(
        by=manager_user,
        supplier=supplier,
        lines=[
            PurchaseLineInput(item=plant.preform, quantity=1000, unit_price=D("2.1234")),  # item's 18 %
            PurchaseLineInput(item=plant.cap, quantity=300, unit_price=D("0.333"), tax_rate=D("12")),
        ],
        submit=True,
    )
    purchase.refresh_from_db()
    lines = list(purchase.lines.all())
    # 2123.40 @ 18 % IGST (Gujarat → Maharashtra) = 382.212 → 382.21; 99.90 @ 12 % = 11.988 → 11.99
    assert [(ln.tax_rate, ln.taxable_value, ln.igst_amount, ln.cgst_amount) for ln in lines] == [
        (D("18.00"), D("2123.40"), D("382.21"), 0),
        (D("12.00"), D("99.90"), D("11.99"), 0),
    ]
    assert (purchase.is_inter_state, purchase.party_gstin) == (True, supplier.gstin)
    assert (purchase.taxable_total, purchase.tax_total, purchase.round_off, purchase.total) == (
        D("2223.30"),
        D("394.20"),
        D("0.50"),
        D("2618.00"),
    )
    from inventory.models import StockBalance

    assert StockBalance.objects.get(item=plant.preform).value == D("2123.40")


@pytest.mark.parametrize("rate", ["-1", "100.01", "12.345"])
def test_a_tax_rate_outside_0_to_100_or_with_more_than_two_places_is_refused(plant, manager_user, rate):
    with pytest.raises(InvalidDocument) as refused:
        create_purchase(
            by=manager_user,
            supplier=plant.supplier,
            lines=[PurchaseLineInput(item=plant.cap, quantity=1, unit_price=D("1"), tax_rate=D(rate))],
        )
    assert refused.value.lines == {0: {"tax_rate": ["Enter a tax rate from 0 to 100 (%)."]}}


def test_a_partys_gstin_is_checked_and_names_its_state(db, staff_user):
    good = make_gstin("30", "AAPFU0939F")
    customer = save_customer(by=staff_user, name="Goa Springs", gstin=f" {good.lower()} ")
    assert (customer.gstin, customer.state_code, customer.is_registered) == (good, "30", True)
    with pytest.raises(InvalidDocument) as wrong_digit:
        save_customer(by=staff_user, name="Typo", gstin=good[:14] + ("0" if good[14] != "0" else "1"))
    assert "check digit" in wrong_digit.value.fields["gstin"][0]
    with pytest.raises(InvalidDocument) as wrong_state:
        save_customer(by=staff_user, name="Elsewhere", gstin=good, state_code="27")
    assert "registered in state 30" in wrong_state.value.fields["state_code"][0]
    with pytest.raises(InvalidDocument) as no_gstin:
        save_customer(by=staff_user, name="Registered", is_registered=True)
    assert no_gstin.value.fields == {"gstin": ["Enter the GSTIN of a registered party."]}
