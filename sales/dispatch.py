"""Sending a tax invoice out of the plant: e-mail the PDF to the buyer, or make a share link.

Each is recorded as an ``InvoiceDispatch`` row (with its history row, so it shows on the bill's
page and in the audit trail) and as a line in the audit log. Only a posted bill is sent: a draft is
not a tax invoice, and a cancelled one must not go out as if it were still owed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from inventory.documents import DocumentStatus
from inventory.errors import DomainError, NotAllowed, WrongState
from sales import invoice, share
from sales.models import DispatchKind, InvoiceDispatch, Sale

log = logging.getLogger("bottleworks.audit")


class MailNotSent(DomainError):
    """The mail server refused or could not be reached; nothing was recorded as sent."""

    code = "mail_not_sent"

    def __init__(self, address: str, reason: str):
        self.address = address
        self.reason = reason
        super().__init__(f"The invoice could not be e-mailed to {address}: {reason}. Try again later.")


def _check(sale: Sale, by: User, action: str) -> None:
    if not roles.can_enter_data(by):
        raise NotAllowed(f"Only Staff and Managers may {action} a tax invoice.")
    if sale.status != DocumentStatus.POSTED:
        raise WrongState(sale, "posted", action)


def _record(*, sale: Sale, by: User, kind: str, recipient: str = "", expires: datetime | None = None):
    row = InvoiceDispatch(
        sale=sale, kind=kind, recipient=recipient, link_expires_at=expires, sent_by=by, sent_at=timezone.now()
    )
    row._history_user = by  # simple-history's documented way to name who made a row
    row.save()
    log.info("invoice %s bill=%s number=%s to=%r by=%s", kind, sale.pk, sale.number, recipient, by.pk)
    return row


def email_invoice(*, sale: Sale, by: User, to: str = "") -> InvoiceDispatch:
    """E-mail the bill's tax invoice PDF to ``to`` (default: the customer's address).

    Sent while the user waits, so a refusal is told at once rather than lost in a queue: the PDF
    takes well under a second (bench/invoice_pdf.py) and ``EMAIL_TIMEOUT`` bounds the mail server.
    """
    _check(sale, by, "e-mail")
    address = (to or sale.customer.email or "").strip()
    if not address:
        raise DomainError(f"{sale.customer} has no e-mail address: add one to the customer, or type one.")
    try:
        validate_email(address)
    except ValidationError as error:
        raise DomainError(f"{address!r} is not an e-mail address.") from error
    sale = invoice.load_sale(sale.pk)
    seller = invoice.SellerProfile.current()
    sender_name = seller.trade_name or seller.legal_name or getattr(settings, "PLANT_NAME", "Bottleworks")
    message = mail.EmailMessage(
        subject=f"Tax invoice {sale.number} from {sender_name}",
        body=(
            f"Dear {sale.customer.name},\n\n"
            f"Please find attached tax invoice {sale.number} of {sale.date:%d %b %Y} "
            f"for {settings.CURRENCY} {sale.total:.2f}.\n\n{sender_name}\n"
        ),
        to=[address],
        reply_to=[seller.email] if seller.email else None,
    )
    message.attach(invoice.pdf_filename(sale), invoice.render_pdf(sale), "application/pdf")
    try:
        message.send()
    except Exception as error:  # any refusal from the mail server is told to the user, not a 500
        log.warning("invoice e-mail failed bill=%s to=%r: %s", sale.pk, address, error)
        raise MailNotSent(address, type(error).__name__) from error
    with transaction.atomic():
        return _record(sale=sale, by=by, kind=DispatchKind.EMAIL, recipient=address)


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
    text = (
        f"Tax invoice {sale.number} for {settings.CURRENCY} {sale.total:.2f} "
        f"(link open until {timezone.localtime(expires):%d %b %Y}): {url}"
    )
    return SharedLink(url=url, whatsapp_url=f"https://wa.me/?text={quote(text, safe='')}", expires_at=expires)
