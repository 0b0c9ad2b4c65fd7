"""Every user changes their own password, on a page or through the API; it ends their other
sessions and every API token, and leaves a line in the audit log."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW = "a-brand-new-passphrase"
URL = "/accounts/password/"
API_URL = "/api/v1/auth/password/"


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_login(username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _logged_in(client: Client) -> bool:
    return client.get(reverse("reporting:dashboard")).status_code == 200


# The page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["staff_client", "manager_client", "owner_client"])
def test_every_role_finds_the_password_page_in_the_header(request, fixture):
    client = request.getfixturevalue(fixture)
    assert f'href="{URL}"' in client.get(reverse("reporting:dashboard")).content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in page.content.decode()


def test_the_page_is_for_logged_in_users_only(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_changing_the_password_keeps_this_session_and_ends_the_others_and_every_token(staff_user, caplog):
    here, elsewhere = _session(staff_user), _session(staff_user)
    tokens = _api_login("sam_staff").json()
    with caplog.at_level(logging.INFO, logger="bottleworks.audit"):
        response = here.post(URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert "Your password was changed" in here.get(response["Location"]).content.decode()
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
    assert _bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
    staff_user.refresh_from_db()
    assert staff_user.check_password(NEW)
    audit = [r for r in caplog.records if r.name == "bottleworks.audit"]
    assert any("password changed" in r.getMessage() and "sam_staff" in r.getMessage() for r in audit)
    assert all(NEW not in r.getMessage() and PASSWORD not in r.getMessage() for r in audit)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
            "old_password",
            "incorrectly",
        ),
        (
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"},
            "new_password2",
            "didn",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "blue-bottle", "new_password2": "blue-bottle"},
            "new_password2",
            "at least 12",
        ),
    ],
)
def test_a_refused_change_says_why_on_the_field_and_changes_nothing(
    staff_user, staff_client, data, field, message
):
    response = staff_client.post(URL, data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
    assert _logged_in(staff_client)


# The API ----------------------------------------------------------------------------------------


def test_the_api_changes_the_password_and_ends_every_token_and_every_session(staff_user):
    caller, other_login = _api_login("sam_staff").json(), _api_login("sam_staff", ip="10.0.0.2").json()
    browser = _session(staff_user)
    response = _bearer(caller["access"]).post(
        API_URL, {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )
    assert response.status_code == 204
    for tokens in (caller, other_login):
        assert _bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
        refreshed = APIClient().post(
            "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401
    assert not _logged_in(browser)
    assert _api_login("sam_staff", PASSWORD).status_code == 401
    again = _api_login("sam_staff", NEW)
    assert _bearer(again.json()["access"]).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"old_password": "not-my-password", "new_password": NEW}, "old_password", "incorrectly"),
        ({"old_password": PASSWORD, "new_password": "blue-bottle"}, "new_password", "at least 12"),
        ({"old_password": PASSWORD, "new_password": "sam_staff-sam"}, "new_password", "too similar"),
        ({"old_password": PASSWORD}, "new_password", "required"),
        ({}, "old_password", "required"),
    ],
)
def test_the_api_refuses_a_bad_change_with_a_clear_400_and_changes_nothing(
    staff_user, staff_api, body, field, message
):
    response = staff_api.post(API_URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any(message in m for m in error["fields"][field]), error
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
    assert staff_api.get("/api/v1/me/").status_code == 200


def test_a_browser_changing_its_password_through_the_api_keeps_its_session(staff_user):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("accounts:login"))  # sets the CSRF cookie
    browser.force_login(staff_user)
    elsewhere = _session(staff_user)
    response = browser.post(
        API_URL,
        {"old_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert response.status_code == 204
    assert _logged_in(browser)
    assert not _logged_in(elsewhere)


def test_the_api_endpoint_needs_a_login(staff_user):
    response = APIClient().post(API_URL, {"old_password": PASSWORD, "new_password": NEW}, format="json")
    assert response.status_code == 401


@pytest.fixture
def staff_api(staff_user):
    return _bearer(_api_login("sam_staff").json()["access"])
