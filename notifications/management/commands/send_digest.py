from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notifications import digest, outbox
from reporting.periods import EARLIEST, LATEST


class Command(BaseCommand):
    help = (
        "Queue the daily digest (yesterday by default) for the Owner and the Managers who chose it, "
        "and send the mail queue. Run by cron each morning; running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to report, YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, **options):
        day = digest.yesterday()
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give --date as YYYY-MM-DD.") from None
            if not EARLIEST <= day <= LATEST:
                raise CommandError(f"Give a --date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.")
        people = digest.queue(day)
        sent = outbox.send_due()
        self.stdout.write(
            f"digest of {day.isoformat()} queued for {people}; sent {sent.sent}, "
            f"to retry {sent.retried}, failed {sent.failed}"
        )
