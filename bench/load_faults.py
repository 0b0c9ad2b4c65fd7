"""Load with faults: bills and payments through the JSON API while a worker and PostgreSQL crash.

    .venv/bin/python bench/load_faults.py [--seconds 60] [--clients 16] [--workers 4]

Starts a throwaway PostgreSQL (its own data directory and loopback port), migrates, seeds a plant
with stock, and starts gunicorn (config/gunicorn.py) on a free loopback port. Client threads post
bills (and payments against some of them) with JWT; each request carries an Idempotency-Key and is
retried with the same key on connection errors and 5xx until the server confirms it. During the
run the script SIGKILLs one gunicorn worker and restarts PostgreSQL (immediate stop: a crash).

Afterwards it checks, straight in the database: every confirmed bill and payment exists exactly
once, no document is half-posted, ``verify_ledger`` passes, and the service recovered by itself.
It prints the figures (and writes them to bench/out/load_faults.json); exit code 1 if a check
fails. Everything runs on 127.0.0.1 and stops at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
import requests

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from testing.postgres import as_db_user, find_binary, free_port  # noqa: E402

PYTHON = str(PROJECT / ".venv" / "bin" / "python")
GUNICORN = str(PROJECT / ".venv" / "bin" / "gunicorn")
OUT = PROJECT / "bench" / "out"
PASSWORD = "load-faults-password-2718"
USERS = 4  # client threads share these staff accounts


class Postgres:
    """A private cluster that can be stopped and started again on the same data and port."""

    def __init__(self) -> None:
        self.base = tempfile.mkdtemp(prefix="bottleworks-loadpg-")
        self.data = os.path.join(self.base, "data")
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        subprocess.run(
            as_db_user(
                [find_binary("initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bottleworks"

    def start(self) -> None:
        # fsync off only matters if the machine itself crashes; commits are still synchronous, so a
        # crash of PostgreSQL loses nothing it confirmed.
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        )
        subprocess.run(
            as_db_user(
                [
                    find_binary("pg_ctl"),
                    "-D",
                    self.data,
                    "-o",
                    options,
                    "-l",
                    os.path.join(self.base, "log"),
                    "-w",
                ]
                + ["start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            as_db_user([find_binary("pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def create_database(self) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE bottleworks")

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


SEED = f"""
from decimal import Decimal
from accounts.models import User
from accounts.roles import Role, set_role, sync_role_groups
from testing.plant import build_plant
sync_role_groups()
staff = []
for n in range({USERS}):
    user = User.objects.create_user(username=f"loader{{n}}", password="{PASSWORD}")
    set_role(user, Role.STAFF)
    staff.append(user)
