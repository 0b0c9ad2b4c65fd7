from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications import alerts, outbox


class Command(BaseCommand):
    help = (
        "Send every queued mail that is due (run by cron every minute). Also queues the low-stock "
        "mails for items moved today that are below their reorder level, in case a process stopped "
        "before doing it after a posting. Exits non-zero when a mail gave up retrying."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed", action="store_true", help="put mails that gave up back in the queue first"
        )

    def handle(self, *args, **options):
        if options["retry_failed"]:
            self.stdout.write(f"requeued {outbox.retry_failed()} failed mails")
        today = timezone.localdate()
        alerts.queue_low_stock(item_ids=alerts.moved_today(today), day=today)
        result = outbox.send_due()
        self.stdout.write(f"sent {result.sent}, to retry {result.retried}, failed {result.failed}")
        if result.failed:
            raise SystemExit(1)
