"""JWT requests load the user and their role in one query, still fresh from the database each time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api.tokens import RefreshToken
from accounts.models import User
from accounts.roles import Role, set_role, user_with_role

pytestmark = pytest.mark.django_db


def _api(user=None, token=None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or RefreshToken.for_user(user).access_token}")
    return client


@pytest.mark.parametrize(
    ("fixture", "role"),
    [("staff_user", "staff"), ("manager_user", "manager"), ("owner_user", "owner")],
)
def test_a_jwt_request_reads_the_user_and_the_role_in_one_query(request, fixture, role):
    api = _api(request.getfixturevalue(fixture))
    with CaptureQueriesContext(connection) as queries:
        me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["role"] == role
    assert len(queries.captured_queries) == 1


def test_a_user_in_two_role_groups_gets_the_same_role_as_on_the_web(make_user):
    from django.contrib.auth.models import Group

    user = make_user("two_hats", Role.STAFF)
    user.groups.add(Group.objects.get(name="Owner"))
    assert _api(user).get("/api/v1/me/").json()["role"] == "owner"
    user.groups.add(Group.objects.get(name="Manager"))
    assert _api(user).get("/api/v1/me/").json()["role"] == "manager"


def test_a_superuser_without_a_group_is_a_manager_and_a_user_without_one_has_no_role(
    django_user_model, roles_exist
):
    boss = django_user_model.objects.create_superuser("root", password="x")
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert _api(boss).get("/api/v1/me/").json()["role"] == "manager"
    assert _api(nobody).get("/api/v1/me/").json()["role"] is None
    assert _api(nobody).get("/api/v1/reports/dashboard/").status_code == 403


def test_the_role_is_read_on_every_request_and_a_role_change_ends_the_token(manager_user):
    from django.contrib.auth.models import Group

    api = _api(manager_user)
    assert api.get("/api/v1/me/").json()["can_see_costs"] is True
    # Group membership is read afresh on the next request with the same token...
    manager_user.groups.set([Group.objects.get(name="Staff")])
    me = api.get("/api/v1/me/").json()
    assert (me["role"], me["can_see_costs"]) == ("staff", False)
    # ...and changing the role ends the token outright; a new login gets the new role.
    set_role(manager_user, Role.OWNER)
    ended = api.get("/api/v1/me/")
    assert ended.status_code == 401 and "revoked" in ended.json()["error"]["message"]
    fresh = _api(manager_user)
    assert fresh.get("/api/v1/me/").json()["role"] == "owner"
    manager_user.is_active = False
    manager_user.save(update_fields=["is_active"])
    assert fresh.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("user_id", ["abc", "1.5", "", "99999999999999999999999"])
def test_a_signed_token_naming_no_possible_user_is_a_401(staff_user, user_id):
    token = RefreshToken.for_user(staff_user).access_token
    token["user_id"] = user_id
    response = _api(token=str(token)).get("/api/v1/me/")
    assert response.status_code == 401


def test_the_user_read_with_the_role_equals_the_orms_field_for_field(manager_user):
    manager_user.last_login = timezone.now()
    manager_user.save()
    fast = user_with_role(manager_user.pk)
    orm = User.objects.get(pk=manager_user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(fast, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert fast.loaded_role == Role.MANAGER
    assert user_with_role(manager_user.pk + 1000) is None
