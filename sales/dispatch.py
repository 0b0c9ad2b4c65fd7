"""Sending a tax invoice out of the plant: e-mail the PDF to the buyer, or make a share link.

Each is recorded as an ``InvoiceDispatch`` row (with its history row, so it shows on the bill's
page and in the audit trail) and as a line in the audit log. Only a posted bill is sent: a draft is
not a tax invoice, and a cancelled one must not go out as if it were still owed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from core.errors import DomainError, NotAllowed, WrongState
from documents.models import DocumentStatus
from sales import invoice, share
from sales.models import DispatchKind, DispatchStatus, InvoiceDispatch, Sale

log = logging.getLogger("bottleworks.audit")


def _check(sale: Sale, by: User, action: str) -> None:
    if not roles.can_enter_data(by):
        raise NotAllowed(f"Only Staff and Managers may {action} a tax invoice.")
    if sale.status != DocumentStatus.POSTED:
        raise WrongState(sale, "posted", action)


def _record(
    *,
    sale: Sale,
    by: User,
    kind: str,
    recipient: str = "",
    expires: datetime | None = None,
    status: str = DispatchStatus.DONE,
) -> InvoiceDispatch:
    row = InvoiceDispatch(
        sale=sale,
        kind=kind,
        recipient=recipient,
        link_expires_at=expires,
        sent_by=by,
        sent_at=timezone.now(),
        status=status,
    )
    row._history_user = by  # simple-history's documented way to name who made a row
    row.save()
    log.info("invoice %s bill=%s number=%s to=%r by=%s", kind, sale.pk, sale.number, recipient, by.pk)
    return row


def email_invoice(*, sale: Sale, by: User, to: str = "") -> InvoiceDispatch:
    """Queue the bill's tax invoice PDF for e-mail to ``to`` (default: the customer's address).

    The PDF is made and sent after the commit, in a background thread (``deliver_email``), so the
    request waits neither on the PDF renderer nor on the mail server (``EMAIL_TIMEOUT`` may be
    seconds). The row says "being sent" until it is done or failed, with the server's reason.
    """
    _check(sale, by, "e-mail")
    address = (to or sale.customer.email or "").strip()
    if not address:
        raise DomainError(f"{sale.customer} has no e-mail address: add one to the customer, or type one.")
    try:
        validate_email(address)
    except ValidationError as error:
        raise DomainError(f"{address!r} is not an e-mail address.") from error
    with transaction.atomic():
        row = _record(
            sale=sale, by=by, kind=DispatchKind.EMAIL, recipient=address, status=DispatchStatus.QUEUED
        )
        _after_commit(deliver_email, row.pk, "invoice-mail")
    return row


def _after_commit(task, sale_or_dispatch_pk: int, name: str) -> None:
    """Run ``task`` after the commit: in a background thread, or at once (INVOICE_SEND_IN_BACKGROUND)."""

    def start() -> None:
        if settings.INVOICE_SEND_IN_BACKGROUND:
            threading.Thread(
                target=_in_background, args=(task, sale_or_dispatch_pk), name=name, daemon=True
            ).start()
        else:
            task(sale_or_dispatch_pk)

    transaction.on_commit(start)


def _in_background(task, pk: int) -> None:
    try:
        task(pk)
    except Exception:  # the thread has no one to tell: an e-mail's row stays "being sent"; logged
        log.exception("invoice background task %s(%s) failed", task.__name__, pk)
    finally:
        connections.close_all()  # this thread's own connections


def prepare_pdf(sale_pk: int) -> None:
    """Render a shared bill's PDF into the cache, so the buyer's first open does not wait for it."""
    invoice.render_pdf(invoice.load_sale(sale_pk))


def deliver_email(dispatch_pk: int) -> InvoiceDispatch:
    """Make the PDF and send one queued invoice e-mail; the row ends done or failed."""
    row = InvoiceDispatch.objects.select_related("sent_by").get(pk=dispatch_pk)
    if row.status != DispatchStatus.QUEUED:
        return row
    sale = invoice.load_sale(row.sale_id)
    seller = invoice.SellerProfile.current()
    sender_name = seller.trade_name or seller.legal_name or getattr(settings, "PLANT_NAME", "Bottleworks")
    try:
        message = mail.EmailMessage(
            subject=f"Tax invoice {sale.number} from {sender_name}",
            body=(
                f"Dear {sale.customer.name},\n\n"
                f"Please find attached tax invoice {sale.number} of {sale.date:%d %b %Y} "
                f"for {settings.CURRENCY} {sale.total:.2f}.\n\n{sender_name}\n"
            ),
            to=[row.recipient],
            reply_to=[seller.email] if seller.email else None,
        )
        message.attach(invoice.pdf_filename(sale), invoice.render_pdf(sale), "application/pdf")
        message.send()
    except Exception as error:  # any refusal is recorded on the row and shown on the bill page
        row.status, row.error = DispatchStatus.FAILED, f"{type(error).__name__}: {error}"[:300]
        log.warning("invoice e-mail failed bill=%s to=%r: %s", sale.pk, row.recipient, row.error)
    else:
        row.status, row.sent_at = DispatchStatus.DONE, timezone.now()
        log.info("invoice e-mail sent bill=%s number=%s to=%r", sale.pk, sale.number, row.recipient)
    row._history_user = row.sent_by
    row.save(update_fields=["status", "error", "sent_at"])
    return row


@dataclass(frozen=True)
class SharedLink:
    url: str
    whatsapp_url: str
    expires_at: datetime


def share_invoice(*, sale: Sale, by: User) -> SharedLink:
    """A signed, expiring link to the bill's PDF, and the WhatsApp link that carries it."""
    _check(sale, by, "share")
    url = share.share_url(sale.pk)
    expires = share.link_expiry()
    with transaction.atomic():
        _record(sale=sale, by=by, kind=DispatchKind.SHARE, expires=expires)
        _after_commit(prepare_pdf, sale.pk, "invoice-pdf")
    text = (
        f"Tax invoice {sale.number} for {settings.CURRENCY} {sale.total:.2f} "
        f"(link open until {timezone.localtime(expires):%d %b %Y}): {url}"
    )
    return SharedLink(url=url, whatsapp_url=f"https://wa.me/?text={quote(text, safe='')}", expires_at=expires)
