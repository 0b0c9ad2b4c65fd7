"""The tax invoice: what the print page and the PDF carry, and what a bill that is not posted shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from sales import invoice
from sales.tests.conftest import LOCAL_GSTIN, OTHER_STATE_GSTIN, SELLER_GSTIN, pdf_text

pytestmark = pytest.mark.django_db


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


def test_a_posted_invoice_keeps_the_gstin_it_was_issued_to(taxed, staff_user, staff_client):
    sale = taxed.sell(staff_user, (taxed.bottle, 1, "10.00"))
    taxed.customer.gstin, taxed.customer.state_code = OTHER_STATE_GSTIN, "29"
    taxed.customer.save()
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert LOCAL_GSTIN in html and OTHER_STATE_GSTIN not in html


def test_a_pdf_is_rendered_once_until_its_page_changes(taxed, staff_user, staff_client):
    from unittest import mock

    from django.core.cache import cache

    from sales.services import record_payment

    cache.clear()
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))
    url = reverse("sales:bill-pdf", args=[sale.pk])
    with mock.patch.object(invoice, "pdf_from_html", wraps=invoice.pdf_from_html) as renders:
        first = staff_client.get(url).content
        assert staff_client.get(url).content == first and renders.call_count == 1
        record_payment(
            by=staff_user, customer=taxed.customer, sale=sale, amount=Decimal("18.00"), method="upi"
        )
        paid = staff_client.get(url).content
    assert renders.call_count == 2 and paid != first
    assert "Scan to pay INR 100.00" in " ".join(pdf_text(paid).split())


def test_a_vat_invoice_has_one_tax_column_and_no_place_of_supply(taxed, staff_user, staff_client, settings):
    settings.TAX_REGIME = "vat"
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert "Tax invoice" in html and "18.00" in html and "118.00" in html
    assert "CGST" not in html and "IGST" not in html and "Place of supply" not in html


def test_without_tax_the_bill_is_an_invoice_without_tax_columns(taxed, staff_user, staff_client, settings):
    settings.TAX_REGIME = "none"
    sale = taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))
    html = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    assert "<h1>Invoice</h1>" in html and "Tax invoice" not in html
    assert "Tax %" not in html and "Tax summary" not in html and "100.00" in html
