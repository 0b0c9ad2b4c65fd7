"""Lockout and throttling of logins: the cool-off ends on time, spraying from one address is refused."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from rest_framework.test import APIClient

from core import request_context

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOCKED = "Too many failed login attempts. Try again in 15 minutes."
ADDRESS_LIMITED = "Too many failed login attempts from your address. Try again in 15 minutes."


def _web(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _minutes_pass(minutes: int) -> None:
    """Move every recorded failure back in time, as if ``minutes`` had passed since."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


@pytest.fixture
def audit_records():
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(request_context.RequestContextFilter())  # adds the address, as in production
    logger = logging.getLogger("bottleworks.audit")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_failures_during_a_lockout_do_not_restart_the_cool_off(client, manager_user):
    for _ in range(5):
        _web(client, "mia_manager", "wrong-password")
    assert _web(client, "mia_manager", PASSWORD).status_code == 429

    # Someone keeps guessing every ten minutes: each guess is refused, and none extends the lock.
    _minutes_pass(10)
    assert _web(client, "mia_manager", "another-guess").status_code == 429
    _minutes_pass(6)  # 16 minutes after the failure that locked the account
    assert _web(client, "mia_manager", PASSWORD).status_code == 302


def test_failures_during_an_api_lockout_do_not_restart_the_cool_off(staff_user):
    api = APIClient()
    for _ in range(5):
        _token(api, "sam_staff", "wrong-password")
    _minutes_pass(10)
    assert _token(api, "sam_staff", "another-guess").status_code == 429
    _minutes_pass(6)
    assert _token(api, "sam_staff", PASSWORD).status_code == 200


def test_spraying_usernames_from_one_address_is_refused_on_the_token_endpoint(staff_user, audit_records):
    api = APIClient()
    statuses = [_token(api, f"user{n}", "Summer2026!").status_code for n in range(60)]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429] * 40

    # The address stays refused, even with a right password; other addresses are untouched.
    refused = _token(api, "sam_staff", PASSWORD)
    assert refused.status_code == 429
    assert refused.json() == {"error": {"code": "locked_out", "message": ADDRESS_LIMITED, "fields": {}}}
    assert _token(api, "sam_staff", PASSWORD, ip="10.0.0.2").status_code == 200
    assert any("too many failed logins from this address" in r.getMessage() for r in audit_records)


def test_spraying_usernames_from_one_address_is_refused_on_the_web_login(client, staff_user):
    statuses = [_web(client, f"user{n}", "Summer2026!").status_code for n in range(25)]
    assert statuses[:20] == [200] * 20  # the login page again, with its error
    assert statuses[20:] == [429] * 5
    refused = _web(client, "sam_staff", PASSWORD)
    assert refused.status_code == 429
    assert ADDRESS_LIMITED.encode() in refused.content
    assert "_auth_user_id" not in client.session
    assert _web(client, "sam_staff", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_admin_login_counts_and_honours_the_same_limit(client, manager_user):
    for n in range(20):
        _web(client, f"user{n}", "Summer2026!")
    response = client.post(
        "/admin/login/", {"username": "mia_manager", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429


def test_the_address_limit_ends_once_its_failures_are_older_than_the_window(staff_user, settings):
    api = APIClient()
    for n in range(20):
        _token(api, f"user{n}", "Summer2026!")
    assert _token(api, "sam_staff", PASSWORD).status_code == 429
    _minutes_pass(16)
    assert _token(api, "sam_staff", PASSWORD).status_code == 200


def test_the_address_limit_and_window_are_settings(staff_user, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    api = APIClient()
    statuses = [_token(api, f"user{n}", "Summer2026!").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    settings.LOGIN_ADDRESS_WINDOW = timedelta(minutes=5)
    _minutes_pass(6)
    assert _token(api, "sam_staff", PASSWORD).status_code == 200


def test_a_successful_token_login_resets_the_failures_and_is_audited(staff_user, audit_records):
    api = APIClient()
    for _ in range(4):
        assert _token(api, "sam_staff", "wrong-password").status_code == 401
    success = _token(api, "sam_staff", PASSWORD)
    assert success.status_code == 200
    assert "sessionid" not in success.cookies
    # The four failures before the login no longer count: four more still do not lock.
    for _ in range(4):
        assert _token(api, "sam_staff", "wrong-password").status_code == 401
    assert _token(api, "sam_staff", PASSWORD).status_code == 200

    logins = [r for r in audit_records if r.getMessage() == "login succeeded username='sam_staff'"]
    assert len(logins) == 2
    assert [(r.levelno, r.address) for r in logins] == [(logging.INFO, "10.0.0.1")] * 2
