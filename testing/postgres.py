"""A private PostgreSQL in a temporary directory, for the test run and the bench scripts.

Importing this module starts nothing; ``testing.pgserver`` (the pytest plugin) and the scripts in
bench/ call ``start_postgres`` when they want a server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass


def find_binary(binary: str) -> str | None:
    found = shutil.which(binary)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"), reverse=True)
    return candidates[0] if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_db_user(command: list[str]) -> list[str]:
    # initdb refuses to run as root; on CI machines we are root, so run as the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class Cluster:
    """A running private PostgreSQL: where it lives and how to reach and stop it."""

    base: str  # the temporary folder: data directory, socket and log
    data: str
    port: int
    stop: Callable[[], None]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/bottleworks"


# The throwaway settings of the test run: fast, and nothing survives a crash. ``durable=True`` keeps
# PostgreSQL's defaults (fsync, synchronous commit, full-page writes), as production runs.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def start_cluster(
    *, durable: bool = False, settings: dict[str, str] | None = None, create_database: bool = False
) -> Cluster:
    """Start a private PostgreSQL (``settings`` go to postgresql.conf); ``create_database`` makes the
    empty ``bottleworks`` database its URL names."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    base = tempfile.mkdtemp(prefix="bottleworks-pg-")
    data = os.path.join(base, "data")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    port = free_port()
    subprocess.run(
        as_db_user([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    conf = {
        "port": str(port),
        "unix_socket_directories": f"'{base}'",
        "listen_addresses": "'127.0.0.1'",
        "max_connections": "200",
        **({} if durable else FAST),
        **(settings or {}),
    }
    with open(os.path.join(data, "postgresql.conf"), "a") as out:
        out.writelines(f"{name} = {value}\n" for name, value in conf.items())
    subprocess.run(
        as_db_user([pg_ctl, "-D", data, "-l", os.path.join(base, "log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if create_database:
        createdb = find_binary("createdb")
        subprocess.run(
            as_db_user([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bottleworks"]),
            check=True,
        )

    def stop() -> None:
        stop_cluster(data)
        shutil.rmtree(base, ignore_errors=True)

    return Cluster(base=base, data=data, port=port, stop=stop)


def stop_cluster(data: str) -> None:
    subprocess.run(
        as_db_user([find_binary("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_postgres(*, durable: bool = False) -> tuple[str, Callable[[], None]]:
    """Start a private PostgreSQL; return its URL and a function that stops it."""
    cluster = start_cluster(durable=durable)
    return cluster.url, cluster.stop


def postgres_available() -> bool:
    return bool(find_binary("initdb") and find_binary("pg_ctl"))
