"""The tax invoice of a bill: what it shows (``invoice_context``), its HTML and its PDF.

The print page, the e-mailed PDF and the shared PDF are one template rendered from one context, so
they can never disagree. Only a posted (or cancelled) bill is a tax invoice; a draft or pending bill
prints as a bill of that status, without a number, copies or payment QR code.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from decimal import Decimal
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string

from company.models import SellerProfile
from documents.models import DocumentStatus
from sales import selectors
from sales.amount_in_words import amount_in_words
from sales.models import Sale
from tax.compute import Regime
from tax.states import state_name

# The copies GST rules name for goods: the buyer's original and the transporter's duplicate.
COPIES = {
    "original": "Original for recipient",
    "duplicate": "Duplicate for transporter",
}
PRINT_COPIES = ("original", "duplicate")
SENT_COPIES = ("original",)  # what the buyer gets by e-mail or link
STYLESHEETS = ("css/invoice.css", "css/tax_invoice.css")
RECEIPT_STYLESHEET = "css/receipt.css"


def is_tax_invoice(sale: Sale) -> bool:
    return sale.status in (DocumentStatus.POSTED, DocumentStatus.CANCELLED)


def upi_uri(*, upi_id: str, payee: str, amount: Decimal, note: str) -> str:
    """The UPI deep link a payment app opens from the QR code (NPCI's upi://pay parameters)."""
    query = urlencode(
        {"pa": upi_id, "pn": payee, "am": f"{amount:.2f}", "cu": "INR", "tn": note}, quote_via=quote
    )
    return f"upi://pay?{query}"


def upi_qr_svg(uri: str) -> str:
    """The link as an inline SVG QR code (no image file, nothing fetched)."""
    return segno.make(uri, error="m").svg_inline(scale=3, border=2, omitsize=False)


def _logo_data_uri(seller: SellerProfile) -> str:
    """The logo inlined as a data: URI, so the PDF renderer never opens a file or URL itself."""
    if not seller.logo:
        return ""
    try:
        with seller.logo.open("rb") as handle:
            data = handle.read()
    except OSError:  # a logo row whose file is gone prints without the logo
        return ""
    kind = mimetypes.guess_type(seller.logo.name)[0] or "application/octet-stream"
    if not kind.startswith("image/"):
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def load_sale(pk: int) -> Sale:
    """A bill with what its invoice prints, in three queries."""
    return (
        Sale.objects.select_related("customer", "created_by")
        .prefetch_related("lines__item__packs", "lines__pack")
        .get(pk=pk)
    )


def invoice_context(
    sale: Sale, *, copies: tuple[str, ...] = PRINT_COPIES, receipt: bool = False, pdf: bool = False
) -> dict:
    seller = SellerProfile.current()
    plant_name = getattr(settings, "PLANT_NAME", "Bottleworks")
    tax_invoice = is_tax_invoice(sale)
    currency = settings.CURRENCY
    amount_due = selectors.bill_outstanding(sale) if tax_invoice else Decimal("0.00")
    upi = ""
    if tax_invoice and seller.upi_id and amount_due > 0 and currency == "INR":
        upi = upi_qr_svg(
            upi_uri(
                upi_id=seller.upi_id,
                payee=seller.trade_name or seller.legal_name or plant_name,
                amount=amount_due,
                note=sale.number,
            )
        )
    inter_state = sale.is_inter_state
    regime = settings.TAX_REGIME
    # Which tax columns the lines carry: GST splits by place of supply; VAT is one plain tax.
    split = {Regime.GST: "igst" if inter_state else "cgst_sgst", Regime.VAT: "single"}.get(regime, "")
    return {
        "sale": sale,
        "lines": list(sale.lines.all()),
        "seller": seller,
        "seller_name": seller.legal_name or seller.trade_name or plant_name,
        "seller_state": state_name(seller.state_code),
        "logo": _logo_data_uri(seller),
        "buyer": sale.customer,
        # A posted bill shows the GSTIN it was issued to, even if the customer's has changed since.
        "buyer_gstin": sale.party_gstin if tax_invoice else sale.customer.gstin,
        "buyer_state": state_name(sale.customer.state_code),
        "place_of_supply": state_name(sale.place_of_supply),
        "inter_state": inter_state,
        "gst": regime == Regime.GST,
        "taxed": regime != Regime.NONE,
        "split": split,
        "tax_rows": selectors.tax_summary(sale),
        "total_in_words": amount_in_words(sale.total, currency),
        "amount_due": amount_due,
        "upi_qr": upi,
        "is_tax_invoice": tax_invoice,
        "copies": [COPIES[c] for c in copies] if tax_invoice else [""],
        "receipt": receipt,
        "pdf": pdf,
        "currency": currency,
    }


def render_html(sale: Sale, *, request=None, **options) -> str:
    return render_to_string("sales/sale_print.html", invoice_context(sale, **options), request=request)


def _stylesheet_paths(receipt: bool) -> list[str]:
    names = [*STYLESHEETS, *([RECEIPT_STYLESHEET] if receipt else [])]
    return [finders.find(name) for name in names]


def render_pdf(sale: Sale, *, copies: tuple[str, ...] = SENT_COPIES, receipt: bool = False) -> bytes:
    """The invoice as PDF, from the same template as the print page.

    The PDF of a given page is kept in the cache under a digest of its HTML, so opening it again
    (a shared link, the e-mailed copy) costs one template render, not a PDF render (~0.3 s of CPU,
    bench/invoice_pdf.py). Any change the page would show (a payment that changes the amount due,
    a cancellation, a new seller address) changes the HTML and so the key.
    """
    html = render_html(sale, copies=copies, receipt=receipt, pdf=True)
    key = "invoice-pdf:" + hashlib.sha256(f"{receipt}:{html}".encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = pdf_from_html(html, receipt=receipt)
        cache.set(key, pdf, settings.INVOICE_PDF_CACHE_SECONDS)
    return pdf


def pdf_from_html(html: str, *, receipt: bool) -> bytes:
    """The stylesheets are handed over as files and the logo and QR code are inline, so the renderer
    is allowed no URL at all: nothing a bill contains can make it fetch a file or a web address."""
    from weasyprint import CSS, HTML, URLFetcher  # a heavy import, only where a PDF is made

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheets = [CSS(filename=path, url_fetcher=fetcher) for path in _stylesheet_paths(receipt)]
    return document.write_pdf(stylesheets=stylesheets)


def pdf_filename(sale: Sale) -> str:
    """A file name from the bill number (S/26-27/00042 → invoice-S-26-27-00042.pdf)."""
    number = (sale.number or f"draft-{sale.pk}").replace("/", "-")
    return f"invoice-{number}.pdf"
