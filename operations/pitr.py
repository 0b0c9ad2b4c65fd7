"""Point-in-time recovery on PostgreSQL, through pgBackRest.

pgBackRest does the work: PostgreSQL hands it every finished WAL segment (``archive_command``),
it keeps full, differential and incremental backups in its repository, and a restore replays the
WAL up to a chosen moment. This module only builds its command lines, so that ``manage.py pitr``,
the tests and the bench script run it the same way. pgBackRest reads its own configuration
(``/etc/pgbackrest/pgbackrest.conf``, or the file named by ``PGBACKREST_CONFIG``); see
``ops/pgbackrest/`` for the files and the README's operations section for the schedule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

BACKUP_TYPES = ("full", "diff", "incr")


class PitrError(Exception):
    """pgBackRest is missing, refused, or failed; the message says what it printed."""


@dataclass(frozen=True)
class PgBackRest:
    stanza: str = "bottleworks"
    # pgBackRest must run as the operating-system user that owns the cluster (usually postgres);
    # given a name while running as root, commands run as that user through runuser.
    os_user: str | None = None
    config: str | None = None  # default: pgBackRest's own (PGBACKREST_CONFIG or /etc/pgbackrest)

    def command(self, action: str, *options: str, arguments: tuple[str, ...] = ()) -> list[str]:
        binary = shutil.which("pgbackrest")
        if binary is None:
            raise PitrError("pgbackrest was not found: install it (Debian: apt-get install pgbackrest).")
        command = [binary, f"--stanza={self.stanza}"]
        if self.config:
            command.append(f"--config={self.config}")
        command += [*options, action, *arguments]
        if self.os_user and os.geteuid() == 0:
            command = ["runuser", "-u", self.os_user, "--", *command]
        return command

    def run(self, action: str, *options: str) -> str:
        result = subprocess.run(self.command(action, *options), capture_output=True, text=True)
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            raise PitrError(f"pgbackrest {action} failed (exit {result.returncode}): {said}")
        return result.stdout

    def create_stanza(self) -> None:
        self.run("stanza-create")

    def check(self) -> None:
        """Ask PostgreSQL to switch WAL and wait until the segment is in the repository."""
        self.run("check")

    def backup(self, kind: str = "incr") -> None:
        if kind not in BACKUP_TYPES:
            raise PitrError(f"Backup type must be one of {', '.join(BACKUP_TYPES)}, not {kind!r}.")
        self.run("backup", f"--type={kind}")

    def info(self) -> str:
        return self.run("info")

    def restore(self, *, to: datetime, data_dir: Path) -> float:
        """Restore the newest backup before ``to`` into the new folder ``data_dir``, set to replay
        the WAL up to ``to`` and then open for writes; return the seconds it took.

        Refuses a folder that holds anything: a restore never overwrites a cluster. Start
        PostgreSQL on the folder afterwards; it replays the WAL, then promotes itself.
        """
        if to.tzinfo is None:
            raise PitrError("Give the moment with its time zone (e.g. 2026-12-01T08:30:00+05:30).")
        if data_dir.exists() and any(data_dir.iterdir()):
            raise PitrError(f"{data_dir} is not empty: restore into a new, empty folder.")
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.os_user and os.geteuid() == 0:
            shutil.chown(data_dir, self.os_user)
        started = time.monotonic()
        self.run(
            "restore",
            f"--pg1-path={data_dir}",
            "--type=time",
            f"--target={to.isoformat(sep=' ')}",
            "--target-action=promote",
        )
        return time.monotonic() - started
