"""Consistent dumps and restores of the database, per engine.

PostgreSQL: ``pg_dump`` custom format (one snapshot, so the dump is consistent while the app runs)
and ``pg_restore`` in a single transaction (all or nothing). SQLite: the online backup API, which
copies a consistent snapshot page by page while others keep writing.

Each dump also returns its manifest (operations/figures.py) read at the same moment: PostgreSQL
reads it in a REPEATABLE READ transaction whose snapshot ``pg_dump --snapshot`` then copies;
SQLite counts the very copy that goes into the backup.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from operations.backup_file import CHUNK, BackupError
from operations.figures import read_figures

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


def pg_params(connection: BaseDatabaseWrapper, *, dbname: str | None = None) -> dict[str, str]:
    """libpq's connection keywords for this connection's server (another database on it if named)."""
    s = connection.settings_dict
    params = {
        "dbname": dbname or s.get("NAME"),
        "user": s.get("USER"),
        "password": s.get("PASSWORD"),
        "host": s.get("HOST"),
        "port": str(s.get("PORT") or ""),
        "sslmode": (s.get("OPTIONS") or {}).get("sslmode"),
    }
    return {key: value for key, value in params.items() if value}


def _pg_env(connection: BaseDatabaseWrapper, *, dbname: str | None = None) -> dict[str, str]:
    # Connection details go through the environment: a password on the command line shows in `ps`.
    env = dict(os.environ)
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST"}
    names.update(port="PGPORT", sslmode="PGSSLMODE")
    env.update({names[key]: value for key, value in pg_params(connection, dbname=dbname).items()})
    return env


def check_supported(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in SUPPORTED:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def dump(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> dict[str, Any]:
    """Write a consistent dump through ``write``; return the manifest of that same moment."""
    check_supported(connection)
    if connection.in_atomic_block:
        # SQLite: the backup API would wait forever for this connection's own write lock.
        # PostgreSQL: the manifest needs a transaction of its own, begun at the snapshot.
        raise BackupError("A backup cannot run inside a transaction.")
    if connection.vendor == "postgresql":
        return _dump_postgresql(connection, write)
    return _dump_sqlite(connection, write)


def _dump_postgresql(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> dict[str, Any]:
    with connection.cursor():
        pass  # connect (and run any connection health check) before the transaction begins
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # The transaction's first statement, so its snapshot is the one exported and dumped.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        manifest = read_figures(cursor, "postgresql")
        # The snapshot stays importable while this transaction is open, i.e. until pg_dump is done.
        _run_pg_dump(connection, write, snapshot)
    return manifest


def _run_pg_dump(connection: BaseDatabaseWrapper, write: Callable[[bytes], None], snapshot: str) -> None:
    # -Z0: the backup file compresses the stream itself; compressing twice costs CPU for nothing.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [
                _pg_binary("pg_dump"),
                "--format=custom",
                "--compress=0",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
            ],
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


def _dump_sqlite(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> dict[str, Any]:
    connection.ensure_connection()
    with tempfile.TemporaryDirectory() as folder:
        copy_path = os.path.join(folder, "snapshot.sqlite3")
        copy = sqlite3.connect(copy_path)
        try:
            connection.connection.backup(copy)
            manifest = read_figures(copy.cursor(), "sqlite")
        finally:
            copy.close()
        with open(copy_path, "rb") as snapshot:
            while chunk := snapshot.read(CHUNK):
                write(chunk)
    return manifest


def table_count(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def restore(connection: BaseDatabaseWrapper, path: str) -> None:
    """Load a plaintext dump into the (empty) database behind ``connection``."""
    check_supported(connection)
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore works on its own connection
        restore_postgresql(connection, path, dbname=connection.settings_dict["NAME"])
    else:
        connection.ensure_connection()
        _restore_sqlite(path, connection.connection)


def restore_postgresql(connection: BaseDatabaseWrapper, path: str, *, dbname: str) -> None:
    """pg_restore a custom-format dump into the empty database ``dbname`` on connection's server."""
    result = subprocess.run(
        [
            _pg_binary("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            dbname,
            path,
        ],
        capture_output=True,
        text=True,
        env=_pg_env(connection, dbname=dbname),
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")


def restore_sqlite_file(path: str, target: str) -> None:
    """Copy a SQLite snapshot from the backup into a new database file."""
    copy = sqlite3.connect(target)
    try:
        _restore_sqlite(path, copy)
    finally:
        copy.close()


def _restore_sqlite(path: str, target: sqlite3.Connection) -> None:
    source = sqlite3.connect(path)
    try:
        (status,) = source.execute("PRAGMA integrity_check").fetchone()
        if status != "ok":
            raise BackupError(f"The SQLite snapshot in the backup is damaged: {status}")
        source.backup(target)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The backup does not hold a SQLite database: {error}") from error
    finally:
        source.close()
