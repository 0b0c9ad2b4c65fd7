import os
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from operations import dumps
from operations.backup_file import BackupError, key_from_env, opened_header, read_backup


class Command(BaseCommand):
    help = (
        "Restore a backup file made by `manage.py backup` into an EMPTY database (key: BACKUP_KEY). "
        "Refuses a database that has tables, a wrong key or a damaged file; exits non-zero then."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .bwbak file to restore.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to restore into.")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Only check that the file decrypts with BACKUP_KEY and matches its checksum.",
        )

    def handle(self, *args, file, database, verify_only, **options):
        connection = connections[database]
        try:
            key = key_from_env()
            dumps.check_supported(connection)
            header = opened_header(file, key)
            if verify_only:
                with open(file, "rb") as inp:
                    size = sum(len(chunk) for chunk in read_backup(inp, key=key))
                self.stdout.write(
                    self.style.SUCCESS(f"{file} is intact: {size} bytes of {header['vendor']} dump.")
                )
                return
            if header["vendor"] != connection.vendor:
                raise BackupError(
                    f"This backup is of a {header['vendor']} database; it cannot be restored into "
                    f"{connection.vendor}."
                )
            tables = dumps.table_count(connection)
            if tables:
                raise BackupError(
                    f"The database {connection.settings_dict['NAME']!r} is not empty ({tables} tables). "
                    "Restore only into a new, empty database: create one and point DATABASE_URL at it."
                )
            with tempfile.TemporaryDirectory() as folder:
                plain = os.path.join(folder, "dump")
                # Decrypt and check the whole file first: a damaged backup must not load halfway.
                fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with open(file, "rb") as inp, os.fdopen(fd, "wb") as out:
                    for chunk in read_backup(inp, key=key):
                        out.write(chunk)
                dumps.restore(connection, plain)
        except FileNotFoundError as error:
            raise CommandError(f"No such backup file: {file}") from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {file} (made {header['created']}) into {connection.settings_dict['NAME']!r}; "
                f"{dumps.table_count(connection)} tables. Run `manage.py verify_ledger` next."
            )
        )
