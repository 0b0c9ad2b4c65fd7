"""Load-balancer probes: /healthz (process up) and /readyz (database reachable, migrations applied)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

PROJECT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_login_or_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_without_login_when_migrations_are_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_pending(client):
    loader = MigrationLoader(connection)
    app_label, name = sorted(loader.graph.leaf_nodes())[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app_label, name])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "migrations not applied: 1"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readyz_is_503_when_the_database_is_unreachable_and_healthz_still_200():
    # A process of its own, pointed at a port where no database listens.
    script = (
        "import django, json; django.setup(); from django.test import Client; c = Client();"
        "r = c.get('/readyz', HTTP_HOST='localhost'); h = c.get('/healthz', HTTP_HOST='localhost');"
        "print(json.dumps([r.status_code, r.json(), h.status_code]))"
    )
    env = dict(os.environ, DATABASE_URL=f"postgres://nobody@127.0.0.1:{_closed_port()}/none", HTTPS="0")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    status, body, health = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "unavailable", "reason": "OperationalError"}
    assert health == 200


@pytest.mark.django_db
def test_probes_answer_a_load_balancer_calling_by_ip_over_plain_http(settings):
    settings.ALLOWED_HOSTS = ["bottleworks.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    from django.test import Client

    client = Client()
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    ready = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    assert ready["X-Request-ID"]
    # Every other page still insists on a known host name.
    assert client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400
