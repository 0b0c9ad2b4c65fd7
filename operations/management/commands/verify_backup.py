from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from operations import backup_check


class Command(BaseCommand):
    help = (
        "Restore the newest backup in BACKUP_DIR (or FILE) into a scratch database, run verify_ledger "
        "on it and compare its row counts and ledger sums with the backup's manifest. Logs the result; "
        "on failure mails the Owners and ADMIN_EMAILS and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The .bwbak file to check (default: the newest one).")
        parser.add_argument(
            "--backup-dir",
            default=backup_check.default_backup_dir(),
            help="Folder of the backup files (default: $BACKUP_DIR or ./backups).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database the backups are of; the scratch copy is made on its server.",
        )

    def handle(self, *args, file, backup_dir, database, **options):
        connection = connections[database]
        if file:
            result = backup_check.verify_backup(Path(file), connection=connection)
        else:
            result = backup_check.verify_newest(Path(backup_dir), connection=connection)
        backup_check.report(result)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Backup verification FAILED for {result.file or backup_dir}: {len(result.problems)} "
                "problem(s); the Owners were mailed."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup verified: {result.file} (made {result.created}) restored into a scratch database; "
                f"ledger OK; {result.tables} tables, {result.rows} rows and the ledger sums of "
                f"{result.items} items match its manifest."
            )
        )
