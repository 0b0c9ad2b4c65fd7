"""Sending a tax invoice: the PDF by e-mail through a real SMTP server, and the share link."""

from __future__ import annotations

import email
import socket
import time
from email import policy
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.urls import reverse

from sales import share
from sales.models import InvoiceDispatch
from sales.tests.conftest import OTHER_STATE_GSTIN, SELLER_GSTIN, pdf_text

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp_settings(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""


@pytest.fixture(autouse=True)
def _mail_within_the_request(settings):
    """Tests send the invoice mail when the request commits, not in a thread (one test does)."""
    settings.INVOICE_SEND_IN_BACKGROUND = False


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    _smtp_settings(settings, controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def bill(taxed, staff_user):
    taxed.customer.gstin, taxed.customer.state_code = OTHER_STATE_GSTIN, "29"
    taxed.customer.save()
    return taxed.sell(staff_user, (taxed.bottle, 10, "10.00"))


@pytest.fixture
def other_bill(taxed, staff_user):
    return taxed.sell(staff_user, (taxed.bottle, 1, "10.00"))


# E-mail -------------------------------------------------------------------------------------------


def test_the_invoice_pdf_is_emailed_to_the_customer_and_logged(
    bill, smtp, staff_user, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("sales:bill-email", args=[bill.pk]), {"to": ""})
    assert response.status_code == 302
    [message] = smtp.messages
    assert message["To"] == "accounts@aqua.example"
    assert bill.number in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{bill.number.replace('/', '-')}.pdf"
    text = pdf_text(attachment.get_content())
    assert SELLER_GSTIN in text and OTHER_STATE_GSTIN in text and "118.00" in text
    [sent] = InvoiceDispatch.objects.filter(sale=bill)
    assert (sent.kind, sent.status, sent.recipient) == ("email", "done", "accounts@aqua.example")
    assert sent.sent_by == staff_user
    assert [(h.status, h.history_user) for h in sent.history.order_by("history_id")] == [
        ("queued", staff_user),
        ("done", staff_user),
    ]
    page = staff_client.get(reverse("sales:bill-detail", args=[bill.pk])).content.decode()
    assert "E-mailed to accounts@aqua.example" in page


def test_the_address_typed_on_the_bill_page_is_used(
    bill, smtp, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("sales:bill-email", args=[bill.pk]), {"to": "buyer@other.example"})
    assert [m["To"] for m in smtp.messages] == ["buyer@other.example"]


def test_a_mail_server_that_is_down_is_shown_as_not_sent_with_its_reason(
    bill, settings, staff_client, django_capture_on_commit_callbacks
):
    _smtp_settings(settings, _free_port())  # nobody listens there
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("sales:bill-email", args=[bill.pk]))
    assert response.status_code == 302
    [failed] = InvoiceDispatch.objects.all()
    assert failed.status == "failed" and "ConnectionRefusedError" in failed.error
    page = staff_client.get(reverse("sales:bill-detail", args=[bill.pk])).content.decode()
    assert "Not e-mailed</strong> to accounts@aqua.example" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_mail_goes_in_a_background_thread_after_the_commit(
    roles_exist, taxed, staff_user, settings, smtp
):
    import threading

    from sales import dispatch

    settings.INVOICE_SEND_IN_BACKGROUND = True
    staff = staff_user
    sale = taxed.sell(staff, (taxed.bottle, 1, "10.00"))
    queued = dispatch.email_invoice(sale=sale, by=staff)
    for thread in threading.enumerate():
        if thread.name == "invoice-mail":
            thread.join()
    queued.refresh_from_db()
    assert queued.status == "done"
    [message] = smtp.messages
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]


def test_a_draft_a_bad_address_and_the_owner_cannot_send(
    taxed, bill, smtp, staff_user, staff_client, owner_user, client
):
    draft = taxed.sell(staff_user, (taxed.bottle, 1, "10.00"), submit=False)
    page = staff_client.post(reverse("sales:bill-email", args=[draft.pk]), follow=True).content.decode()
    assert "not posted" in page
    page = staff_client.post(reverse("sales:bill-email", args=[bill.pk]), {"to": "nope"}, follow=True)
    assert "is not an e-mail address" in page.content.decode()
    client.force_login(owner_user)
    assert client.post(reverse("sales:bill-email", args=[bill.pk])).status_code == 403
    assert staff_client.get(reverse("sales:bill-email", args=[bill.pk])).status_code == 405
    assert smtp.messages == [] and not InvoiceDispatch.objects.exists()


