"""The gunicorn settings file: the worker start-up hook loads every view and freezes what it loaded."""

import gc
import runpy
from pathlib import Path

from django.urls import get_resolver

SETTINGS = Path(__file__).resolve().parents[1] / "gunicorn.py"


def test_a_started_worker_has_every_view_loaded_and_the_loaded_objects_frozen():
    hooks = runpy.run_path(str(SETTINGS))
    assert hooks["workers"] >= 1 and hooks["threads"] >= 1
    gc.unfreeze()
    try:
        hooks["post_worker_init"](worker=None)
        assert "url_patterns" in get_resolver().__dict__  # the URLconf, and so every view, is loaded
        assert gc.get_freeze_count() > 10_000
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
