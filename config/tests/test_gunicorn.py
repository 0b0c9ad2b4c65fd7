"""The gunicorn settings file: the worker start-up hook loads every view and freezes what it loaded;
gunicorn's own lines are in UTC, like the app's."""

import gc
import http.client
import os
import re
import runpy
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import get_resolver

from testing.postgres import free_port

SETTINGS = Path(__file__).resolve().parents[1] / "gunicorn.py"
PROJECT = SETTINGS.parents[1]
UTC_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z [A-Z]+ gunicorn\.(error|access) ")


def test_a_started_worker_has_every_view_loaded_and_the_loaded_objects_frozen():
    hooks = runpy.run_path(str(SETTINGS))
    assert hooks["workers"] >= 1 and hooks["threads"] >= 1
    gc.unfreeze()
    loaded_before = ["made before the worker started"]  # a list: always tracked by the collector
    try:
        hooks["post_worker_init"](worker=None)
        made_after = ["made while serving"]
        assert "url_patterns" in get_resolver().__dict__  # the URLconf, and so every view, is loaded
        # gc.get_objects() lists what collections still scan: frozen objects are not among them.
        scanned = {id(o) for o in gc.get_objects()}
        assert id(get_resolver().url_patterns) not in scanned
        assert id(loaded_before) not in scanned
        assert id(made_after) in scanned  # what requests make later is collected as usual
    finally:
        gc.unfreeze()


def test_gunicorn_trusts_only_localhost_and_caps_its_workers_by_default(monkeypatch):
    for variable in ("FORWARDED_ALLOW_IPS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(variable, raising=False)
    config = runpy.run_path(str(SETTINGS))
    assert config["forwarded_allow_ips"] == "127.0.0.1"
    assert [config["default_workers"](cpus) for cpus in (1, 2, 3, 64)] == [4, 8, 12, 12]
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(SETTINGS))["workers"] == 3


@pytest.mark.slow
def test_gunicorn_writes_its_error_and_access_lines_in_utc(tmp_path):
    # A server in India: gunicorn's default formats would write 13:48 +0530, and access lines no time.
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        TZ="Asia/Kolkata",
        DEBUG="1",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        DATABASE_URL="",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG="-",
    )
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=PROJECT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, err.read_text()
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                status = probe.getresponse().status
                probe.close()
                break
            except OSError:
                assert time.monotonic() < deadline, err.read_text()
                time.sleep(0.2)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    access = [line for line in out.read_text().splitlines() if "/healthz" in line]
    errors = err.read_text().splitlines()
    assert access and any("Starting gunicorn" in line for line in errors)
    now = datetime.now(UTC).replace(tzinfo=None)
    for line in access + [line for line in errors if "gunicorn." in line]:
        stamp = UTC_STAMP.match(line)
        assert stamp, line
        assert abs(datetime.fromisoformat(stamp[1]) - now) < timedelta(minutes=5), line
