"""Backups prove themselves: restored into a scratch database, checked, and compared with the
figures they carry. These run on PostgreSQL (the default test database) and, in the SQLite pass of
./bin/test, on SQLite."""

import io
import logging
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum

from inventory.models import Item, ItemKind, StockBalance, StockMovement
from operations import dumps
from operations.backup_file import BackupWriter, read_backup
from operations.figures import CENT, read_figures

pytestmark = pytest.mark.django_db(transaction=True)

OWNER_MAIL = "olga@plant.example"
ADMIN_MAIL = "ops@plant.example"


def _only_backup(folder: Path) -> Path:
    [file] = folder.glob("bottleworks-*.bwbak")
    return file


def _open(file: Path, key: str) -> tuple[bytes, dict]:
    trailer: dict = {}
    with open(file, "rb") as inp:
        data = b"".join(read_backup(inp, key=key.encode(), trailer=trailer))
    return data, trailer


def _sealed_as_newest(folder: Path, data: bytes, manifest: dict | None, key: str) -> Path:
    """A backup file made with the test key from the given dump and manifest, named as the newest."""
    target = folder / f"bottleworks-29991231T235959Z.{connection.vendor}.bwbak"
    with open(target, "wb") as out:
        writer = BackupWriter(out, key=key.encode(), vendor=connection.vendor)
        writer.write(data)
        writer.close(manifest=manifest)
    return target


@pytest.fixture
def owner_with_mail(owner_user, settings):
    owner_user.email = OWNER_MAIL
    owner_user.save()
    settings.ADMINS = [("Ops", ADMIN_MAIL)]
    return owner_user


def _scratch_databases() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bottleworks_verify_%%'")
        return [name for (name,) in cursor.fetchall()]


def _assert_failed_loudly(caplog, excinfo) -> str:
    assert "Backup verification FAILED" in str(excinfo.value)
    [message] = mail.outbox
    assert "FAILED" in message.subject
    assert sorted(message.to) == sorted([OWNER_MAIL, ADMIN_MAIL])
    [record] = [
        r for r in caplog.records if r.name == "bottleworks.operations" and r.levelno == logging.ERROR
    ]
    assert "FAILED" in record.getMessage()
    assert _scratch_databases() == []
    return message.body


def test_a_good_backup_restores_into_a_scratch_database_and_verifies(
    populated, backup_key, tmp_path, owner_with_mail, caplog
):
    caplog.set_level(logging.INFO, logger="bottleworks.operations")
    out = io.StringIO()
    call_command("backup", output_dir=str(tmp_path), verify=True, stdout=out)
    assert "Backup verified" in out.getvalue() and "ledger OK" in out.getvalue()
    [record] = [r for r in caplog.records if r.name == "bottleworks.operations"]
    assert record.levelno == logging.INFO and "backup verified" in record.getMessage()
    assert mail.outbox == []
    assert _scratch_databases() == []  # the scratch copy is dropped

    # The nightly command finds the newest backup in BACKUP_DIR by itself.
    out = io.StringIO()
    call_command("verify_backup", backup_dir=str(tmp_path), stdout=out)
    assert f"Backup verified: {_only_backup(tmp_path)}" in out.getvalue()
    _, trailer = _open(_only_backup(tmp_path), backup_key)
    manifest = trailer["manifest"]
    assert manifest["tables"]["inventory_stockmovement"] == StockMovement.objects.count() > 5
    assert set(manifest["ledger"]) == {str(pk) for pk in StockMovement.objects.values_list("item", flat=True)}


def test_a_tampered_manifest_fails_loudly_with_a_mail_and_a_non_zero_exit(
    populated, backup_key, tmp_path, owner_with_mail, caplog
):
    call_command("backup", output_dir=str(tmp_path))
    data, trailer = _open(_only_backup(tmp_path), backup_key)
    manifest = trailer["manifest"]
    manifest["tables"]["sales_sale"] += 1
    bottle = str(populated.bottle.pk)
    manifest["ledger"][bottle]["value"] = str(Decimal(manifest["ledger"][bottle]["value"]) + Decimal("0.01"))
    _sealed_as_newest(tmp_path, data, manifest, backup_key)

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_backup", backup_dir=str(tmp_path), stderr=io.StringIO())
    body = _assert_failed_loudly(caplog, excinfo)
    assert "table sales_sale: " in body and f"item #{bottle} movements" in body


