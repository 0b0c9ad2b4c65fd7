import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, role_of

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_login_page_renders_with_labelled_fields(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'<label for="id_username">' in response.content


def test_correct_password_logs_in_and_wrong_one_shows_an_error(client, staff_user):
    wrong = _login(client, "sam_staff", "nope-nope-nope")
    assert wrong.status_code == 200
    assert b"Please enter a correct username and password" in wrong.content
    right = _login(client, "sam_staff", "correct-horse-battery")
    assert right.status_code == 302
    assert client.get(reverse("reporting:dashboard")).status_code == 200


def test_five_failures_lock_that_username_from_that_address_only(client, staff_user, manager_user):
    for _ in range(5):
        _login(client, "sam_staff", "wrong-password")
    locked = _login(client, "sam_staff", "correct-horse-battery")
    assert locked.status_code == 429
    assert b"Too many failed login attempts. Try again in 15 minutes." in locked.content
    assert "_auth_user_id" not in client.session

    # Another user from the same address, and the same user from another address, still get in.
    assert _login(client, "mia_manager", "correct-horse-battery").status_code == 302
    client.logout()
    assert _login(client, "sam_staff", "correct-horse-battery", ip="10.0.0.2").status_code == 302


def test_logout_is_a_post_and_ends_the_session(staff_client):
    assert staff_client.post(reverse("accounts:logout")).status_code == 302
    response = staff_client.get(reverse("reporting:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_production_hasher_is_bcrypt_sha256_and_takes_long_unicode_passwords(settings):
    from config import settings as production_settings

    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    password = "Ünïcödé-пароль-密码-" * 6
    password = password[:100]
    assert len(password) == 100
    user = User.objects.create_user(username="longpass", password=password)
    user.refresh_from_db()
    assert user.password.startswith("bcrypt_sha256$")
    assert check_password(password, user.password)
    assert not check_password(password[:-1], user.password)


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short1!", False),
        ("password123", False),
        ("12345678901", False),
        ("correct horse battery staple " * 3, True),  # an 87-character passphrase
        ("blue-bottle-42", True),
    ],
)
def test_password_rules(password, ok):
    if ok:
        password_validation.validate_password(password)
    else:
        with pytest.raises(ValidationError):
            password_validation.validate_password(password)


def test_starting_with_debug_off_and_no_secret_key_fails_clearly():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_create_user_command_makes_a_user_with_the_role(monkeypatch, roles_exist):
    monkeypatch.setenv("BOTTLEWORKS_PASSWORD", "plant-floor-2026")
    call_command("create_user", "ravi", "--role", "Manager")
    user = User.objects.get(username="ravi")
    assert role_of(user) == Role.MANAGER
    assert user.is_staff  # managers reach Django admin
    assert user.check_password("plant-floor-2026")


def test_create_user_command_refuses_unknown_role_and_existing_name(monkeypatch, staff_user):
    monkeypatch.setenv("BOTTLEWORKS_PASSWORD", "plant-floor-2026")
    with pytest.raises(CommandError, match="Unknown role 'boss'. Choose one of: owner, manager, staff"):
        call_command("create_user", "newbie", "--role", "boss")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "sam_staff", "--role", "staff")
    with pytest.raises(CommandError, match="Password refused"):
        monkeypatch.setenv("BOTTLEWORKS_PASSWORD", "123")
        call_command("create_user", "weak", "--role", "staff")
    assert not User.objects.filter(username__in=["newbie", "weak"]).exists()


def test_deactivated_user_has_no_role(staff_user):
    staff_user.is_active = False
    staff_user.save()
    fresh = User.objects.get(pk=staff_user.pk)
    assert role_of(fresh) is None