# Share link -----------------------------------------------------------------------------------------


def _shared_link(staff_client, bill) -> str:
    response = staff_client.post(reverse("sales:bill-share", args=[bill.pk]))
    assert response.status_code == 302
    whatsapp = urlsplit(response["Location"])
    assert (whatsapp.scheme, whatsapp.netloc, whatsapp.path) == ("https", "wa.me", "/")
    [text] = parse_qs(whatsapp.query)["text"]
    assert bill.number in text
    return text.rsplit(" ", 1)[-1]


def test_the_share_link_opens_the_pdf_without_a_login_and_is_logged(
    bill, staff_user, staff_client, client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from sales import invoice

    cache.clear()
    with mock.patch.object(invoice, "pdf_from_html", wraps=invoice.pdf_from_html) as renders:
        with django_capture_on_commit_callbacks(execute=True):
            link = _shared_link(staff_client, bill)
        assert renders.call_count == 1  # made ready right after the click
        response = client.get(urlsplit(link).path)  # nobody logged in
        assert renders.call_count == 1  # served from the cache
    assert link.startswith("http://localhost:8000/sales/shared/invoices/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert OTHER_STATE_GSTIN in pdf_text(response.content)
    [shared] = InvoiceDispatch.objects.filter(sale=bill)
    assert (shared.kind, shared.sent_by) == ("share", staff_user) and shared.link_expires_at is not None


def test_an_expired_link_gets_a_clear_410_page(bill, settings, client):
    settings.INVOICE_LINK_MAX_AGE = 3600
    with mock.patch("time.time", return_value=time.time() - 3601):
        token = share.make_token(bill.pk)
    response = client.get(reverse("sales:shared-invoice", args=[token]))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert bill.number not in response.content.decode()


def test_a_tampered_link_or_one_for_another_bill_reaches_nothing(bill, other_bill, client):
    token = share.make_token(bill.pk)
    payload, stamp, signature = token.split(":")
    other_payload = signing.b64_encode(f'{{"bill":{other_bill.pk}}}'.encode()).decode()
    for forged in (
        f"{other_payload}:{stamp}:{signature}",  # another bill's id under this bill's signature
        f"{payload}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        signing.dumps({"bill": other_bill.pk}),  # signed, but not as a share link (another salt)
        signing.dumps({"bill": other_bill.pk}, salt="sales.invoice-share-link", key="not-our-key"),
        "nonsense",
        "x" * 3000,
    ):
        response = client.get(reverse("sales:shared-invoice", args=[forged]))
        assert response.status_code == 404, forged
        assert other_bill.number not in response.content.decode()
    assert client.get(reverse("sales:shared-invoice", args=[token])).status_code == 200


def test_a_draft_cannot_be_shared_and_a_token_for_one_opens_nothing(taxed, staff_user, staff_client, client):
    draft = taxed.sell(staff_user, (taxed.bottle, 1, "10.00"), submit=False)
    page = staff_client.post(reverse("sales:bill-share", args=[draft.pk]), follow=True).content.decode()
    assert "not posted" in page
    assert client.get(reverse("sales:shared-invoice", args=[share.make_token(draft.pk)])).status_code == 404
    assert client.get(reverse("sales:shared-invoice", args=[share.make_token(999999)])).status_code == 404
    assert not InvoiceDispatch.objects.exists()


def test_a_share_is_in_the_audit_trail_with_who_made_it(bill, staff_client, owner_user, client):
    _shared_link(staff_client, bill)
    client.force_login(owner_user)
    page = client.get(reverse("accounts:audit"), {"model": "sales.invoicedispatch"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Invoice dispatch" in html and "Sam_Staff" in html


def test_the_dispatch_log_is_read_only_in_admin(bill, staff_client, manager_client):
    _shared_link(staff_client, bill)
    shared = InvoiceDispatch.objects.get()
    assert manager_client.get(reverse("admin:sales_invoicedispatch_changelist")).status_code == 200
    change = reverse("admin:sales_invoicedispatch_change", args=[shared.pk])
    assert manager_client.post(change, {"recipient": "x@y.example"}).status_code == 403
    assert manager_client.get(reverse("admin:sales_invoicedispatch_add")).status_code == 403
    assert InvoiceDispatch.objects.get().recipient == ""
