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
import os

import pytest

from testing.postgres import postgres_available, start_postgres

_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "HTTPS": "0",
    "WHITENOISE_USE_FINDERS": "1",
    "CONN_MAX_AGE": "0",
}


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
