"""The nightly jobs of the README's cron lines run as plain management commands."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from inventory.models import StockBalance

pytestmark = pytest.mark.django_db


def test_expired_token_cleanup_removes_only_expired_refresh_tokens(staff_user):
    now = timezone.now()
    for jti, expires in (("expired", now - timedelta(hours=1)), ("current", now + timedelta(days=6))):
        OutstandingToken.objects.create(
            user=staff_user, jti=jti, token=jti, created_at=now, expires_at=expires
        )
    call_command("flushexpiredtokens")
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["current"]


def test_ledger_check_exits_non_zero_when_a_balance_disagrees_with_its_movements(plant, staff_user):
    plant.buy(staff_user, (plant.cap, 10, "0.50"))
    call_command("verify_ledger")
    StockBalance.objects.filter(item=plant.cap).update(quantity=11)  # a breach, made on purpose
    with pytest.raises(CommandError, match="Ledger check failed"):
        call_command("verify_ledger")


@pytest.mark.django_db(transaction=True)
def test_backup_keeps_only_the_newest_backups_when_asked(backup_key, tmp_path):
    old = [tmp_path / f"bottleworks-2026010{n}T013000Z.sqlite.bwbak" for n in range(1, 4)]
    for path in old:
        path.write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("not a backup")
    call_command("backup", output_dir=str(tmp_path), keep=2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and "notes.txt" in names
    assert old[2].name in names and old[0].name not in names and old[1].name not in names
