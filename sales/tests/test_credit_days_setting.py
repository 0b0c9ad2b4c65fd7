"""DEFAULT_CREDIT_DAYS from the environment: read as documented, or a clear start-up error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings as s; print(s.DEFAULT_CREDIT_DAYS)"


def _run(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW],
        cwd=PROJECT,
        env={**{k: v for k, v in os.environ.items() if k != "DEFAULT_CREDIT_DAYS"}, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("value", "read"), [(None, "30"), ("", "30"), ("0", "0"), (" 45 ", "45"), ("365", "365")]
)
def test_default_credit_days_are_read_from_the_environment(value, read):
    env = {} if value is None else {"DEFAULT_CREDIT_DAYS": value}
    result = _run(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == read


@pytest.mark.parametrize("value", ["-1", "366", "thirty", "1.5", "³"])
def test_bad_default_credit_days_stop_start_up_with_a_clear_message(value):
    result = _run(DEFAULT_CREDIT_DAYS=value)
    assert result.returncode != 0
    message = f"DEFAULT_CREDIT_DAYS must be a whole number of days from 0 to 365, not {value!r}."
    assert message in result.stderr
