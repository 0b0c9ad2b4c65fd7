"""A bill over the API: its tax facts are read as they are for each bill, and its answer, made from
what the service built in memory, is what reading the bill back shows."""

from decimal import Decimal as D

import pytest

from company.models import SellerProfile
from sales.models import Sale
from tax.gstin import make_gstin
from tax.models import TaxRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed(plant, manager_user):
    """Seller and customer in Maharashtra (27); bottles 18 %, caps 12 %; stock bought in."""
    SellerProfile.objects.create(
        legal_name="Bottleworks", state_code="27", gstin=make_gstin("27", "AABCB1234F")
    )
    plant.rates = {r: TaxRate.objects.create(name=f"GST {r}%", rate=D(r)) for r in ("12", "18")}
    for item, rate in ((plant.bottle, "18"), (plant.cap, "12")):
        item.tax_rate, item.hsn_code = plant.rates[rate], "3923"
        item.save()
    plant.customer.state_code = "27"
    plant.customer.save()
    plant.buy(manager_user, (plant.bottle, 100, "3.00"), (plant.cap, 100, "0.50"))
    return plant


def _bill(api, plant) -> dict:
    body = {
        "customer": plant.customer.pk,
        "submit": True,
        "lines": [
            {"item": plant.bottle.pk, "quantity": 10, "unit_price": "5.00"},
            {"item": plant.cap.pk, "quantity": 10, "unit_price": "1.00"},
        ],
    }
    response = api.post("/api/v1/sales/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _tax(answer: dict) -> list[tuple]:
    return [
        (line["tax_rate"], line["cgst_amount"], line["sgst_amount"], line["igst_amount"])
        for line in answer["lines"]
    ]


def test_each_bill_reads_the_sellers_state_and_the_items_rates_as_they_are_then(taxed, staff_api):
    first = _bill(staff_api, taxed)
    assert (first["place_of_supply"], first["is_inter_state"]) == ("27", False)
    assert _tax(first) == [("18.00", "4.50", "4.50", "0.00"), ("12.00", "0.60", "0.60", "0.00")]

    seller = SellerProfile.current()
    seller.state_code, seller.gstin = "29", make_gstin("29", "AABCB1234F")
    seller.save()
    second = _bill(staff_api, taxed)
    assert (second["place_of_supply"], second["is_inter_state"]) == ("27", True)
    assert _tax(second) == [("18.00", "0.00", "0.00", "9.00"), ("12.00", "0.00", "0.00", "1.20")]

    taxed.bottle.tax_rate = taxed.rates["12"]
    taxed.bottle.save()
    third = _bill(staff_api, taxed)
    assert _tax(third) == [("12.00", "0.00", "0.00", "6.00"), ("12.00", "0.00", "0.00", "1.20")]
    assert third["grand_total"] == "67.00"  # 60.00 + 7.20 of IGST, rounded to the rupee
    stored = Sale.objects.get(pk=third["id"])
    assert (stored.is_inter_state, stored.tax_total, stored.grand_total) == (True, D("7.20"), D("67.00"))


def test_the_answer_to_a_new_bill_is_what_reading_it_back_shows(taxed, staff_api, manager_api):
    for api in (staff_api, manager_api):
        made = _bill(api, taxed)
        assert made == api.get(f"/api/v1/sales/{made['id']}/").json()
    assert "cost" in made and "cost" in made["lines"][0]  # the last answer was a manager's
    staff_made = _bill(staff_api, taxed)
    assert "cost" not in staff_made and all("cost" not in line for line in staff_made["lines"])
