"""Logs: one line per event with request id, user, address and UTC time; never a password or token."""

import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import path

import config.urls
from core import request_context
from documents import lifecycle

pytestmark = pytest.mark.django_db

PASSWORD = "Wr0ng-and-very-secret-pw"
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) (?P<logger>\S+) "
    r"request_id=(?P<request_id>\S+) user=(?P<user>\S+) address=(?P<address>\S+) (?P<message>.*)$"
)


def _refuse(request):
    raise PermissionDenied


urlpatterns = [path("refuse", _refuse), *config.urls.urlpatterns]


@pytest.fixture
def log_lines():
    """The lines the configured console handler would write, captured with its own format."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        request_context.UTCFormatter(django_settings.LOGGING["formatters"]["line"]["format"])
    )
    handler.addFilter(request_context.RequestContextFilter())
    loggers = [logging.getLogger(), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [LINE.match(line) or line for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def _audit(lines, text):
    found = [m for m in lines if isinstance(m, re.Match) and text in m["message"]]
    assert found, f"no log line with {text!r} in {lines}"
    return found[0]


def _is_now_in_utc(stamp: str) -> bool:
    logged = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - logged) < timedelta(minutes=2)


def test_every_response_carries_a_request_id_and_a_sane_one_from_the_proxy_is_kept(client, settings):
    fresh = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != fresh["X-Request-ID"]
    # Without a proxy the header is the client's own: it is replaced.
    chosen = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c01")
    assert re.fullmatch(r"[0-9a-f]{32}", chosen["X-Request-ID"])
    settings.PROXY_COUNT = 1
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c01")
    assert kept["X-Request-ID"] == "lb-7f3a9c01"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nuser=admin injected")
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def test_a_failed_login_is_one_line_with_username_address_request_id_and_utc_time(
    client, staff_user, log_lines
):
    response = client.post(
        "/accounts/login/", {"username": "sam_staff", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200
    lines = log_lines()
    line = _audit(lines, "login failed")
    assert line["logger"] == "bottleworks.audit"
    assert line["message"] == "login failed username='sam_staff'"
    assert line["address"] == "10.0.0.9"
    assert line["request_id"] == response["X-Request-ID"]
    assert _is_now_in_utc(line["time"])
    assert all(PASSWORD not in str(getattr(m, "string", m)) for m in lines)


def test_a_refused_web_page_is_logged_with_the_user(settings, staff_client, log_lines):
    settings.ROOT_URLCONF = __name__
    response = staff_client.get("/refuse", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 403
    line = _audit(log_lines(), "permission refused")
    assert line["message"] == "permission refused GET /refuse user=sam_staff"
    assert line["user"] == "sam_staff"
    assert line["address"] == "10.0.0.7"
    assert line["request_id"] == response["X-Request-ID"]


def test_approval_rejection_and_cancel_through_the_api_are_logged_with_user_address_and_time(
    plant, staff_user, manager_user, manager_client, settings, log_lines
):
    plant.buy(staff_user, (plant.bottle, 100, "2.00"))
    settings.APPROVAL_THRESHOLD = 100
    big = plant.sell(staff_user, (plant.bottle, 60, "5.00"))
    other = plant.sell(staff_user, (plant.bottle, 30, "5.00"))
    assert (big.status, other.status) == ("pending", "pending")

    approved = manager_client.post(f"/api/v1/sales/{big.pk}/approve/", REMOTE_ADDR="10.0.0.5")
    assert approved.status_code == 200
    number = approved.json()["number"]
    cancelled = manager_client.post(
        f"/api/v1/sales/{big.pk}/cancel/",
        {"reason": "wrong customer"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.5",
    )
    rejected = manager_client.post(
        f"/api/v1/sales/{other.pk}/reject/",
        {"reason": "price too low"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.4",
    )
    assert (cancelled.status_code, rejected.status_code) == (200, 200)

    lines = log_lines()
    for event, response, address in (
        (f"approved {number}", approved, "10.0.0.5"),
        (f"cancelled {number}", cancelled, "10.0.0.5"),
        (f"rejected {other.pk}", rejected, "10.0.0.4"),
    ):
        line = _audit(lines, event)
        assert line["logger"] == "bottleworks.audit"
        assert (line["user"], line["address"]) == ("mia_manager", address)
        assert line["request_id"] == response["X-Request-ID"]
        assert _is_now_in_utc(line["time"])


def test_a_decision_made_inside_a_bound_request_carries_its_context(
    plant, staff_user, manager_user, settings, log_lines
):
    # Services log without knowing the request; the middleware's binding supplies it.
    plant.buy(staff_user, (plant.bottle, 100, "2.00"))
    settings.APPROVAL_THRESHOLD = 100
    sale = plant.sell(staff_user, (plant.bottle, 60, "5.00"))
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.3")
    request.user, request.request_id = manager_user, "bound-req-0001"
    request.client_address = request_context.client_address(request)
    token = request_context.bind(request)
    try:
        sale = lifecycle.approve(document=sale, by=manager_user)
    finally:
        request_context.unbind(token)
    line = _audit(log_lines(), f"approved {sale.number}")
    assert (line["user"], line["address"], line["request_id"]) == (
        "mia_manager",
        "10.0.0.3",
        "bound-req-0001",
    )


def test_lines_outside_a_request_have_placeholders_and_multiline_messages_stay_on_one_line(log_lines):
    logging.getLogger("bottleworks.audit").warning("first\nsecond")
    [line] = log_lines()
    assert (line["request_id"], line["user"], line["address"]) == ("-", "-", "-")
    assert line["message"] == "first\\nsecond"


def test_a_client_with_an_unresolved_session_user_is_not_looked_up_by_logging(log_lines):
    # Logging must never run a query of its own (it may be called inside a failed transaction).
    request = RequestFactory().get("/")
    request.client_address, request.request_id = "10.0.0.1", "lazy-user-check"
    from django.utils.functional import SimpleLazyObject

    def explode():
        raise AssertionError("the logging filter resolved the user")

    request.user = SimpleLazyObject(explode)
    token = request_context.bind(request)
    try:
        logging.getLogger("bottleworks.audit").info("event")
    finally:
        request_context.unbind(token)
    [line] = log_lines()
    assert line["user"] == "-"


def test_a_failed_api_login_is_logged_without_the_password(client, staff_user, log_lines):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "sam_staff", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 401
    lines = log_lines()
    line = _audit(lines, "login failed")
    assert (line["message"], line["address"]) == ("login failed username='sam_staff'", "10.0.0.8")
    assert all(PASSWORD not in str(getattr(m, "string", m)) for m in lines)


def test_a_refused_api_call_is_logged_with_the_token_user_and_never_the_token(client, staff_user, log_lines):
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "sam_staff", "password": "correct-horse-battery"},
        content_type="application/json",
    ).json()
    refused = client.post(
        "/api/v1/items/",
        {"sku": "NEW-1", "name": "New", "kind": "cap"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token['access']}",
        REMOTE_ADDR="10.0.0.6",
    )
    assert refused.status_code == 403
    lines = log_lines()
    line = _audit(lines, "permission refused")
    assert line["message"] == "permission refused POST /api/v1/items/ user=sam_staff"
    assert (line["user"], line["address"]) == ("sam_staff", "10.0.0.6")
    text = "\n".join(str(getattr(m, "string", m)) for m in lines)
    assert token["access"] not in text and token["refresh"] not in text
    assert "correct-horse-battery" not in text


def test_a_lockout_is_logged_once_the_failure_limit_is_reached(client, staff_user, log_lines):
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "sam_staff", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
        )
    line = _audit(log_lines(), "login locked out")
    assert (line["message"], line["address"]) == ("login locked out username='sam_staff'", "10.0.0.2")


@pytest.fixture
def console():
    """What the configured console handlers write (LOGGING in config/settings.py), line by line.

    The handlers themselves are pointed at one buffer, so a line Django's own configuration or
    a second handler adds is seen too.
    """
    stream = io.StringIO()
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    handlers = {
        h for logger in loggers for h in getattr(logger, "handlers", []) if type(h) is logging.StreamHandler
    }
    previous = {handler: handler.setStream(stream) for handler in handlers}
    yield lambda: [LINE.match(line) or line for line in stream.getvalue().splitlines()]
    for handler, old in previous.items():
        handler.setStream(old)


def test_a_refused_web_page_writes_one_line_with_its_request_id(settings, staff_client, console):
    settings.ROOT_URLCONF = __name__
    response = staff_client.get("/refuse", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 403
    [line] = console()
    assert line["message"] == "permission refused GET /refuse user=sam_staff"
    assert (line["request_id"], line["user"], line["address"]) == (
        response["X-Request-ID"],
        "sam_staff",
        "10.0.0.7",
    )


def test_a_refused_api_call_writes_one_line_with_its_request_id(staff_client, console):
    response = staff_client.post(
        "/api/v1/items/", {"sku": "N-1", "name": "N", "kind": "cap"}, content_type="application/json"
    )
    assert response.status_code == 403
    [line] = console()
    assert line["message"] == "permission refused POST /api/v1/items/ user=sam_staff"
    assert line["request_id"] == response["X-Request-ID"]


def test_a_csrf_refusal_writes_one_line_with_its_reason(staff_user, console):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    response = browser.post("/accounts/password/", {}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 403
    [line] = [m for m in console() if "login succeeded" not in str(getattr(m, "string", m))]
    assert line["message"].startswith("permission refused POST /accounts/password/ user=sam_staff reason=")
    assert "CSRF" in line["message"]
    assert (line["request_id"], line["address"]) == (response["X-Request-ID"], "10.0.0.7")


def test_django_request_lines_carry_the_request_id_user_and_address(staff_client, client, console):
    # Django writes these after the middleware has returned.
    missing = staff_client.get("/no-such-page/", REMOTE_ADDR="10.0.0.7")
    unauthorised = client.get("/api/v1/items/", REMOTE_ADDR="10.0.0.8")
    assert (missing.status_code, unauthorised.status_code) == (404, 401)
    not_found, refused = console()
    assert (not_found["logger"], not_found["message"]) == ("django.request", "Not Found: /no-such-page/")
    assert (not_found["request_id"], not_found["user"], not_found["address"]) == (
        missing["X-Request-ID"],
        "sam_staff",
        "10.0.0.7",
    )
    assert (refused["logger"], refused["message"]) == ("django.request", "Unauthorized: /api/v1/items/")
    assert (refused["request_id"], refused["user"], refused["address"]) == (
        unauthorised["X-Request-ID"],
        "anonymous",
        "10.0.0.8",
    )


def test_a_django_line_is_written_once_under_debug(settings, console):
    # runserver's autoreloader wrote "Watching for file changes" twice: Django's own console
    # handler on the "django" logger (DEBUG only) and the root's.
    settings.DEBUG = True
    logging.getLogger("django.utils.autoreload").info("Watching for file changes with StatReloader")
    [line] = console()
    assert line["message"] == "Watching for file changes with StatReloader"
