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


def start_postgres() -> tuple[str, callable]:
    """Start a private PostgreSQL; return its URL and a function that stops it."""
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
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        as_db_user([pg_ctl, "-D", data, "-o", options, "-l", os.path.join(base, "log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def stop() -> None:
        subprocess.run(
            as_db_user([pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)

    return f"postgres://postgres@127.0.0.1:{port}/bottleworks", stop


def postgres_available() -> bool:
    return bool(find_binary("initdb") and find_binary("pg_ctl"))
