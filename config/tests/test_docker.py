"""The Docker image and Compose file, checked without a Docker engine: the pins agree with each other
and with CI, and the image's entry commands run on the Compose settings."""

import ipaddress
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml
from django.db import connection

from testing.postgres import free_port

PROJECT = Path(__file__).resolve().parents[2]
# The PostgreSQL major that each Debian release's postgresql-client installs.
DEBIAN_POSTGRESQL = {"bullseye": 13, "bookworm": 15, "trixie": 17}


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (NAME, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (PROJECT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, arguments = line.strip().partition(" ")
            found.append((name.upper(), arguments.strip()))
    return found


def _one(name: str) -> str:
    [arguments] = [a for n, a in _instructions() if n == name]
    return arguments


def _compose() -> dict:
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} (nested too) and ${VAR:?error}, for the values in our file."""
    out, i = [], 0
    while (start := value.find("${", i)) != -1:
        out.append(value[i:start])
        depth, j = 1, start + 2
        while depth:
            if value.startswith("${", j):
                depth, j = depth + 1, j + 2
            else:
                depth, j = depth - (value[j] == "}"), j + 1
        body = value[start + 2 : j - 1]
        name, operator, rest = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:-|:\?|)(.*)", body, re.S).groups()
        if env.get(name):
            out.append(env[name])
        elif operator == ":-":
            out.append(_interpolate(rest, env))
        elif operator == ":?":
            raise KeyError(f"{name}: {rest}")
        i = j
    out.append(value[i:])
    return "".join(out)


def _service_environment(service: str, env: dict[str, str]) -> dict[str, str]:
    return {k: _interpolate(str(v), env) for k, v in _compose()["services"][service]["environment"].items()}


def test_the_image_base_and_the_database_server_agree():
    base = _one("FROM")
    match = re.fullmatch(r"python:(\d+\.\d+)-slim-([a-z]+)", base)
    assert match, f"the base must name its Debian release, e.g. python:3.11-slim-bookworm, not {base}"
    release = match.group(2)
    client = DEBIAN_POSTGRESQL[release]
    services = _compose()["services"]
    assert services["db"]["image"] == f"postgres:{client}"
    [install] = [a for n, a in _instructions() if n == "RUN" and "postgresql-client" in a]
    assert re.search(rf"\bpostgresql-client-{client}\b", install)
    render = yaml.safe_load((PROJECT / "render.yaml").read_text())
    assert render["databases"][0]["postgresMajorVersion"] == str(client)


def test_the_image_runs_the_python_ci_tests():
    image_python = re.fullmatch(r"python:(\d+\.\d+)-.*", _one("FROM")).group(1)
    [ci_python] = re.findall(r"^PYTHON_VERSION=(\S+)$", (PROJECT / ".ci" / "run").read_text(), re.M)
    assert image_python == ci_python == "3.11"
    assert 'target-version = "py311"' in (PROJECT / "pyproject.toml").read_text()


def test_one_image_is_built_once_for_both_compose_services():
    services = _compose()["services"]
    built = [name for name, service in services.items() if "build" in service]
    assert built == ["web"]
    assert services["migrate"]["image"] == services["web"]["image"]
    assert services["migrate"]["pull_policy"] == "never"  # never fetched: it is the image web builds
    assert not services["web"]["image"].startswith("postgres")


def test_forwarded_headers_are_trusted_from_the_compose_network_only():
    compose = _compose()
    [subnet] = [c["subnet"] for c in compose["networks"]["default"]["ipam"]["config"]]
    trusted = _service_environment("web", {"SECRET_KEY": "x"})["FORWARDED_ALLOW_IPS"]
    assert trusted == _interpolate(subnet, {}) == "172.30.80.0/24"
    assert ipaddress.ip_network(trusted).is_private
    # Moving the network moves the trust with it.
    moved = {"SECRET_KEY": "x", "COMPOSE_SUBNET": "10.9.8.0/24"}
    assert _service_environment("web", moved)["FORWARDED_ALLOW_IPS"] == "10.9.8.0/24"
    assert "*" not in (PROJECT / "docker-compose.yml").read_text().split("FORWARDED_ALLOW_IPS", 1)[1][:80]


@pytest.fixture
def empty_postgres_database():
    if connection.vendor != "postgresql":
        pytest.skip("the Compose stack runs on PostgreSQL")
    s = connection.settings_dict
    params = dict(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None)
    name = f"compose_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.postgres
@pytest.mark.slow
def test_the_image_entry_commands_run_on_the_compose_settings(empty_postgres_database, tmp_path):
    """collectstatic (the build), migrate (the release step) and the CMD's gunicorn, in that order,
    with the web service's environment (the database swapped for a test one, Redis left out)."""
    env = _service_environment("web", {"SECRET_KEY": "compose-test-" + uuid.uuid4().hex * 2})
    env.pop("REDIS_URL")
    env.update(
        DATABASE_URL=empty_postgres_database,
        STATIC_ROOT=str(tmp_path / "static"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        HOME=str(tmp_path),
    )

    [build] = [a for n, a in _instructions() if n == "RUN" and "collectstatic" in a]
    words = shlex.split(next(part for part in build.split("&&") if "collectstatic" in part))
    assignments = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    collected = _run(words[len(assignments) :], {**env, **assignments})
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    migrated = _run(_compose()["services"]["migrate"]["command"], env)
    assert migrated.returncode == 0, migrated.stderr

    cmd = json.loads(_one("CMD"))  # the exec form, as docker runs it
    assert cmd[0] == "gunicorn"
    checked = _run([cmd[0], "--check-config", *cmd[1:]], env)
    assert checked.returncode == 0, checked.stderr + checked.stdout

    port = free_port()
    server = subprocess.Popen(
        cmd,
        cwd=PROJECT,
        env={**env, "PORT": str(port), "WEB_CONCURRENCY": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    healthcheck = shlex.split(_one("HEALTHCHECK").split(" CMD ", 1)[1].replace(":8000/", f":{port}/"))
    try:
        healthy = False
        for _ in range(120):  # a deadline for the start, not a timing assertion
            if server.poll() is not None:
                break
            if _run(healthcheck, env).returncode == 0:
                healthy = True
                break
            time.sleep(0.5)
        assert healthy, server.stderr.read() if server.poll() is not None else "no answer on /healthz"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as ready:
            assert ready.status == 200  # the database answers and every migration is applied
    finally:
        server.terminate()
        server.wait(timeout=60)
