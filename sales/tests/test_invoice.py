"""The tax invoice: what the print page and the PDF carry, and what a bill that is not posted shows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from company.models import SellerProfile
from sales import invoice
from tax.models import TaxRate

pytestmark = pytest.mark.django_db

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


def test_a_posted_bill_prints_as_a_tax_invoice_with_everything_gst_asks(taxed, staff_user, staff_client):
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"), (taxed.cap, 5, "2.00", "1.00"))
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    # 100.00 at 18 % = 9.00 + 9.00; 9.00 at 12 % = 0.54 + 0.54; 128.08 rounds to 128.00.
    assert sale.total == Decimal("128.00")
    for fact in (
        "Tax invoice",
        sale.number,
        "Bottleworks Plastics Pvt Ltd",
        SELLER_GSTIN,
        LOCAL_GSTIN,
        "Maharashtra (27)",
        "39233090",
        "39235010",
        "10 pcs",
        "100.00",
        "9.00",
        "0.54",
        "128.00",
        "-0.08",
        "CGST",
        "SGST",
        "Original for recipient",
        "Duplicate for transporter",
        "Rupees One Hundred Twenty-Eight Only",
        "30012345678",
        "SBIN0001234",
        "<svg",
        "Scan to pay INR 128.00",
    ):
        assert fact in html, fact
    assert "IGST</th>" not in html
    assert "3.00" not in html  # the bottles' cost price


def test_an_inter_state_bill_carries_igst_and_the_buyers_state(taxed, staff_user, staff_client):
    taxed.customer.gstin, taxed.customer.state_code = OTHER_STATE_GSTIN, "29"
    taxed.customer.save()
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert "Karnataka (29)" in html and "Inter-state supply (IGST)" in html
    assert "IGST</th>" in html and "CGST</th>" not in html
    assert "18.00" in html and "118.00" in html


def test_a_draft_prints_as_a_draft_without_number_copies_or_payment_code(taxed, staff_user, staff_client):
    draft = taxed.sell(staff_user, (taxed.bottle, 2, "10.00"), submit=False)
    html = staff_client.get(reverse("sales:bill-print", args=[draft.pk])).content.decode()
    assert "Bill (draft)" in html and "Not a tax invoice" in html
    assert "Tax invoice" not in html and "Original for recipient" not in html and "<svg" not in html
    assert staff_client.get(reverse("sales:bill-pdf", args=[draft.pk])).status_code == 404


def test_the_upi_code_asks_for_what_is_still_due(taxed, staff_user, staff_client):
    from sales.services import record_payment

    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))
    record_payment(by=staff_user, customer=taxed.customer, sale=sale, amount=Decimal("18.00"), method="upi")
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert "Scan to pay INR 100.00" in html
    assert invoice.upi_uri(
        upi_id="bottleworks@sbi", payee="Bottleworks", amount=Decimal("100"), note="S/26-27/00001"
    ) == ("upi://pay?pa=bottleworks%40sbi&pn=Bottleworks&am=100.00&cu=INR&tn=S%2F26-27%2F00001")


def test_the_receipt_and_a_single_copy_print_too(taxed, staff_user, staff_client):
    sale = taxed.sell(staff_user, (taxed.bottle, 1, "10.00"))
    url = reverse("sales:bill-print", args=[sale.pk])
    receipt = staff_client.get(url, {"format": "receipt"}).content.decode()
    assert "receipt.css" in receipt and receipt.count("Original for recipient") == 1
    duplicate = staff_client.get(url, {"copy": "duplicate"}).content.decode()
    assert "Duplicate for transporter" in duplicate and "Original for recipient" not in duplicate


def test_the_pdf_carries_the_gstins_hsn_codes_and_totals(taxed, staff_user, staff_client):
    taxed.customer.gstin, taxed.customer.state_code = OTHER_STATE_GSTIN, "29"
    taxed.customer.save()
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"), (taxed.cap, 5, "2.00"))
    response = staff_client.get(reverse("sales:bill-pdf", args=[sale.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for fact in (SELLER_GSTIN, OTHER_STATE_GSTIN, "39233090", "39235010", "118.00", "11.20", "129.00"):
        assert fact in text, fact
    assert "Rupees One Hundred Twenty-Nine Only" in " ".join(text.split())
    receipt = staff_client.get(reverse("sales:bill-pdf", args=[sale.pk]), {"format": "receipt"})
    assert SELLER_GSTIN in pdf_text(receipt.content)


def test_the_pdf_renderer_fetches_no_url_a_bill_could_name(taxed, staff_user):
    # Text a user typed is escaped, and the renderer may open data: URIs only.
    taxed.customer.name = '<img src="file:///etc/passwd"> Aqua'
    taxed.customer.save()
    sale = taxed.sell(staff_user, (taxed.bottle, 1, "10.00"))
    text = pdf_text(invoice.render_pdf(invoice.load_sale(sale.pk)))
    assert '<img src="file:///etc/passwd"> Aqua' in text
