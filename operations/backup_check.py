"""Proving a backup: restore it into a scratch database, check the copy's ledger and compare its
rows and ledger sums with the manifest the backup carries (figures of the moment it was taken).

``manage.py verify_backup`` (nightly) and ``manage.py backup --verify`` run it; a failure is logged on
"bottleworks.operations", mailed to the Owners and ends the command with a non-zero exit.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from operations import dumps
from operations.alerts import alert_owners
from operations.backup_file import BackupError, key_from_env, opened_header, read_backup
from operations.figures import differences, read_figures
from operations.scratch import Scratch, scratch_database

log = logging.getLogger("bottleworks.operations")

BACKUP_NAME = re.compile(r"^bottleworks-\d{8}T\d{6}Z\.(postgresql|sqlite)\.bwbak$")
# The ledger check reads every movement once; a large ledger can take minutes, never hours.
LEDGER_CHECK_TIMEOUT = 3600


def default_backup_dir() -> str:
    return os.environ.get("BACKUP_DIR") or str(Path(settings.BASE_DIR) / "backups")


def newest_backup(folder: Path) -> Path:
    """The newest backup file in the folder (names carry their UTC time, so they sort by it)."""
    backups = sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name)) if folder.is_dir() else []
    if not backups:
        raise BackupError(f"No backup files in {folder}: is `manage.py backup` running?")
    return backups[-1]


@dataclass
class Verification:
    file: Path | None
    problems: list[str] = field(default_factory=list)
    created: str = ""
    tables: int = 0
    rows: int = 0
    items: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_newest(folder: Path, *, connection: BaseDatabaseWrapper) -> Verification:
    try:
        file = newest_backup(folder)
    except (BackupError, OSError) as error:
        return Verification(None, [str(error)])
    return verify_backup(file, connection=connection)


def verify_backup(file: Path, *, connection: BaseDatabaseWrapper) -> Verification:
    """Restore ``file`` into a scratch database beside ``connection``'s and check it; never raises
    for a bad backup: every reason it is not good is in ``problems``."""
    result = Verification(file)
    try:
        key = key_from_env()
        dumps.check_supported(connection)
        header = opened_header(file, key)
        result.created = header.get("created", "")
        if header["vendor"] != connection.vendor:
            raise BackupError(
                f"This backup is of a {header['vendor']} database; it can only be checked beside one, "
                f"not beside {connection.vendor}."
            )
        with tempfile.TemporaryDirectory(prefix="bottleworks-verify-") as folder:
            plain = os.path.join(folder, "dump")
            trailer: dict = {}
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(file, "rb") as inp, os.fdopen(fd, "wb") as out:
                for chunk in read_backup(inp, key=key, trailer=trailer):
                    out.write(chunk)
            manifest = trailer.get("manifest")
            if manifest is None:
                result.problems.append(
                    "The backup carries no manifest of row counts and ledger sums (made by an older "
                    "version?): its contents cannot be proved; take a new backup."
                )
            with scratch_database(connection) as scratch:
                _restore(connection, plain, scratch)
                found = _figures(scratch)
                result.tables = len(found["tables"])
                result.rows = sum(found["tables"].values())
                result.items = len(found["ledger"])
                if manifest is not None:
                    result.problems += differences(manifest, found)
                result.problems += _ledger_check(scratch)
    except FileNotFoundError:
        result.problems.append(f"No such backup file: {file}")
    except (BackupError, OSError) as error:
        result.problems.append(str(error))
    except Exception as error:  # a check that breaks is a failed check, and must be as loud
        log.exception("backup verification broke file=%s", file.name)
        result.problems.append(f"The check itself failed: {type(error).__name__}: {error}")
    return result


def _restore(connection: BaseDatabaseWrapper, plain: str, scratch: Scratch) -> None:
    if scratch.vendor == "postgresql":
        dumps.restore_postgresql(connection, plain, dbname=scratch.location)
    else:
        dumps.restore_sqlite_file(plain, scratch.location)


def _figures(scratch: Scratch) -> dict:
    db = scratch.connect()
    try:
        return read_figures(db.cursor(), scratch.vendor)
    finally:
        db.close()


def _ledger_check(scratch: Scratch) -> list[str]:
    """``manage.py verify_ledger`` in its own process, on the scratch database only: the app's own
    checks, against the copy, with nothing of this process's database connections in between."""
    try:
        run = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_ledger"],
            env=scratch.environment(),
            capture_output=True,
            text=True,
            timeout=LEDGER_CHECK_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return [f"verify_ledger on the restored copy did not finish within {LEDGER_CHECK_TIMEOUT} s"]
    if run.returncode == 0:
        return []
    lines = [line for line in run.stderr.splitlines() if line.strip()] or [f"exit code {run.returncode}"]
    return [f"verify_ledger on the restored copy: {line}" for line in lines[-50:]]


def report(result: Verification) -> None:
    """Log the outcome; on failure also mail the Owners (and ADMIN_EMAILS)."""
    name = result.file.name if result.file else "-"
    if result.ok:
        log.info(
            "backup verified file=%s created=%s tables=%d rows=%d items=%d: restored into a scratch "
            "database, ledger OK, row counts and ledger sums match the manifest",
            name,
            result.created,
            result.tables,
            result.rows,
            result.items,
        )
        return
    log.error(
        "backup verification FAILED file=%s created=%s problems=%d: %s",
        name,
        result.created or "-",
        len(result.problems),
        "; ".join(result.problems[:20]),
    )
    body = "\n".join(
        [
            "The nightly check of the newest backup FAILED: this backup may not restore the business.",
            "",
            f"Backup file: {result.file or '(none found)'}",
            f"Made: {result.created or 'unknown'}",
            "",
            "What was wrong:",
            *(f"- {problem}" for problem in result.problems[:100]),
            "",
            "Take a new backup now (manage.py backup --verify) and find out why this one is bad.",
        ]
    )
    alert_owners("Backup verification FAILED", body)
