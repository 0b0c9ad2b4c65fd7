"""Scratch databases to restore a backup into and check it, removed afterwards whatever happens.

PostgreSQL: a new database on the same server as the app's (its user needs CREATEDB), dropped at
the end. SQLite: a file in a temporary folder. Either way the app's own database is never touched.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

from operations.backup_file import BackupError
from operations.dumps import pg_params


@dataclass(frozen=True)
class Scratch:
    vendor: str
    location: str  # the database's name (PostgreSQL) or file (SQLite)
    params: dict[str, str]  # libpq keywords (PostgreSQL)

    def environment(self) -> dict[str, str]:
        """The environment for a ``manage.py`` process that works on the scratch database only."""
        env = dict(os.environ)
        for variable in ("DATABASE_URL", "REPORTING_DATABASE_URL", "REDIS_URL"):
            env.pop(variable, None)  # no replica and no shared cache: only the copy is read
        if self.vendor == "sqlite":
            env["SQLITE_PATH"] = self.location
        else:
            env["DATABASE_URL"] = _url(self.params)
        return env

    def connect(self) -> Any:
        """A plain DB-API connection to the scratch database; the caller closes it."""
        if self.vendor == "sqlite":
            return sqlite3.connect(self.location)
        return psycopg.connect(**self.params)


def _url(params: dict[str, str]) -> str:
    user = quote(params.get("user", ""), safe="")
    password = params.get("password")
    credentials = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = params.get("host", "")
    host = f"[{host}]" if ":" in host else quote(host, safe="")
    port = f":{params['port']}" if params.get("port") else ""
    query = f"?{urlencode({'sslmode': params['sslmode']})}" if params.get("sslmode") else ""
    return f"postgres://{credentials}{host}{port}/{quote(params['dbname'], safe='')}{query}"


@contextmanager
def scratch_database(connection: BaseDatabaseWrapper) -> Iterator[Scratch]:
    """An empty database of the same engine as ``connection``, removed when the block ends."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bottleworks-verify-") as folder:
            yield Scratch("sqlite", os.path.join(folder, "restored.sqlite3"), {})
        return
    name = f"bottleworks_verify_{datetime.now(UTC):%Y%m%d%H%M%S}_{secrets.token_hex(4)}"
    server = pg_params(connection)
    try:
        with psycopg.connect(**server, autocommit=True) as admin:
            # The copy gets the source's encoding and collation, so text sorts and compares alike.
            encoding, collate, ctype = admin.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
                    sql.Identifier(name), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
                )
            )
    except psycopg.Error as error:
        raise BackupError(
            f"Could not create the scratch database {name!r} to restore into: {error}".strip()
            + " (the database user needs CREATEDB: ALTER ROLE ... CREATEDB)"
        ) from error
    try:
        yield Scratch("postgresql", name, dict(server, dbname=name))
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
