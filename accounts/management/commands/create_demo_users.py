import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user

DEMO_USERS = [("owner", Role.OWNER), ("manager", Role.MANAGER), ("staff", Role.STAFF)]


class Command(BaseCommand):
    help = (
        "Create one demo user per role with a random password, printed once. Local demo mode only "
        "(DEBUG on); refuses to run otherwise."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are only created in local demo mode (DEBUG=1).")
        created, existing = [], []
        for username, role in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                existing.append(username)
                continue
            password = "demo-" + secrets.token_urlsafe(9)
            create_user(username=username, role=role, password=password, first_name=username.title())
            created.append((username, role, password))
        if created:
            self.stdout.write("Demo users (shown only this once):")
            for username, role, password in created:
                self.stdout.write(f"  {role.label:<8} username: {username:<8} password: {password}")
        if existing:
            self._where_passwords_are_reset(existing)

    def _where_passwords_are_reset(self, existing: list[str]) -> None:
        # The second run of ./bin/demo: the passwords went by on the first one.
        self.stdout.write(
            f"Demo users {', '.join(existing)} already exist; their passwords were shown when they were made."
        )
        self.stdout.write(f"  New password:  .venv/bin/python manage.py changepassword {existing[-1]}")
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3":
            self.stdout.write(f"  A fresh demo:  stop it, delete {database['NAME']} and run ./bin/demo again")