plant = build_plant()
plant.buy(staff[0], (plant.bottle, 1_000_000, "3.00"))
print(plant.customer.pk, plant.bottle.pk)
"""


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    bills: dict[str, str] = field(default_factory=dict)  # idempotency key -> confirmed bill number
    payments: dict[str, str] = field(default_factory=dict)  # idempotency key -> payment number
    bill_sale: dict[str, int] = field(default_factory=dict)  # bill number -> id
    refused: list[tuple[float, int, str]] = field(default_factory=list)  # 4xx: (time, status, body)
    errors: list[tuple[float, str]] = field(default_factory=list)  # (time, kind) of retried attempts
    replays: int = 0
    gave_up: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, confirmed requests only
    confirmed_at: list[float] = field(default_factory=list)


class Client(threading.Thread):
    def __init__(
        self,
        index: int,
        base: str,
        token: str,
        stop_at: float,
        give_up_at: float,
        ids: dict,
        tally: Tally,
        patience: float = 30.0,
    ):
        super().__init__(daemon=True)
        self.patience = patience
        self.index, self.base, self.stop_at, self.give_up_at = index, base, stop_at, give_up_at
        self.ids, self.tally, self.token = ids, tally, token
        self.session = requests.Session()
        self.random = random.Random(index)

    def _send(self, path: str, body: dict, key: str | None) -> requests.Response | None:
        """POST until the server answers with something other than an error worth retrying."""
        while time.monotonic() < self.give_up_at:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            if key:
                headers["Idempotency-Key"] = key
            started = time.monotonic()
            try:
                response = self.session.post(
                    self.base + path, json=body, headers=headers, timeout=self.patience
                )
            except requests.RequestException as error:
                kind = type(error).__name__
                if isinstance(error, requests.ReadTimeout) and self.patience < 30:
                    kind = "gave up waiting (impatient client)"  # deliberate, not a fault
                self._error(kind)
                continue
            if response.status_code >= 500:
                self._error(f"HTTP {response.status_code}")
                continue
            if response.status_code == 429:
                self._error("HTTP 429")
                continue
            with self.tally.lock:
                self.tally.latencies.append(time.monotonic() - started)
                if response.headers.get("Idempotent-Replayed") == "true":
                    self.tally.replays += 1
            return response
        return None

    def _error(self, kind: str) -> None:
        with self.tally.lock:
            self.tally.errors.append((time.monotonic(), kind))
        time.sleep(0.2 + self.random.random() * 0.3)  # back off a little, as a real client would

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            key = str(uuid.uuid4())
            quantity = self.random.randint(1, 20)
            bill = {
                "customer": self.ids["customer"],
                "notes": key,  # lets the check find every bill a key made, however many
                "submit": True,
                "lines": [{"item": self.ids["bottle"], "quantity": quantity, "unit_price": "5.00"}],
            }
            response = self._send("/api/v1/sales/", bill, key)
            if response is None:
                self.tally.gave_up.append(key)
                continue
            if response.status_code != 201:
                with self.tally.lock:
                    self.tally.refused.append((time.monotonic(), response.status_code, response.text[:200]))
                continue
            sale = response.json()
            with self.tally.lock:
                self.tally.bills[key] = sale["number"]
                self.tally.bill_sale[sale["number"]] = sale["id"]
                self.tally.confirmed_at.append(time.monotonic())
            if self.random.random() < 0.5:
                pay_key = str(uuid.uuid4())
                payment = {
                    "customer": self.ids["customer"],
                    "sale": sale["id"],
                    "amount": str(Decimal(quantity * 5) / 2),
                    "method": "cash",
                    "notes": pay_key,
                }
                paid = self._send("/api/v1/payments/", payment, pay_key)
                if paid is None:
                    self.tally.gave_up.append(pay_key)
                elif paid.status_code == 201:
                    with self.tally.lock:
                        self.tally.payments[pay_key] = paid.json()["number"]
                        self.tally.confirmed_at.append(time.monotonic())
                else:
                    with self.tally.lock:
                        self.tally.refused.append((time.monotonic(), paid.status_code, paid.text[:200]))


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def wait_ready(base: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if requests.get(base + "/readyz", timeout=2).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base}/readyz did not answer 200 within {seconds} s")


def check_database(url: str, tally: Tally) -> dict:
    """The outcome checks, straight in the database."""
    with psycopg.connect(url) as db:

        def scalar(sql: str, *params) -> int:
            return db.execute(sql, params).fetchone()[0]

        bill_rows = dict(db.execute("SELECT notes, count(*) FROM sales_sale GROUP BY notes").fetchall())
        pay_rows = dict(db.execute("SELECT notes, count(*) FROM sales_payment GROUP BY notes").fetchall())
        numbers = dict(db.execute("SELECT notes, number FROM sales_sale WHERE number IS NOT NULL").fetchall())
        pay_numbers = dict(
            db.execute("SELECT notes, number FROM sales_payment WHERE number IS NOT NULL").fetchall()
        )
        return {
            "confirmed_bills_missing": [k for k in tally.bills if bill_rows.get(k, 0) == 0],
            "confirmed_bills_duplicated": [k for k in tally.bills if bill_rows.get(k, 0) > 1],
            "confirmed_bill_numbers_wrong": [k for k, n in tally.bills.items() if numbers.get(k) != n],
            "bills_made_twice_by_any_key": sum(1 for n in bill_rows.values() if n > 1),
            "confirmed_payments_missing": [k for k in tally.payments if pay_rows.get(k, 0) == 0],
            "confirmed_payments_duplicated": [k for k in tally.payments if pay_rows.get(k, 0) > 1],
            "confirmed_payment_numbers_wrong": [
                k for k, n in tally.payments.items() if pay_numbers.get(k) != n
            ],
            "bills_in_database": scalar("SELECT count(*) FROM sales_sale"),
            "payments_in_database": scalar("SELECT count(*) FROM sales_payment"),
            "bills_not_posted": scalar("SELECT count(*) FROM sales_sale WHERE status <> 'posted'"),
            "posted_bills_without_movements": scalar(
                "SELECT count(*) FROM sales_sale s WHERE s.status = 'posted' AND NOT EXISTS ("
                "SELECT 1 FROM inventory_stockmovement m WHERE m.source_type = 'sales.sale' "
                "AND m.source_id = s.id)"
            ),
            "posted_bill_lines_without_cost": scalar(
                "SELECT count(*) FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
                "WHERE s.status = 'posted' AND l.cost IS NULL"
            ),
            "movements_without_a_posted_bill": scalar(
                "SELECT count(*) FROM inventory_stockmovement m WHERE m.source_type = 'sales.sale' "
                "AND NOT EXISTS (SELECT 1 FROM sales_sale s WHERE s.id = m.source_id "
                "AND s.status = 'posted')"
            ),
            "bills_sold_units": scalar(
                "SELECT coalesce(sum(quantity), 0)::bigint FROM sales_saleline l JOIN sales_sale s "
                "ON s.id = l.sale_id WHERE s.status = 'posted'"
            ),
            "ledger_sold_units": scalar(
                "SELECT coalesce(-sum(quantity), 0)::bigint FROM inventory_stockmovement WHERE kind = 'sale'"
            ),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--impatient",
        type=int,
        default=2,
        help="clients that stop waiting after 1.5 s and retry (their first try may still commit)",
    )
    parser.add_argument("--kill-at", type=float, default=0.25, help="fraction of the run: SIGKILL a worker")
    parser.add_argument(
        "--restart-at", type=float, default=0.55, help="fraction of the run: restart PostgreSQL"
    )
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    pg = Postgres()
    server = None
    try:
        pg.start()
        pg.create_database()
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": pg.url,
            "SECRET_KEY": "load-faults-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "APPROVAL_THRESHOLD": "100000000",
            "PAYMENT_APPROVAL_THRESHOLD": "100000000",
            "RUN_APPROVAL_THRESHOLD": "100000000",
            "RUN_COST_RATIO_LIMIT": "0",  # off: the load is not about approvals
            "COUNT_APPROVAL_THRESHOLD": "100000000",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_ACCESS_LOG": str(OUT / "load_faults.access.log"),
            "LOG_LEVEL": "WARNING",
            "WHITENOISE_USE_FINDERS": "1",
        }
        print(f"PostgreSQL on 127.0.0.1:{pg.port}; migrating and seeding …", flush=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=PROJECT, env=env, check=True)
        seeded = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        customer, bottle = map(int, seeded.stdout.split()[-2:])

        log = open(OUT / "load_faults.server.log", "w")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, 60)
        print(f"gunicorn {server.pid} with {args.workers} workers at {base}", flush=True)

        # Tokens first (a bcrypt check each), so the clock measures bills and payments only.
        tokens = []
        for n in range(USERS):
            login = requests.post(
                base + "/api/v1/auth/token/",
                json={"username": f"loader{n}", "password": PASSWORD},
                timeout=60,
            )
            login.raise_for_status()
            tokens.append(login.json()["access"])

        tally = Tally()
        start = time.monotonic()
        stop_at = start + args.seconds
        ids = {"customer": customer, "bottle": bottle}
        clients = [
            Client(
                i,
                base,
                tokens[i % USERS],
                stop_at,
                stop_at + 60,
                ids,
                tally,
                1.5 if i < args.impatient else 30.0,
            )
            for i in range(args.clients)
        ]
        for client in clients:
            client.start()

        faults: dict[str, float] = {}
        time.sleep(max(0.0, start + args.seconds * args.kill_at - time.monotonic()))
        victim = random.choice(gunicorn_workers(server.pid))
        os.kill(victim, signal.SIGKILL)
        faults["worker_killed"] = time.monotonic()
        print(f"t={faults['worker_killed'] - start:5.1f}s  SIGKILL gunicorn worker {victim}", flush=True)

        time.sleep(max(0.0, start + args.seconds * args.restart_at - time.monotonic()))
        faults["postgres_down"] = time.monotonic()
        pg.stop("immediate")
        pg.start()
        faults["postgres_up"] = time.monotonic()
        print(
            f"t={faults['postgres_down'] - start:5.1f}s  PostgreSQL crashed (immediate stop) and restarted "
            f"in {faults['postgres_up'] - faults['postgres_down']:.1f} s",
            flush=True,
        )

        for client in clients:
            client.join()
        finished = time.monotonic()

        # Recovery: the service came back by itself — no manual step was taken.
        workers_after = gunicorn_workers(server.pid)
        ready_after = requests.get(base + "/readyz", timeout=10).status_code
        last_fault = faults["postgres_up"]
        confirmed_after_faults = sum(1 for t in tally.confirmed_at if t > last_fault)
        first_after_restart = min((t for t in tally.confirmed_at if t > faults["postgres_up"]), default=None)

        checks = check_database(pg.url, tally)
        verify = subprocess.run(
            [PYTHON, "manage.py", "verify_ledger"], cwd=PROJECT, env=env, capture_output=True, text=True
        )

        def in_window(t: float, begin: float, seconds: float) -> bool:
            return begin <= t <= begin + seconds

        fault_errors = [(t, kind) for t, kind in tally.errors if "impatient" not in kind]
        kill_errors = sum(1 for t, _ in fault_errors if in_window(t, faults["worker_killed"], 10))
        restart_errors = sum(
            1
            for t, _ in fault_errors
            if in_window(t, faults["postgres_down"], faults["postgres_up"] - faults["postgres_down"] + 10)
        )
        kinds: dict[str, int] = {}
        for _, kind in tally.errors:
            kinds[kind] = kinds.get(kind, 0) + 1
        latencies = sorted(tally.latencies)
        elapsed = finished - start
        report = {
            "seconds": args.seconds,
            "clients": args.clients,
            "impatient_clients": args.impatient,
            "gunicorn_workers": args.workers,
            "elapsed_s": round(elapsed, 1),
            "bills_confirmed": len(tally.bills),
            "payments_confirmed": len(tally.payments),
            "confirmed_per_s": round((len(tally.bills) + len(tally.payments)) / elapsed, 1),
            "latency_p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
            "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000) if latencies else None,
            "retried_errors_total": len(tally.errors),
            "retried_fault_errors": len(fault_errors),
            "errors_by_kind": kinds,
            "errors_within_10s_of_worker_kill": kill_errors,
            "errors_during_postgres_restart_and_10s_after": restart_errors,
            "idempotent_replays": tally.replays,
            "refused_4xx": len(tally.refused),
            "refused_samples": [f"{code} {body}" for _, code, body in tally.refused[:3]],
            "gave_up": len(tally.gave_up),
            "postgres_restart_s": round(faults["postgres_up"] - faults["postgres_down"], 2),
            "first_confirmation_after_restart_s": (
                round(first_after_restart - faults["postgres_up"], 2) if first_after_restart else None
            ),
            "confirmed_after_last_fault": confirmed_after_faults,
            "workers_after": len(workers_after),
            "readyz_after": ready_after,
            "verify_ledger": verify.returncode == 0,
            "verify_ledger_output": (verify.stdout + verify.stderr).strip()[-500:],
            **{k: (len(v) if isinstance(v, list) else v) for k, v in checks.items()},
        }
        failures = [
            name
            for name, ok in {
                "every confirmed bill exists exactly once with its number": not (
                    checks["confirmed_bills_missing"]
                    or checks["confirmed_bills_duplicated"]
                    or checks["confirmed_bill_numbers_wrong"]
                ),
                "no bill was created twice": checks["bills_made_twice_by_any_key"] == 0,
                "every confirmed payment exists exactly once": not (
                    checks["confirmed_payments_missing"]
                    or checks["confirmed_payments_duplicated"]
                    or checks["confirmed_payment_numbers_wrong"]
                ),
                "no half-posted bill": checks["bills_not_posted"] == 0
                and checks["posted_bills_without_movements"] == 0
                and checks["posted_bill_lines_without_cost"] == 0
                and checks["movements_without_a_posted_bill"] == 0
                and checks["bills_sold_units"] == checks["ledger_sold_units"],
                "verify_ledger passes": verify.returncode == 0,
                "recovered by itself": confirmed_after_faults > 0
                and ready_after == 200
                and len(workers_after) == args.workers,
                "no client gave up": not tally.gave_up,
            }.items()
            if not ok
        ]
        report["failed_checks"] = failures
        (OUT / "load_faults.json").write_text(json.dumps(report, indent=2, default=str))
        print(json.dumps(report, indent=2, default=str))
        print("FAILED: " + "; ".join(failures) if failures else "All checks passed: nothing lost or doubled.")
        return 1 if failures else 0
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.destroy()


if __name__ == "__main__":
    sys.exit(main())
