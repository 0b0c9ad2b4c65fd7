from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError, InvalidDocument
from inventory.services import close_period


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--through must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Close the period through a date, as a Manager: nothing dated on or before it can be "
        "entered, posted or cancelled afterwards. Exits non-zero when the close is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--through", required=True, help="the period's last day, YYYY-MM-DD")
        parser.add_argument("--as", dest="username", required=True, help="the Manager who closes it")
        parser.add_argument("--note", default="", help="e.g. 'November 2026 month end'")

    def handle(self, *args, through, username, note, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            period = close_period(by=user, through=_day(through), note=note)
        except InvalidDocument as error:
            problems = [message for messages in error.fields.values() for message in messages]
            raise CommandError(" ".join(problems) or str(error)) from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        closed = period.closed_through.isoformat()
        self.stdout.write(self.style.SUCCESS(f"Closed: nothing dated on or before {closed} can be posted."))
