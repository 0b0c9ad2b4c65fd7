import os

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


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only apply to SQLite")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database is in memory (which has no WAL); the options are what matters.
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert mode in {"wal", "memory"}
