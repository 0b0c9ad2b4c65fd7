"""Consistent dumps and restores of the database, per engine.

PostgreSQL: ``pg_dump`` custom format (one snapshot, so the dump is consistent while the app runs)
and ``pg_restore`` in a single transaction (all or nothing). SQLite: the online backup API, which
copies a consistent snapshot page by page while others keep writing.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable

from django.db.backends.base.base import BaseDatabaseWrapper

from operations.backup_file import CHUNK, BackupError

SUPPORTED = ("postgresql", "sqlite")


def _pg_binary(name: str) -> str:
    """The newest PostgreSQL client: PG_BIN, then /usr/lib/postgresql/*/bin, then PATH."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(os.path.join(os.environ["PG_BIN"], name))
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0,
        reverse=True,
    )
    candidates.append(shutil.which(name) or "")
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{name} was not found: install PostgreSQL's client tools or set PG_BIN.")


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    # Connection details go through the environment: a password on the command line shows in `ps`.
    s = connection.settings_dict
    env = dict(os.environ)
    for var, value in {
        "PGDATABASE": s.get("NAME"),
        "PGUSER": s.get("USER"),
        "PGPASSWORD": s.get("PASSWORD"),
        "PGHOST": s.get("HOST"),
        "PGPORT": str(s.get("PORT") or ""),
        "PGSSLMODE": (s.get("OPTIONS") or {}).get("sslmode"),
    }.items():
        if value:
            env[var] = value
    return env


def check_supported(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in SUPPORTED:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def dump(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> None:
    check_supported(connection)
    if connection.vendor == "postgresql":
        _dump_postgresql(connection, write)
    else:
        _dump_sqlite(connection, write)


def _dump_postgresql(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> None:
    # -Z0: the backup file compresses the stream itself; compressing twice costs CPU for nothing.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [_pg_binary("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-privileges"],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_pg_env(connection),
        )
        try:
            while chunk := process.stdout.read(CHUNK):
                write(chunk)
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")


def _dump_sqlite(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> None:
    if connection.in_atomic_block:
        # The backup API would wait forever for this connection's own write lock.
        raise BackupError("A SQLite backup cannot run inside a transaction.")
    connection.ensure_connection()
    with tempfile.TemporaryDirectory() as folder:
        copy_path = os.path.join(folder, "snapshot.sqlite3")
        copy = sqlite3.connect(copy_path)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        with open(copy_path, "rb") as snapshot:
            while chunk := snapshot.read(CHUNK):
                write(chunk)


def table_count(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def restore(connection: BaseDatabaseWrapper, path: str) -> None:
    """Load a plaintext dump into the (empty) database behind ``connection``."""
    check_supported(connection)
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore works on its own connection
        result = subprocess.run(
            [
                _pg_binary("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                path,
            ],
            capture_output=True,
            text=True,
            env=_pg_env(connection),
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")
    else:
        source = sqlite3.connect(path)
        try:
            (status,) = source.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise BackupError(f"The SQLite snapshot in the backup is damaged: {status}")
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The backup does not hold a SQLite database: {error}") from error
        finally:
            source.close()
