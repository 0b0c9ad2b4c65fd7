"""The client's address behind the proxy, through a real gunicorn: lockouts, log lines, request ids.

The test plays the TLS proxy: gunicorn listens on a free loopback port against the test database,
and every request arrives from 127.0.0.1 with the X-Forwarded-For a proxy would send.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from testing.postgres import free_port

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
A, B = "198.51.100.7", "198.51.100.8"

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Server:
    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log

    def token(self, username: str, password: str, **headers: str) -> http.client.HTTPResponse:
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps({"username": username, "password": password})
        connection_.request(
            "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json", **headers}
        )
        response = connection_.getresponse()
        response.body = json.loads(response.read() or b"null")
        connection_.close()
        return response

    def audit_lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if " bottleworks.audit " in line]


@pytest.fixture
def start_gunicorn(transactional_db, tmp_path):
    """Starts gunicorn (config/gunicorn.py) with PROXY_COUNT, on the test database; stops it after."""
    started: list[subprocess.Popen] = []

    def start(proxy_count: int) -> Server:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(
            DATABASE_URL=url,
            CONN_MAX_AGE="0",
            DEBUG="0",
            HTTPS="0",
            ALLOWED_HOSTS="127.0.0.1",
            BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="2",
            GUNICORN_ACCESS_LOG="/dev/null",
            LOG_LEVEL="INFO",
            PROXY_COUNT=str(proxy_count),
        )
        log = tmp_path / f"gunicorn-{proxy_count}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=out,
            )
        started.append(process)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/readyz")
                if probe.getresponse().status == 200:
                    probe.close()
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        return Server(port, log)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def users(roles_exist, make_user, settings):
    # gunicorn runs the production hashers, so the password is stored with one of them.
    from accounts.roles import Role
    from config import settings as production_settings

    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    make_user("sam_staff", Role.STAFF)


def test_behind_one_proxy_failures_lock_the_user_at_the_forwarded_address_only(start_gunicorn, users):
    server = start_gunicorn(proxy_count=1)
    for _ in range(5):
        failed = server.token("sam_staff", "wrong-password", **{"X-Forwarded-For": A})
    assert failed.status == 429  # the fifth failure locks sam_staff at A

    locked = server.token("sam_staff", PASSWORD, **{"X-Forwarded-For": A, "X-Request-ID": "proxy-req-0001"})
    assert locked.status == 429
    assert locked.body["error"]["code"] == "locked_out"
    assert locked.getheader("X-Request-ID") == "proxy-req-0001"  # the proxy's id is kept

    # The same user from another address still gets in.
    assert server.token("sam_staff", PASSWORD, **{"X-Forwarded-For": B}).status == 200
    # A client that puts A in front of its own address is not taken for A.
    forged = server.token("sam_staff", PASSWORD, **{"X-Forwarded-For": f"{A}, 198.51.100.9"})
    assert forged.status == 200

    lines = server.audit_lines()
    failed_at_a = [line for line in lines if "login failed username='sam_staff'" in line]
    assert len(failed_at_a) >= 5
    assert all(f"address={A} " in line for line in failed_at_a[:5])
    assert any("request_id=proxy-req-0001 " in line and f"address={A} " in line for line in lines)
    succeeded = [line for line in lines if "login succeeded username='sam_staff'" in line]
    assert f"address={B} " in succeeded[0]


def test_without_a_proxy_forged_forwarded_for_and_request_id_are_ignored(start_gunicorn, users):
    server = start_gunicorn(proxy_count=0)
    for n in range(5):
        failed = server.token(
            "sam_staff",
            "wrong-password",
            **{"X-Forwarded-For": f"198.51.100.{10 + n}", "X-Request-ID": "forged-req-0001"},
        )
        assert failed.getheader("X-Request-ID") != "forged-req-0001"
        assert re.fullmatch(r"[0-9a-f]{32}", failed.getheader("X-Request-ID"))
    assert failed.status == 429

    # Another forged address does not get round the lockout: the address is the connection's.
    dodge = server.token("sam_staff", PASSWORD, **{"X-Forwarded-For": B})
    assert dodge.status == 429

    lines = server.audit_lines()
    assert lines
    assert all("address=127.0.0.1 " in line for line in lines)
    assert not any("forged-req-0001" in line for line in lines)
