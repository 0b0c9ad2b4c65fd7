"""create_demo_users: passwords shown once, and on a later run where a lost one can be reset."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_second_run_says_where_the_demo_passwords_can_be_reset(settings):
    settings.DEBUG = True
    first = StringIO()
    call_command("create_demo_users", stdout=first)
    assert first.getvalue().count("password: demo-") == 3
    assert set(User.objects.values_list("username", flat=True)) == {"owner", "manager", "staff"}

    again = StringIO()
    call_command("create_demo_users", stdout=again)
    text = again.getvalue()
    assert "password: demo-" not in text
    assert "manage.py changepassword staff" in text
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert f"delete {settings.DATABASES['default']['NAME']}" in text
