import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import AccountError, create_user, parse_role

PASSWORD_ENV = "BOTTLEWORKS_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a user with a role (owner, manager or staff). The password is read from "
        f"${PASSWORD_ENV} if set, otherwise asked for twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="owner, manager or staff")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="first name shown in the app")

    def handle(self, *args, username, role, email, name, **options):
        try:
            parsed_role = parse_role(role)
        except AccountError as error:
            raise CommandError(str(error)) from None
        password = os.environ.get(PASSWORD_ENV) or self._ask_password()
        try:
            user = create_user(
                username=username,
                role=parsed_role,
                password=password,
                email=email,
                first_name=name,
            )
        except AccountError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {parsed_role.label} '{user.username}'."))

    def _ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
