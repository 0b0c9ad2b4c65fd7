"""A real SMTP server (aiosmtpd) on a free loopback port, and users with addresses."""

from __future__ import annotations

import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects what the server accepted; ``refuse`` makes it answer every mail with a 451."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["X-Envelope-To"].split(", ")]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Mail settings pointing at a loopback port nobody listens on (connection refused)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""


@pytest.fixture(autouse=True)
def _no_background_sending(settings):
    """Tests send the queue themselves, unless they turn the after-commit attempt on."""
    from notifications import alerts

    settings.MAIL_QUEUE_SEND_AFTER_COMMIT = False
    settings.SITE_URL = "https://plant.example"
    alerts.forget_cached_levels()
    yield
    alerts.forget_cached_levels()


def join_background_senders() -> None:
    for thread in threading.enumerate():
        if thread.name in ("outbox-sender", "low-stock"):
            thread.join()


@pytest.fixture
def addresses(staff_user, manager_user, other_manager, owner_user):
    """Everyone with an address: Sam (Staff), Mia and Max (Managers), Olga (Owner)."""
    for user in (staff_user, manager_user, other_manager, owner_user):
        user.email = f"{user.username}@plant.example"
        user.save(update_fields=["email"])
    return {
        "staff": staff_user,
        "mia": manager_user,
        "max": other_manager,
        "owner": owner_user,
    }
