"""Error mails: none for what anyone on the internet can send, and never a password or a token."""

import json
import logging
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.log import AdminEmailHandler
from rest_framework_simplejwt.backends import TokenBackend

from accounts.api.tokens import RefreshToken
from config.error_reports import SensitiveDataFilter

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _broken_decode(self, token, verify=True):
    raise RuntimeError("the signing key store is down")


class ExplodingBackend:
    """An authentication backend whose database is down: every login is a server error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        raise RuntimeError("the user store is unreachable")

    def get_user(self, user_id):
        return None


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]


@pytest.fixture
def html_mails(admins):
    """Error mails with the HTML report too, whose traceback shows every frame's local variables."""
    handlers = [h for h in logging.getLogger("django.request").handlers if isinstance(h, AdminEmailHandler)]
    assert handlers, "500s are mailed to ADMINS"
    for handler in handlers:
        handler.include_html = True
    yield
    for handler in handlers:
        handler.include_html = False


def _mail_texts() -> list[str]:
    texts = []
    for message in mail.outbox:
        texts.append(message.subject + message.body)
        texts.extend(str(content) for content, _ in getattr(message, "alternatives", []))
    return texts


def _assert_one_mail_without(*secrets: str) -> None:
    assert len(mail.outbox) == 1
    texts = _mail_texts()
    assert "Traceback" in texts[0]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_a_bad_host_header_sends_no_mail(admins):
    client = Client(raise_request_exception=False)
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/api/v1/sales/", HTTP_HOST="evil.example").status_code == 400
    assert client.post("/api/v1/auth/token/", {}, HTTP_HOST="evil.example").status_code == 400
    assert mail.outbox == []


def test_a_body_over_the_size_limit_sends_no_mail(admins, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert mail.outbox == []


@pytest.mark.parametrize("where", ["api", "web"])
def test_a_server_error_in_a_login_mails_without_the_password(where, manager_user, html_mails, settings):
    # The API takes JSON bodies only (a form body is a 415 before anything runs); the web login
    # posts a form: both kinds of body reach the mail scrubbed.
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.ExplodingBackend"]
    credentials = {"username": manager_user.username, "password": PASSWORD}
    client = Client(raise_request_exception=False)
    if where == "api":
        response = client.post(
            "/api/v1/auth/token/", json.dumps(credentials), content_type="application/json"
        )
        assert response.json()["error"]["code"] == "server_error"
    else:
        response = client.post(reverse("accounts:login"), credentials)
    assert response.status_code == 500
    _assert_one_mail_without(PASSWORD)


def test_a_server_error_in_a_refresh_mails_without_the_refresh_or_access_token(manager_user, html_mails):
    refresh = RefreshToken.for_user(manager_user)
    sent = {"refresh": str(refresh), "access": str(refresh.access_token)}
    client = Client(raise_request_exception=False)
    with mock.patch.object(TokenBackend, "decode", _broken_decode):
        response = client.post("/api/v1/auth/token/refresh/", sent, content_type="application/json")
    assert response.status_code == 500
    _assert_one_mail_without(sent["refresh"], sent["access"])


def test_the_filter_hides_credentials_in_nested_data_and_raw_bodies_and_keeps_the_rest():
    report = SensitiveDataFilter()
    scrubbed = report.scrub(
        {
            "username": "mia",
            "lines": [{"quantity": 3, "new_password1": "s3cret-one"}],
            "raw": '{"refresh": "eyJ.r.t", "note": "kept"}',
            "form": b"username=mia&password=s3cret-two&access=eyJ.a.t",
            "args": ("eyJhbGciOi.eyJ0b2tlbl.c2lnbmF0dXJl",),
        }
    )
    text = repr(scrubbed)
    assert "s3cret-one" not in text and "s3cret-two" not in text
    assert "eyJ.r.t" not in text and "eyJ.a.t" not in text and "c2lnbmF0dXJl" not in text
    assert "mia" in text and "kept" in text and "'quantity': 3" in text
