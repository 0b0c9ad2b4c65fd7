import os
from datetime import UTC, datetime
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from operations import dumps
from operations.backup_check import BACKUP_NAME, default_backup_dir
from operations.backup_file import BackupError, BackupWriter, key_from_env


class Command(BaseCommand):
    help = (
        "Write a consistent, compressed and encrypted backup of the database (key: BACKUP_KEY) "
        "into BACKUP_DIR, with the SHA-256 of its contents and a manifest of row counts and ledger "
        "sums; exit non-zero on failure. --verify then proves it by restoring it (see verify_backup)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=default_backup_dir(),
            help="Folder for the backup files (default: $BACKUP_DIR or ./backups).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=int(os.environ.get("BACKUP_KEEP", "0")),
            help="After a successful backup, delete all but the newest N backups (0: keep all).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to back up.")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Then restore the new backup into a scratch database and check it (verify_backup); "
            "a failure is mailed to the Owners and exits non-zero.",
        )

    def handle(self, *args, output_dir, keep, database, verify, **options):
        try:
            key = key_from_env()
            connection = connections[database]
            dumps.check_supported(connection)
            folder = Path(output_dir)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = folder / f"bottleworks-{stamp}.{connection.vendor}.bwbak"
            partial = target.with_suffix(".partial")
            # Written under a temporary name and renamed when complete: a crash never leaves a
            # half-written file that looks like a backup.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    writer = BackupWriter(out, key=key, vendor=connection.vendor)
                    manifest = dumps.dump(connection, writer.write)
                    digest = writer.close(manifest=manifest)
                    os.fsync(out.fileno())
                os.replace(partial, target)
            finally:
                if partial.exists():
                    partial.unlink()
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written: {target} ({size} bytes, sha256 {digest})"))
        if verify:
            # Before old backups are removed: a backup that fails its check must not push out good ones.
            call_command(
                "verify_backup", str(target), database=database, stdout=self.stdout, stderr=self.stderr
            )
        if keep > 0:
            backups = sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name))
            for old in backups[:-keep]:
                old.unlink()
                self.stdout.write(f"Removed old backup {old.name}")
