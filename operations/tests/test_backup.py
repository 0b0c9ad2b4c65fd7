"""Backups: encrypted and checksummed, restored into a fresh database with every row intact."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from operations.backup_file import MAGIC, BackupWriter, CorruptBackup, WrongKey, read_backup
from operations.tests.snapshots import database_snapshot

PROJECT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _only_backup(folder: Path) -> Path:
    [file] = folder.glob("bottleworks-*.bwbak")
    return file


def _damaged_copy(file: Path, tmp_path: Path) -> Path:
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit in the middle of the dump
    damaged = tmp_path / "damaged.bwbak"
    damaged.write_bytes(bytes(data))
    return damaged


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def fresh_postgres_database():
    """An empty database on the test server, dropped afterwards."""
    s = connection.settings_dict
    params = dict(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None)
    name = f"restored_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name, params, f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_a_fresh_database_with_identical_rows_and_ledger(
    populated, backup_key, tmp_path, fresh_postgres_database
):
    call_command("backup", output_dir=str(tmp_path))
    file = _only_backup(tmp_path)
    content = file.read_bytes()
    assert content.startswith(MAGIC)
    assert b"inventory_stockmovement" not in content and b"Aqua Traders" not in content  # encrypted

    name, params, url = fresh_postgres_database
    env = dict(os.environ, DATABASE_URL=url, BACKUP_KEY=backup_key)

    refused = _manage("restore", str(_damaged_copy(file, tmp_path)), env=env)
    assert refused.returncode != 0
    assert "damaged or was altered" in refused.stderr

    restored = _manage("restore", str(file), env=env)
    assert restored.returncode == 0, restored.stderr

    with connection.cursor() as cursor:
        tables = _tables(cursor, "postgresql")
        original = database_snapshot(cursor, tables)
    with psycopg.connect(dbname=name, **params) as copy, copy.cursor() as cursor:
        assert sorted(_tables(cursor, "postgresql")) == sorted(tables)
        copied = database_snapshot(cursor, tables)

    assert copied["counts"] == original["counts"]
    assert copied["balances"] == original["balances"] and original["balances"]
    assert copied["ledger"] == original["ledger"]
    assert copied["history"] == original["history"]
    assert sum(map(len, original["history"].values())) > 10
    assert copied["rows"] == original["rows"]

    verified = _manage("verify_ledger", env=env)
    assert verified.returncode == 0, verified.stderr
    assert "Ledger OK" in verified.stdout

    # The restored database now has tables: a second restore into it is refused.
    again = _manage("restore", str(file), env=env)
    assert again.returncode != 0
    assert "is not empty" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_a_new_file_with_identical_rows_and_ledger(
    populated, backup_key, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("runs in the SQLite pass of ./bin/test (the PostgreSQL test covers pg_dump)")
    call_command("backup", output_dir=str(tmp_path))
    file = _only_backup(tmp_path)
    target = tmp_path / "restored.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SQLITE_PATH=str(target), BACKUP_KEY=backup_key)

    restored = _manage("restore", str(file), env=env)
    assert restored.returncode == 0, restored.stderr

    # Plain sqlite3 connections on both sides, so both hand back the values exactly as stored.
    original_db = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
    copy = sqlite3.connect(target)
    try:
        tables = _tables(original_db.cursor(), "sqlite")
        original = database_snapshot(original_db.cursor(), tables)
        assert sorted(_tables(copy.cursor(), "sqlite")) == sorted(tables)
        copied = database_snapshot(copy.cursor(), tables)
    finally:
        original_db.close()
        copy.close()
    assert copied["counts"] == original["counts"]
    assert copied["balances"] == original["balances"] and original["balances"]
    assert copied["ledger"] == original["ledger"]
    assert copied["history"] == original["history"]
    assert sum(map(len, original["history"].values())) > 10
    assert copied["rows"] == original["rows"]

    verified = _manage("verify_ledger", env=env)
    assert verified.returncode == 0, verified.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_already_has_tables(backup_key, tmp_path):
    call_command("backup", output_dir=str(tmp_path))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(_only_backup(tmp_path)))


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_is_refused_before_anything_is_touched(backup_key, tmp_path, monkeypatch):
    call_command("backup", output_dir=str(tmp_path))
    monkeypatch.setenv("BACKUP_KEY", "another-key-of-enough-length-0123456789")
    with pytest.raises(CommandError, match="does not match the key this backup was made with"):
        call_command("restore", str(_only_backup(tmp_path)))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_fails_verification_with_a_clear_message(backup_key, tmp_path):
    call_command("backup", output_dir=str(tmp_path))
    file = _only_backup(tmp_path)
    call_command("restore", str(file), verify_only=True)  # the intact file passes
    with pytest.raises(CommandError, match="damaged or was altered"):
        call_command("restore", str(_damaged_copy(file, tmp_path)), verify_only=True)


def test_backup_refuses_to_run_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    with pytest.raises(CommandError, match="BACKUP_KEY must be set"):
        call_command("backup", output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def _sealed(data: bytes, key: bytes = b"x" * 32) -> bytes:
    import io

    out = io.BytesIO()
    writer = BackupWriter(out, key=key, vendor="sqlite")
    for start in range(0, len(data), 70_000):
        writer.write(data[start : start + 70_000])
    writer.close()
    return out.getvalue()


def _read(sealed: bytes, key: bytes = b"x" * 32) -> bytes:
    import io

    return b"".join(read_backup(io.BytesIO(sealed), key=key))


def test_large_dumps_round_trip_in_chunks_and_every_tampering_is_caught():
    data = os.urandom(1_500_000) + b"ledger " * 400_000  # several 1 MiB records
    sealed = _sealed(data)
    assert _read(sealed) == data
    with pytest.raises(WrongKey):
        _read(sealed, key=b"y" * 32)
    with pytest.raises(CorruptBackup, match="cut short"):
        _read(sealed[:-40])
    with pytest.raises(CorruptBackup):
        _read(sealed + b"extra")
    with pytest.raises(CorruptBackup, match="not a Bottleworks backup"):
        _read(b"PGDMP" + sealed[5:])
    flipped = bytearray(sealed)
    flipped[len(sealed) // 3] ^= 0x80
    with pytest.raises(CorruptBackup, match="damaged or was altered"):
        _read(bytes(flipped))
