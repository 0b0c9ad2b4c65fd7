import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_it_was_started_for_the_run():
    if os.environ.get("BOTTLEWORKS_TEST_DB") == "sqlite":
        pytest.skip("this run was asked to use SQLite")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    # The test database is in memory (which has no WAL) or PostgreSQL, so the settings a first run
    # gets (no DATABASE_URL) open a real file, in a process of their own.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", SQLITE_PATH=str(tmp_path / "first.sqlite3")
    )
    opened = subprocess.run(
        [sys.executable, "-c", SQLITE_MODES],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.split() == ["sqlite", "wal", "IMMEDIATE"]


SQLITE_MODES = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print(connection.vendor, mode, connection.settings_dict["OPTIONS"]["transaction_mode"])
"""
