"""The nightly jobs of the README's cron lines run as plain management commands."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands

from inventory.models import StockBalance

pytestmark = pytest.mark.django_db


def test_every_nightly_cron_line_of_the_readme_runs_a_command_this_project_installs():
    # The cron lines are copied onto servers as they are: a renamed command or an app dropped from
    # INSTALLED_APPS (e.g. simplejwt's token blacklist, whose command expires refresh tokens) would
    # fail there silently, each night.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("**Nightly jobs.**", 1)[1].split("```cron", 1)[1].split("```", 1)[0]
    named = [line.split("manage.py ", 1)[1].split()[0] for line in block.splitlines() if "manage.py " in line]
    assert "flushexpiredtokens" in named and "verify_ledger" in named
    installed = get_commands()
    assert [name for name in named if name not in installed] == []
    assert installed["flushexpiredtokens"] == "rest_framework_simplejwt.token_blacklist"


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
