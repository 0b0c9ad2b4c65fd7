"""REDIS_URL: a shared Redis cache that the app survives losing (tested against a real redis-server)."""

import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import Client

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.025)
    else:
        process.kill()
        pytest.fail("redis-server did not start")

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)

    yield f"redis://127.0.0.1:{port}/0", client, stop
    stop()


@pytest.fixture
def redis_settings(settings, redis_server):
    url, client, stop = redis_server
    # What settings.py configures when REDIS_URL is set.
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield client, stop
    caches["default"].close()


def test_the_cache_lives_in_redis_when_redis_url_is_set(redis_settings):
    client, _ = redis_settings
    cache = caches["default"]
    cache.set("plant-greeting", {"bottles": 500}, 60)
    assert cache.get("plant-greeting") == {"bottles": 500}
    assert any(b"plant-greeting" in key for key in client.keys("*"))


def test_cache_calls_return_defaults_when_redis_is_down(redis_settings):
    _, stop = redis_settings
    cache = caches["default"]
    cache.set("before", 1)
    stop()
    assert cache.get("before", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("x", 1) is False
    assert cache.set("x", 1) is None
    assert cache.delete("x") is False
    assert cache.has_key("x") is False


def test_pages_and_logins_keep_working_when_redis_goes_down(redis_settings, staff_user):
    client, stop = redis_settings
    browser = Client()
    assert (
        browser.post(
            "/accounts/login/", {"username": "sam_staff", "password": "correct-horse-battery"}
        ).status_code
        == 302
    )
    assert browser.get("/").status_code == 200
    assert client.keys("*"), "the session should have been cached in Redis"

    stop()
    # The session is still read from the database, and a new login still works.
    assert browser.get("/").status_code == 200
    other = Client()
    assert (
        other.post(
            "/accounts/login/", {"username": "sam_staff", "password": "correct-horse-battery"}
        ).status_code
        == 302
    )
    assert other.get("/").status_code == 200
