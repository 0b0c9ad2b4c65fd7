"""Production settings: the deploy check, security headers, cookies and the generic error pages."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

import config.urls

PROJECT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("internal detail: ledger row 42 with secret sauce")


def _refuse(request):
    raise PermissionDenied


urlpatterns = [
    path("boom", _boom),
    path("api/v1/boom", _boom),
    path("refuse", _refuse),
    *config.urls.urlpatterns,
]
handler500 = config.urls.handler500


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a real deployment: DEBUG off, HTTPS on, a strong key, real SMTP."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "HTTPS", "WHITENOISE_USE_FINDERS", "DEBUG"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="bottleworks.example.com",
        EMAIL_HOST="smtp.example.com",
        EMAIL_HOST_USER="bottleworks",
        EMAIL_HOST_PASSWORD="smtp-password",
    )
    env.update(extra)
    return env


def test_deploy_check_passes_at_warning_level_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_environment_turns_on_https_secure_cookies_and_smtp_mail():
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_USE_TLS",
    ]
    script = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, n) for n in {names!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = dict(zip(names, json.loads(result.stdout.strip().splitlines()[-1]), strict=True))
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_USE_TLS": True,
    }


def test_deploy_check_fails_when_debug_is_left_on():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=production_env(DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


@pytest.fixture
def production_https(settings):
    """What HTTPS=1 turns on (the test environment runs with HTTPS=0)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_but_probes_are_not(production_https):
    client = Client()
    login = client.get("/accounts/login/")
    assert login.status_code == 301
    assert login["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_https_behind_the_proxy_gets_hsts_csp_and_the_other_security_headers(production_https):
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only(production_https, staff_user):
    client = Client(enforce_csrf_checks=False)
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    login = client.post(
        "/accounts/login/",
        {"username": "sam_staff", "password": "correct-horse-battery"},
        secure=True,
    )
    assert login.status_code == 302
    session = login.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_crash_shows_the_generic_page_without_traceback_or_detail(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    for leak in ("Traceback", "RuntimeError", "secret sauce", "ledger row 42", "settings"):
        assert leak not in body
    reference = response["X-Request-ID"]
    assert len(reference) == 32 and reference in body  # what to quote to whoever reads the logs


@pytest.mark.django_db
def test_a_crash_in_the_api_answers_the_api_error_shape_without_detail(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "server_error" and error["reference"] == response["X-Request-ID"]
    assert "secret sauce" not in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_refused_and_missing_pages_use_the_generic_templates(settings, staff_client):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    refused = staff_client.get("/refuse")
    assert refused.status_code == 403
    assert b"Not allowed" in refused.content
    missing = staff_client.get("/no-such-page/")
    assert missing.status_code == 404
    assert b"Not found" in missing.content
    assert b"Traceback" not in missing.content and b"URLconf" not in missing.content
