"""Fixtures every test can use: one user per role, logged-in clients, and PostgreSQL markers."""

import os

import pytest
from django.db import connection

# The API clients (one per role, with a JWT access token) for the API tests beside each app.
from testing.api_clients import anon_api, manager_api, other_manager_api, owner_api, staff_api  # noqa: F401


def pytest_collection_modifyitems(config, items):
    on_sqlite = os.environ.get("BOTTLEWORKS_TEST_DB") == "sqlite"
    if not on_sqlite:
        return
    reason = "needs PostgreSQL: no PostgreSQL binaries found (or BOTTLEWORKS_TEST_DB=sqlite)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # bcrypt costs ~0.4 s a hash; one test checks the production hasher explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_mail_threads_after_commit(settings):
    # A sender thread started by one test's commit can outlive it and, on SQLite's shared in-memory
    # database, hold a table lock into the next test ("database table is locked"). The tests of
    # that background sending turn it on themselves and join their threads.
    settings.MAIL_QUEUE_SEND_AFTER_COMMIT = False


@pytest.fixture
def roles_exist(db):
    """Role groups, recreated in case a transactional test's flush emptied them."""
    from accounts.roles import sync_role_groups

    sync_role_groups()


def _make_user(username, role):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role, set_role, sync_role_groups

    if not Group.objects.filter(name="Staff").exists():
        sync_role_groups()
    user = User.objects.create_user(
        username=username,
        password="correct-horse-battery",
        first_name=username.title(),
        is_staff=role == Role.MANAGER,
    )
    set_role(user, role)
    return user


@pytest.fixture
def staff_user(db):
    from accounts.roles import Role

    return _make_user("sam_staff", Role.STAFF)


@pytest.fixture
def manager_user(db):
    from accounts.roles import Role

    return _make_user("mia_manager", Role.MANAGER)


@pytest.fixture
def other_manager(db):
    from accounts.roles import Role

    return _make_user("max_manager", Role.MANAGER)


@pytest.fixture
def owner_user(db):
    from accounts.roles import Role

    return _make_user("olga_owner", Role.OWNER)


@pytest.fixture
def make_user(db):
    return _make_user


def _client_for(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def staff_client(staff_user):
    from django.test import Client

    return _client_for(Client, staff_user)


@pytest.fixture
def manager_client(manager_user):
    from django.test import Client

    return _client_for(Client, manager_user)


@pytest.fixture
def owner_client(owner_user):
    from django.test import Client

    return _client_for(Client, owner_user)


@pytest.fixture
def is_postgres(db):
    return connection.vendor == "postgresql"


@pytest.fixture
def plant(db):
    from testing.plant import build_plant

    return build_plant()
