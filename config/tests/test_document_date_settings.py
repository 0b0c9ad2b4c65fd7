"""The document date settings from the environment: read as documented, or a clear start-up error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings as s; print(s.GO_LIVE_DATE, s.MAX_DAYS_AHEAD, s.MAX_DAYS_AHEAD_BY_TYPE)"
)


def _run(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW],
        cwd=PROJECT,
        env={**os.environ, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_date_settings_are_read_from_the_environment():
    result = _run(
        GO_LIVE_DATE="2026-04-01", MAX_DAYS_AHEAD="2", MAX_DAYS_AHEAD_BY_TYPE="purchase=3, payment=30"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-04-01 2 {'purchase': 3, 'payment': 30}"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GO_LIVE_DATE": "1 April"}, "GO_LIVE_DATE must be a date as YYYY-MM-DD, not '1 April'."),
        ({"MAX_DAYS_AHEAD": "-1"}, "MAX_DAYS_AHEAD must be a whole number of days from 0 to 366, not '-1'."),
        ({"MAX_DAYS_AHEAD_BY_TYPE": "bill=2"}, "MAX_DAYS_AHEAD_BY_TYPE: unknown document type 'bill'"),
    ],
)
def test_a_bad_date_setting_stops_start_up_with_a_clear_message(env, message):
    result = _run(**env)
    assert result.returncode != 0
    assert message in result.stderr
