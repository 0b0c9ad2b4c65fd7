"""Creating users: usernames and passwords are refused as Django's own forms refuse them."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role, role_of
from accounts.services import AccountError, create_user

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "plant-floor-2026"


@pytest.mark.parametrize("username", ["", "bad<script>", "two words", "x" * 151])
def test_create_user_refuses_a_username_djangos_validator_refuses_and_writes_nothing(roles_exist, username):
    with pytest.raises(AccountError, match="refused"):
        create_user(username=username, role=Role.STAFF, password=GOOD_PASSWORD)
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["", "bad<script>"])
def test_the_create_user_command_refuses_them_too(monkeypatch, roles_exist, username):
    monkeypatch.setenv("BOTTLEWORKS_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="refused"):
        call_command("create_user", username, "--role", "staff")
    assert not User.objects.exists()


def test_create_user_takes_the_characters_django_allows(roles_exist):
    user = create_user(username="ravi.k+floor_2@plant-1", role=Role.STAFF, password=GOOD_PASSWORD)
    assert role_of(user) == Role.STAFF
    assert user.check_password(GOOD_PASSWORD)


def test_a_password_needs_at_least_twelve_characters(roles_exist):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        password_validation.validate_password("blue-bottle")  # 11
    password_validation.validate_password("blue-bottles")  # 12
    with pytest.raises(ValidationError, match="at least 12 characters"):
        create_user(username="newbie", role=Role.STAFF, password="blue-bottle")
    assert not User.objects.filter(username="newbie").exists()
