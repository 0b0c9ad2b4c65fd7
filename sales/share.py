"""Share links to a bill's tax invoice PDF: signed, expiring, for one bill only.

The token is the bill's id signed with the secret key and a timestamp (``django.core.signing``,
its own salt), so it cannot be altered to name another bill, and it stops working after
``INVOICE_LINK_MAX_AGE`` seconds. It opens the PDF without a login and leads nowhere else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "sales.invoice-share-link"


class LinkExpired(Exception):
    """A genuine link whose time is up: the buyer should ask the plant for a new one."""


class LinkInvalid(Exception):
    """A token that was not made here, or was altered."""


def make_token(sale_pk: int) -> str:
    return signing.dumps({"bill": sale_pk}, salt=SALT, compress=False)


def read_token(token: str) -> int:
    """The bill id a token was made for; ``LinkExpired`` or ``LinkInvalid`` otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.INVOICE_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    bill = payload.get("bill") if isinstance(payload, dict) else None
    if not isinstance(bill, int) or isinstance(bill, bool):
        raise LinkInvalid
    return bill


def link_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=settings.INVOICE_LINK_MAX_AGE)


def share_url(sale_pk: int) -> str:
    """The absolute link to the PDF, on the plant's public address (``SITE_URL``)."""
    path = reverse("sales:shared-invoice", args=[make_token(sale_pk)])
    return settings.SITE_URL.rstrip("/") + path
