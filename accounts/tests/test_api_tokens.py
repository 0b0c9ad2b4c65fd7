"""JWT tokens: lifetimes, rotation, blacklisting, forgeries, lockout, and roles read on every request."""

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.api.tokens import RefreshToken
from accounts.roles import Role, set_role

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _obtain(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _me(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_login_gives_an_access_token_valid_for_exactly_24_hours(anon_api, staff_user):
    response = _obtain(anon_api, "sam_staff")
    assert response.status_code == 200
    access = AccessToken(response.json()["access"])
    assert access["exp"] - access["iat"] == 24 * 3600
    me = _me(response.json()["access"])
    assert me.status_code == 200
    assert me.json()["role"] == "staff"


def test_a_wrong_password_is_a_401_in_the_error_shape(anon_api, staff_user):
    response = _obtain(anon_api, "sam_staff", "not-the-password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"


def test_a_tampered_token_is_refused(staff_user):
    access = str(RefreshToken.for_user(staff_user).access_token)
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["user_id"] = str(int(claims["user_id"]) + 1)
    forged = f"{header}.{_b64(claims)}.{signature}"
    response = _me(forged)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    flipped = access[:-2] + ("A" if access[-2] != "A" else "B") + access[-1]
    assert _me(flipped).status_code == 401


def test_an_unsigned_alg_none_token_is_refused(staff_user):
    access = str(RefreshToken.for_user(staff_user).access_token)
    payload = access.split(".")[1]
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    assert _me(unsigned).status_code == 401


def test_an_expired_token_is_refused(staff_user):
    access = RefreshToken.for_user(staff_user).access_token
    access.set_exp(from_time=timezone.now() - timedelta(hours=25))
    response = _me(str(access))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_refresh_token_cannot_be_used_as_an_access_token(staff_user):
    assert _me(str(RefreshToken.for_user(staff_user))).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_cannot_be_used_again(anon_api, staff_user):
    first = _obtain(anon_api, "sam_staff").json()
    rotated = anon_api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]
    assert _me(rotated.json()["access"]).status_code == 200
    again = anon_api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "token_not_valid"


def test_logout_blacklists_the_refresh_token(anon_api, staff_user):
    tokens = _obtain(anon_api, "sam_staff").json()
    assert (
        anon_api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code
        == 204
    )
    refreshed = anon_api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    twice = anon_api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert twice.status_code == 401


def test_a_deactivated_user_loses_access_on_the_next_request(anon_api, staff_user):
    tokens = _obtain(anon_api, "sam_staff").json()
    assert _me(tokens["access"]).status_code == 200
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    assert _me(tokens["access"]).status_code == 401
    refreshed = anon_api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401


def test_a_demoted_manager_loses_manager_rights_on_the_next_request(manager_user):
    access = str(RefreshToken.for_user(manager_user).access_token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/v1/approvals/").status_code == 200
    set_role(manager_user, Role.STAFF)
    assert client.get("/api/v1/approvals/").status_code == 401  # the role change ended the token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(manager_user).access_token}")
    assert client.get("/api/v1/approvals/").status_code == 403
    assert client.get("/api/v1/me/").json()["role"] == "staff"


def test_token_login_locks_out_that_username_from_that_address_after_five_failures(
    anon_api, staff_user, manager_user
):
    for _ in range(4):
        assert _obtain(anon_api, "sam_staff", "wrong-password").status_code == 401
    assert _obtain(anon_api, "sam_staff", "wrong-password").status_code == 429  # the fifth locks
    locked = _obtain(anon_api, "sam_staff")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert "access" not in locked.json()
    # The same user from elsewhere, and another user from here, still get in.
    assert _obtain(anon_api, "sam_staff", ip="10.0.0.2").status_code == 200
    assert _obtain(anon_api, "mia_manager").status_code == 200


def test_a_logged_in_browser_uses_the_api_with_its_session_and_csrf(staff_user, plant):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")  # sets the CSRF cookie
    browser.force_login(staff_user)
    assert browser.get("/api/v1/me/").json()["username"] == "sam_staff"
    body = {"name": "Walk-in"}
    refused = browser.post("/api/v1/customers/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/customers/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_the_docs_and_schema_are_for_logged_in_users_only(client, staff_client):
    assert client.get("/api/v1/schema/").status_code == 401
    assert client.get("/api/v1/docs/").status_code == 302
    assert client.get("/api/v1/redoc/").status_code == 302
    docs = staff_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
    assert "script-src 'self';" in docs["Content-Security-Policy"]
    script = staff_client.get("/api/v1/docs/?script")
    assert script.status_code == 200
    assert b"/api/v1/schema/" in script.content
    redoc = staff_client.get("/api/v1/redoc/")
    assert redoc.status_code == 200
    assert b"<script>" not in redoc.content  # every script is a file: the CSP forbids inline ones
    assert staff_client.get("/api/v1/schema/").status_code == 200
