"""A GST seller, taxed items and a registered buyer, for the tax invoice tests."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from company.models import SellerProfile
from tax.models import TaxRate

SELLER_GSTIN = "27AABCB1234F1Z8"  # Maharashtra
LOCAL_GSTIN = "27AADCL4321M1ZF"
OTHER_STATE_GSTIN = "29AAACA5678K1Z7"  # Karnataka


@pytest.fixture
def taxed(plant, manager_user):
    """The plant as a GST seller in Maharashtra; bottles at 18 %, caps at 12 %; a local buyer."""
    SellerProfile.objects.create(
        legal_name="Bottleworks Plastics Pvt Ltd",
        trade_name="Bottleworks",
        address="Plot 7, MIDC\nPune 411019",
        state_code="27",
        gstin=SELLER_GSTIN,
        pan="AABCB1234F",
        bank_name="State Bank of India",
        bank_account_number="30012345678",
        bank_ifsc="SBIN0001234",
        upi_id="bottleworks@sbi",
        invoice_terms="Goods once sold are taken back only against a credit note.",
    )
    plant.bottle.hsn_code, plant.bottle.tax_rate = "39233090", TaxRate.objects.create(name="GST 18%", rate=18)
    plant.bottle.save()
    plant.cap.hsn_code, plant.cap.tax_rate = "39235010", TaxRate.objects.create(name="GST 12%", rate=12)
    plant.cap.save()
    plant.customer.gstin, plant.customer.state_code, plant.customer.is_registered = LOCAL_GSTIN, "27", True
    plant.customer.address = "12 Market Road\nPune"
    plant.customer.email = "accounts@aqua.example"
    plant.customer.save()
    plant.buy(manager_user, (plant.cap, 50, "0.50"), (plant.bottle, 40, "3.00"))
    return plant


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
