"""API tokens end when they should: on a password, role or active change, on logout, when a
rotated refresh token comes back, and a fixed time after the login however often it is refreshed."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.tokens import RefreshToken as SignedRefreshToken

from accounts.models import User
from accounts.roles import Role, set_role

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _login(username: str, ip: str = "10.0.0.1") -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json", REMOTE_ADDR=ip
    )
    assert response.status_code == 200, response.content
    return response.json()


def _me(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/")


def _refresh(refresh: str):
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")


def _logout(refresh: str, access: str | None = None):
    client = APIClient()
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.post("/api/v1/auth/logout/", {"refresh": refresh}, format="json")


def _ended(tokens: dict) -> bool:
    return _me(tokens["access"]).status_code == 401 and _refresh(tokens["refresh"]).status_code == 401


def _admin_edit(client, user: User, **changes):
    """Post the user's change form in Django admin as it stands, with ``changes`` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value != ""}
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_a_password_change_ends_every_token_issued_before_it(staff_user):
    first, second = _login("sam_staff"), _login("sam_staff", ip="10.0.0.2")
    # The way Django admin and `manage.py changepassword` change it.
    staff_user.set_password("a-brand-new-passphrase")
    staff_user.save()
    assert _ended(first) and _ended(second)
    after = APIClient().post(
        "/api/v1/auth/token/", {"username": "sam_staff", "password": "a-brand-new-passphrase"}, format="json"
    )
    assert _me(after.json()["access"]).status_code == 200


def test_a_correct_password_in_an_outdated_hash_is_rehashed_at_login_without_ending_tokens(
    settings, staff_user
):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = _login("sam_staff")  # upgrades the MD5 hash to PBKDF2 on the way
    staff_user.refresh_from_db()
    assert staff_user.password.startswith("pbkdf2_")
    assert _me(before["access"]).status_code == 200
    assert _me(_login("sam_staff")["access"]).status_code == 200


def test_a_role_change_ends_every_token_issued_before_it(staff_user):
    tokens = _login("sam_staff")
    set_role(staff_user, Role.MANAGER)
    assert _ended(tokens)
    assert _me(_login("sam_staff")["access"]).json()["role"] == "manager"


@pytest.fixture
def admin_client(client, roles_exist):
    """The superuser, the one who edits users in Django admin (Managers may only view them)."""
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    return client


def test_deactivating_in_admin_ends_the_tokens_for_good_and_so_does_a_role_change_there(
    admin_client, staff_user
):
    tokens = _login("sam_staff")
    _admin_edit(admin_client, staff_user, is_active="")
    assert _me(tokens["access"]).status_code == 401
    staff_user.refresh_from_db()
    _admin_edit(admin_client, staff_user, is_active="on")
    # Back in office, but the tokens from before the deactivation stay dead.
    assert _ended(tokens)

    tokens = _login("sam_staff")
    staff_user.refresh_from_db()
    _admin_edit(admin_client, staff_user, groups=[Group.objects.get(name="Owner").pk])
    assert _ended(tokens)
    # An edit that changes neither role nor standing leaves the tokens alone.
    tokens = _login("sam_staff")
    staff_user.refresh_from_db()
    _admin_edit(admin_client, staff_user, first_name="Samuel")
    assert _me(tokens["access"]).status_code == 200


def test_logout_ends_the_access_token_it_was_called_with_and_every_other_of_that_login(staff_user):
    login = _login("sam_staff")
    rotated = _refresh(login["refresh"]).json()
    elsewhere = _login("sam_staff", ip="10.0.0.2")
    assert _logout(rotated["refresh"], access=rotated["access"]).status_code == 204
    # The access token of the call, and the older one of the same login, are both refused now.
    assert _me(rotated["access"]).status_code == 401
    assert _me(login["access"]).status_code == 401
    assert _refresh(rotated["refresh"]).status_code == 401
    # The user's other login is untouched.
    assert _me(elsewhere["access"]).status_code == 200
    assert _refresh(elsewhere["refresh"]).status_code == 200


