"""Point-in-time recovery through pgBackRest, on a real PostgreSQL that archives its WAL."""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from testing.archiving import archiving_cluster, run_step, started, wait_for_promotion

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

if shutil.which("pgbackrest") is None and os.environ.get("CI", "").lower() != "true":
    pytest.skip("pgbackrest is not installed (apt-get install pgbackrest)", allow_module_level=True)


def test_restore_to_a_moment_brings_back_exactly_the_bills_posted_before_it():
    with archiving_cluster() as archiving:
        url = archiving.cluster.url
        run_step(url, "setup")
        archiving.tool.backup("full")
        # pgBackRest compares a moment with each backup's stop time to the second, and restores
        # only from one that stopped before it: the bills come a second after the backup.
        time.sleep(1.1)
        run_step(url, "sell", "3")
        before = json.loads(run_step(url, "bills"))
        moment = datetime.fromisoformat(archiving.sql("SELECT clock_timestamp()")).isoformat()
        time.sleep(1.1)  # commits after the moment carry a later timestamp
        run_step(url, "sell", "2")
        assert len(json.loads(run_step(url, "bills"))) == 5
        archiving.tool.check()  # the WAL with the last two bills is in the repository

        restored = Path(archiving.cluster.base) / "restored"  # where the postgres user may write
        call_command(
            "pitr",
            "--config",
            str(archiving.config),
            "--os-user",
            "postgres",
            "restore",
            "--to",
            moment,
            "--data-dir",
            str(restored),
        )
        with started(restored) as port:
            wait_for_promotion(archiving, port)
            restored_url = url.replace(f":{archiving.cluster.port}/", f":{port}/")
            assert json.loads(run_step(restored_url, "bills")) == before
            assert len(before) == 3
            check = subprocess.run(
                [sys.executable, "manage.py", "verify_ledger"],
                env={**os.environ, "DATABASE_URL": restored_url, "DEBUG": "1"},
                capture_output=True,
                text=True,
            )
            assert check.returncode == 0, check.stdout + check.stderr


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "PG_VERSION").write_text("15")
    with pytest.raises(CommandError, match="not empty"):
        call_command("pitr", "restore", "--to", "2026-12-01T08:30:00+05:30", "--data-dir", str(tmp_path))


def test_restore_wants_a_moment_with_its_time_zone(tmp_path):
    with pytest.raises(CommandError, match="time zone"):
        call_command("pitr", "restore", "--to", "2026-12-01T08:30:00", "--data-dir", str(tmp_path / "new"))
