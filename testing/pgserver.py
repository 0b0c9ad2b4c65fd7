"""Throwaway PostgreSQL for the test run, loaded by pytest before Django reads its settings.

Loaded with ``-p testing.pgserver`` (see pyproject.toml). When PostgreSQL binaries are found, it
creates a cluster in a temporary directory, starts it on a free loopback port, points
DATABASE_URL at it for this process and its pytest-xdist workers, and stops it at exit.

- ``BOTTLEWORKS_TEST_DB=sqlite`` runs the suite on SQLite instead.
- ``DATABASE_URL`` already set: that server is used as it is.
- No binaries: the suite runs on SQLite and PostgreSQL-only tests are skipped with a reason,
  except under ``CI=true``, where a missing PostgreSQL is an error.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "HTTPS": "0",
    "WHITENOISE_USE_FINDERS": "1",
    "CONN_MAX_AGE": "0",
}


def _find(binary: str) -> str | None:
    found = shutil.which(binary)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_db_user(command: list[str]) -> list[str]:
    # initdb refuses to run as root; on CI machines we are root, so run as the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def start_postgres() -> tuple[str, callable]:
    """Start a private PostgreSQL; return its URL and a function that stops it."""
    initdb, pg_ctl = _find("initdb"), _find("pg_ctl")
    base = tempfile.mkdtemp(prefix="bottleworks-pg-")
    data = os.path.join(base, "data")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run(
        _as_db_user([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_db_user([pg_ctl, "-D", data, "-o", options, "-l", os.path.join(base, "log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def stop() -> None:
        subprocess.run(
            _as_db_user([pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)

    return f"postgres://postgres@127.0.0.1:{port}/bottleworks", stop


def postgres_available() -> bool:
    return bool(_find("initdb") and _find("pg_ctl"))


def _configure() -> None:
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller already chose the database and exported it
    if os.environ.get("BOTTLEWORKS_TEST_DB", "").lower() == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["BOTTLEWORKS_TEST_DB"] = "sqlite"
        return
    if os.environ.get("DATABASE_URL"):
        return
    if not postgres_available():
        if os.environ.get("CI", "").lower() == "true":
            raise pytest.UsageError(
                "CI=true but no PostgreSQL binaries (initdb, pg_ctl) were found: install PostgreSQL."
            )
        os.environ["BOTTLEWORKS_TEST_DB"] = "sqlite"
        return
    url, stop = start_postgres()
    os.environ["DATABASE_URL"] = url
    os.environ["BOTTLEWORKS_TEST_PG_STARTED"] = "1"
    atexit.register(stop)


_configure()