def test_logout_also_ends_an_access_token_of_another_login_sent_with_it(staff_user):
    first, second = _login("sam_staff"), _login("sam_staff", ip="10.0.0.2")
    assert _logout(first["refresh"], access=second["access"]).status_code == 204
    assert _me(first["access"]).status_code == 401
    assert _me(second["access"]).status_code == 401


def test_a_jwt_request_after_logouts_still_reads_in_one_query(staff_user):
    _logout(_login("sam_staff")["refresh"])
    live = _login("sam_staff")
    with CaptureQueriesContext(connection) as queries:
        assert _me(live["access"]).status_code == 200
    assert len(queries.captured_queries) == 1


def test_reusing_a_rotated_refresh_token_ends_its_whole_login(staff_user):
    stolen = _login("sam_staff")
    rotated = _refresh(stolen["refresh"]).json()
    elsewhere = _login("sam_staff", ip="10.0.0.2")
    reused = _refresh(stolen["refresh"])
    assert reused.status_code == 401
    # Whoever holds the newer tokens of that login (thief or owner) is out too.
    assert _ended(rotated)
    assert _me(stolen["access"]).status_code == 401
    assert _me(elsewhere["access"]).status_code == 200


def _resigned(refresh: str, **claims) -> str:
    """The refresh token with some claims changed, signed again with the server's key."""
    token = SignedRefreshToken(refresh)
    for name, value in claims.items():
        token[name] = value
    return str(token)


def test_a_login_ends_a_fixed_time_after_it_began_however_often_it_is_refreshed(settings, staff_user):
    settings.REFRESH_CHAIN_LIFETIME = timedelta(days=10)
    now = int(timezone.now().timestamp())
    day = 24 * 3600
    login = _login("sam_staff")
    # Nine days into the login, refreshed yesterday: one more refresh is allowed...
    nine_days_in = _resigned(login["refresh"], auth_time=now - 9 * day, iat=now - day)
    refreshed = _refresh(nine_days_in)
    assert refreshed.status_code == 200
    new_refresh = SignedRefreshToken(refreshed.json()["refresh"])
    access = AccessToken(refreshed.json()["access"])
    # ...but the login time rides along, and no token of it outlives the login's tenth day.
    assert new_refresh["auth_time"] == now - 9 * day
    assert new_refresh["exp"] <= now + day
    assert access["exp"] <= now + day
    assert _me(refreshed.json()["access"]).status_code == 200
    # Eleven days in, the refresh is refused though the token itself has not expired.
    eleven_days_in = _resigned(refreshed.json()["refresh"], auth_time=now - 11 * day)
    late = _refresh(eleven_days_in)
    assert late.status_code == 401
    assert "log in again" in late.json()["error"]["message"]


def test_the_default_login_lifetime_is_thirty_days(staff_user):
    login = _login("sam_staff")
    now = int(timezone.now().timestamp())
    day = 24 * 3600
    assert _refresh(_resigned(login["refresh"], auth_time=now - 29 * day)).status_code == 200
    assert _refresh(_resigned(_login("sam_staff")["refresh"], auth_time=now - 31 * day)).status_code == 401


def test_a_deleted_users_refresh_token_is_a_401(staff_user):
    tokens = _login("sam_staff")
    staff_user.delete()
    response = _refresh(tokens["refresh"])
    assert response.status_code == 401
    assert _me(tokens["access"]).status_code == 401
    assert _logout(tokens["refresh"]).status_code == 204  # nothing left to end, and no error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_one_token_at_once_do_not_both_get_a_live_login(roles_exist, make_user):
    make_user("sam_staff", Role.STAFF)
    refresh = _login("sam_staff")["refresh"]
    barrier = threading.Barrier(2)
    answers = []

    def attempt():
        try:
            barrier.wait()
            answers.append(_refresh(refresh))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 401]
    # The second saw a rotated token come back: the login is over, for the winner too.
    winner = next(a for a in answers if a.status_code == 200).json()
    assert _ended(winner)
