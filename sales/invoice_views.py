"""The tax invoice pages: print view, PDF, e-mail, share, and the public page a share link opens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError, NotAllowed
from sales import dispatch, invoice, share
from sales.models import Sale


def _sale(pk: int) -> Sale:
    try:
        return invoice.load_sale(pk)
    except Sale.DoesNotExist as error:
        raise Http404("No such bill.") from error


def _receipt(request) -> bool:
    return request.GET.get("format") == "receipt"


def print_view(request, pk: int):
    sale = _sale(pk)
    receipt = _receipt(request)
    copies = invoice.SENT_COPIES if receipt else invoice.PRINT_COPIES
    if request.GET.get("copy") in invoice.COPIES:
        copies = (request.GET["copy"],)
    return render(
        request, "sales/sale_print.html", invoice.invoice_context(sale, copies=copies, receipt=receipt)
    )


def _pdf_response(sale: Sale, *, receipt: bool = False, copies=invoice.SENT_COPIES) -> HttpResponse:
    response = HttpResponse(
        invoice.render_pdf(sale, receipt=receipt, copies=copies), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{invoice.pdf_filename(sale)}"'
    return response


def pdf_view(request, pk: int):
    sale = _sale(pk)
    if not invoice.is_tax_invoice(sale):
        raise Http404("Only a posted bill has a tax invoice PDF.")
    copies = (request.GET["copy"],) if request.GET.get("copy") in invoice.COPIES else invoice.SENT_COPIES
    return _pdf_response(sale, receipt=_receipt(request), copies=copies)


@require_POST
def email_view(request, pk: int):
    sale = _sale(pk)
    try:
        sent = dispatch.email_invoice(sale=sale, by=request.user, to=request.POST.get("to", "")[:254])
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Tax invoice {sale.number} is being e-mailed to {sent.recipient}: see Sent below."
        )
    return redirect("sales:bill-detail", sale.pk)


@require_POST
def share_view(request, pk: int):
    sale = _sale(pk)
    try:
        link = dispatch.share_invoice(sale=sale, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("sales:bill-detail", sale.pk)
    return redirect(link.whatsapp_url)


def _refused(request, status: int, heading: str, text: str):
    return render(
        request, "sales/shared_invoice_refused.html", {"heading": heading, "text": text}, status=status
    )


@require_safe
def shared_invoice(request, token: str):
    """The PDF behind a share link, to anyone holding the link: no login, no links to anything else."""
    try:
        pk = share.read_token(token)
    except share.LinkExpired:
        return _refused(
            request, 410, "This link has expired", "Ask the seller to send the invoice again for a new link."
        )
    except share.LinkInvalid:
        return _refused(request, 404, "No invoice at this link", "Check that the whole link was copied.")
    sale = Sale.objects.filter(pk=pk).first()
    if sale is None or not invoice.is_tax_invoice(sale):
        return _refused(request, 404, "No invoice at this link", "Check that the whole link was copied.")
    response = _pdf_response(invoice.load_sale(pk))
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