def test_a_backup_whose_data_disagrees_with_its_manifest_fails(
    populated, staff_user, backup_key, tmp_path, owner_with_mail, caplog
):
    call_command("backup", output_dir=str(tmp_path))
    first = _only_backup(tmp_path)
    _, first_trailer = _open(first, backup_key)
    first.unlink()
    populated.buy(staff_user, (populated.cap, 7, "0.45"))
    call_command("backup", output_dir=str(tmp_path))
    second = _only_backup(tmp_path)
    data, _ = _open(second, backup_key)
    second.unlink()
    # The dump of one moment sealed with the figures of another: what a swapped or altered dump looks like.
    _sealed_as_newest(tmp_path, data, first_trailer["manifest"], backup_key)

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_backup", backup_dir=str(tmp_path), stderr=io.StringIO())
    body = _assert_failed_loudly(caplog, excinfo)
    assert "table inventory_stockmovement: " in body and f"item #{populated.cap.pk} balance" in body


def test_a_backup_of_a_broken_ledger_fails_on_the_restored_copy(
    populated, backup_key, tmp_path, owner_with_mail, caplog
):
    StockBalance.objects.filter(item=populated.cap).update(quantity=1)  # a breach, made on purpose
    call_command("backup", output_dir=str(tmp_path))
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_backup", backup_dir=str(tmp_path), stderr=io.StringIO())
    body = _assert_failed_loudly(caplog, excinfo)
    assert f"verify_ledger on the restored copy: {populated.cap.sku}: balance 1 / " in body


def test_a_backup_without_a_manifest_cannot_prove_itself(
    populated, backup_key, tmp_path, owner_with_mail, caplog
):
    call_command("backup", output_dir=str(tmp_path))
    data, _ = _open(_only_backup(tmp_path), backup_key)
    _sealed_as_newest(tmp_path, data, None, backup_key)
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_backup", backup_dir=str(tmp_path), stderr=io.StringIO())
    assert "carries no manifest" in _assert_failed_loudly(caplog, excinfo)


def test_no_backup_to_verify_is_a_failure_too(backup_key, tmp_path, owner_with_mail, caplog):
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_backup", backup_dir=str(tmp_path / "nothing-here"), stderr=io.StringIO())
    assert "No backup files" in _assert_failed_loudly(caplog, excinfo)


def test_the_manifest_ledger_figures_equal_the_orms_aggregates(populated):
    with connection.cursor() as cursor:
        figures = read_figures(cursor, connection.vendor)
    orm = {
        str(row["item"]): {"movements": row["n"], "quantity": row["q"], "value": str(row["v"].quantize(CENT))}
        for row in StockMovement.objects.values("item").annotate(
            n=Count("id"), q=Sum("quantity"), v=Sum("value")
        )
    }
    assert figures["ledger"] == orm and orm
    assert figures["balances"] == {
        str(b.item_id): {"quantity": b.quantity, "value": str(b.value.quantize(CENT))}
        for b in StockBalance.objects.all()
    }
    assert figures["tables"]["inventory_item"] == Item.objects.count()


@pytest.mark.postgres
def test_postgres_manifest_and_dump_share_one_snapshot(populated, backup_key, tmp_path, monkeypatch):
    """A write that commits after the figures are read, while pg_dump runs, is in neither."""
    read = dumps.read_figures

    def read_then_write_elsewhere(cursor, vendor):
        figures = read(cursor, vendor)
        # Another connection commits a new item, as the running app would.
        thread = threading.Thread(target=_add_item_on_another_connection)
        thread.start()
        thread.join()
        return figures

    with monkeypatch.context() as patched:
        patched.setattr(dumps, "read_figures", read_then_write_elsewhere)
        call_command("backup", output_dir=str(tmp_path))
    assert Item.objects.filter(sku="LATE-1").exists()
    call_command("verify_backup", str(_only_backup(tmp_path)), stdout=io.StringIO())  # counts agree


def _add_item_on_another_connection() -> None:
    try:
        Item.objects.create(sku="LATE-1", name="Added while the backup ran", kind=ItemKind.CAP)
    finally:
        connection.close()  # this thread's own connection


def test_failure_mails_go_to_active_owners_with_an_address_and_to_admin_emails(make_user, settings):
    from accounts.roles import Role
    from operations.alerts import owner_recipients

    for username, role, email, active in (
        ("owner_a", Role.OWNER, "a@plant.example", True),
        ("owner_b", Role.OWNER, "", True),
        ("owner_c", Role.OWNER, "c@plant.example", False),
        ("manager_d", Role.MANAGER, "d@plant.example", True),
    ):
        user = make_user(username, role)
        user.email, user.is_active = email, active
        user.save()
    settings.ADMINS = [("Ops", "ops@plant.example"), ("Owner again", "a@plant.example")]
    assert owner_recipients() == ["a@plant.example", "ops@plant.example"]
