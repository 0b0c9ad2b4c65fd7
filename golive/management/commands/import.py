from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError
from golive.importing import KINDS, run_import


class Command(BaseCommand):
    help = (
        "Import items, customers, suppliers, price lists, accounts or opening balances from a CSV or XLSX "
        "file (all rows or none)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="what the file holds")
        parser.add_argument("file", help="path of the CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--by", required=True, help="username of the Manager the import is recorded for")

    def handle(self, *args, kind, file, dry_run, by, **options):
        user = User.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {by}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = run_import(by=user, kind=kind, data=data, filename=path.name, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(error.message) from None
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} problem(s); nothing was written.")
        verb = "Checked" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.rows} rows: {result.created} new, {result.updated} changed, "
                f"{result.unchanged} unchanged{' (dry run: nothing written)' if dry_run else ''}."
            )
        )
