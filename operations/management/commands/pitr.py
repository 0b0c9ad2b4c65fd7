from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.pitr import BACKUP_TYPES, PgBackRest, PitrError


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a moment like 2026-12-01T08:30:00+05:30.") from None
    if value.tzinfo is None:
        raise CommandError("Give the moment with its time zone, e.g. 2026-12-01T08:30:00+05:30.")
    return value


class Command(BaseCommand):
    help = (
        "Point-in-time recovery through pgBackRest (PostgreSQL only): create the stanza, check "
        "WAL archiving, take a full/diff/incr backup, or restore into a new data folder as of a moment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stanza", default="bottleworks", help="pgBackRest stanza (bottleworks)")
        parser.add_argument("--config", help="pgBackRest configuration file (default: pgBackRest's own).")
        parser.add_argument(
            "--os-user", help="Run pgBackRest as this system user (e.g. postgres) when running as root."
        )
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("stanza-create", help="Set up the repository for this cluster (once).")
        actions.add_parser("check", help="Switch WAL, wait until it is archived; fail if not.")
        actions.add_parser("info", help="List the backups and the WAL range they can restore to.")
        backup = actions.add_parser("backup", help="Take a backup.")
        backup.add_argument("--type", dest="kind", choices=BACKUP_TYPES, default="incr")
        restore = actions.add_parser("restore", help="Restore into a new, empty data folder as of a moment.")
        restore.add_argument("--to", required=True, type=moment, help="e.g. 2026-12-01T08:30:00+05:30")
        restore.add_argument("--data-dir", required=True, type=Path, help="A new, empty folder.")

    def handle(self, *args, action, stanza, config, os_user, **options):
        tool = PgBackRest(stanza=stanza, os_user=os_user, config=config)
        try:
            if action == "stanza-create":
                tool.create_stanza()
            elif action == "check":
                tool.check()
            elif action == "info":
                self.stdout.write(tool.info())
            elif action == "backup":
                tool.backup(options["kind"])
            elif action == "restore":
                seconds = tool.restore(to=options["to"], data_dir=options["data_dir"])
                self.stdout.write(
                    f"Restored into {options['data_dir']} in {seconds:.1f} s. Start PostgreSQL on it: it "
                    f"replays the WAL up to {options['to'].isoformat()} and then opens for writes."
                )
                return
        except PitrError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"pgbackrest {action}: done.")
