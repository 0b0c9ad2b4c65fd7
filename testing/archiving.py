"""A private PostgreSQL that archives its WAL to a pgBackRest repository, for the point-in-time
recovery test and bench script; and ``python -m testing.archiving`` steps that drive the app in a
process of its own against it (``DATABASE_URL`` set by the caller)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from operations.pitr import PgBackRest
from testing.postgres import Cluster, as_db_user, find_binary, free_port, start_cluster, stop_cluster

ROOT = Path(__file__).resolve().parent.parent
STANZA = "bottleworks"


@dataclass
class ArchivingCluster:
    cluster: Cluster
    tool: PgBackRest
    config: Path

    def sql(self, query: str, port: int | None = None) -> str:
        port = port or self.cluster.port
        psql = find_binary("psql")
        command = [psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "bottleworks", "-qAt"]
        result = subprocess.run([*command, "-c", query], check=True, capture_output=True, text=True)
        return result.stdout.strip()


def pgbackrest_config(base: Path, data: str, port: int) -> str:
    return (
        "[global]\n"
        f"repo1-path={base / 'repo'}\n"
        "repo1-retention-full=2\n"
        f"log-path={base / 'pgbackrest-log'}\n"
        f"lock-path={base / 'pgbackrest-lock'}\n"
        "start-fast=y\n"
        f"[{STANZA}]\n"
        f"pg1-path={data}\n"
        f"pg1-port={port}\n"
        f"pg1-socket-path={base}\n"
    )


@contextmanager
def archiving_cluster(*, durable: bool = False):
    """Start a cluster whose WAL goes to a fresh pgBackRest repository beside it; stop it after."""
    cluster = start_cluster(durable=durable, create_database=True, settings={})
    base = Path(cluster.base)
    config = base / "pgbackrest.conf"
    config.write_text(pgbackrest_config(base, cluster.data, cluster.port))
    for folder in ("repo", "pgbackrest-log", "pgbackrest-lock"):
        (base / folder).mkdir(mode=0o750)
    if os.geteuid() == 0:
        for path in (config, base / "repo", base / "pgbackrest-log", base / "pgbackrest-lock"):
            shutil.chown(path, "postgres")
    tool = PgBackRest(stanza=STANZA, os_user="postgres", config=str(config))
    # PostgreSQL runs the archive command as its own user already.
    pushing = PgBackRest(stanza=STANZA, config=str(config))
    archive_command = " ".join(pushing.command("archive-push", arguments=("%p",)))
    # The settings the README's ops/pgbackrest/postgresql.conf asks for, with this repository.
    with open(os.path.join(cluster.data, "postgresql.conf"), "a") as out:
        out.write(f"wal_level = replica\narchive_mode = on\narchive_command = '{archive_command}'\n")
        out.write("archive_timeout = 60\n")
    subprocess.run(
        as_db_user([find_binary("pg_ctl"), "-D", cluster.data, "-w", "restart", "-m", "fast"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        tool.create_stanza()
        yield ArchivingCluster(cluster=cluster, tool=tool, config=config)
    finally:
        cluster.stop()


@contextmanager
def started(data_dir: Path):
    """Start PostgreSQL on a restored folder (on a port of its own, not archiving into the
    repository of the cluster it came from); yield the port once it has finished recovery."""
    port = free_port()
    options = f"-p {port} -c archive_mode=off"
    subprocess.run(
        as_db_user([find_binary("pg_ctl"), "-D", str(data_dir), "-o", options, "-l", f"{data_dir}.log"])
        + ["-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield port
    finally:
        stop_cluster(str(data_dir))


def wait_for_promotion(archiving: ArchivingCluster, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while archiving.sql("SELECT pg_is_in_recovery()", port=port) != "f":
        if time.monotonic() > deadline:
            raise TimeoutError("the restored cluster did not finish recovery")
        time.sleep(0.2)


def run_step(database_url: str, *step: str) -> str:
    """Run one of this module's steps in a new process against ``database_url``."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", "pitr-test-only-secret-key-0123456789-abcdefghijklmnop")
    env.setdefault("DEBUG", "0")
    env["HTTPS"] = "0"
    env["CONN_MAX_AGE"] = "0"
    result = subprocess.run(
        [sys.executable, "-m", "testing.archiving", *step], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"step {step} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# Steps, run as ``python -m testing.archiving STEP`` -------------------------------------------------


def _setup() -> None:
    from django.core.management import call_command

    from accounts.models import User
    from accounts.roles import Role, set_role, sync_role_groups
    from testing.plant import build_plant

    call_command("migrate", verbosity=0)
    sync_role_groups()
    clerk = User.objects.create_user(username="pitr_clerk", password="pitr-clerk-password")
    set_role(clerk, Role.STAFF)
    plant = build_plant()
    plant.buy(clerk, (plant.bottle, 1000, "3.00"))


def _sell(count: int) -> None:
    from accounts.models import User
    from inventory.models import Item
    from sales.models import Customer
    from sales.services import SaleLineInput, create_sale

    clerk = User.objects.get(username="pitr_clerk")
    bottle = Item.objects.get(sku="BTL-500")
    customer = Customer.objects.get()
    for _ in range(count):
        line = SaleLineInput(item=bottle, quantity=2, unit_price=bottle.default_price)
        create_sale(by=clerk, customer=customer, lines=[line], submit=True)


def _bills() -> None:
    from sales.models import Sale

    print(json.dumps(sorted(Sale.objects.filter(status="posted").values_list("number", flat=True))))


if __name__ == "__main__":
    import django

    django.setup()
    action, *arguments = sys.argv[1:]
    if action == "setup":
        _setup()
    elif action == "sell":
        _sell(int(arguments[0]))
    elif action == "bills":
        _bills()
    else:
        raise SystemExit(f"unknown step {action!r}")
