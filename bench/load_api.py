"""API load: five-line bills, a bare JSON endpoint and the dashboard, through a real gunicorn.

    .venv/bin/python bench/load_api.py [--seconds 30] [--clients 16] [--workers 8] [--durable]

Starts a throwaway PostgreSQL (testing/postgres.py; ``--durable``: with production's fsync and
synchronous_commit, so each commit waits for the disk), migrates, seeds a small plant with plenty of
stock, and starts gunicorn (config/gunicorn.py) on a free loopback port with persistent database
connections. Then, after ``--warmup`` unmeasured seconds of each (a worker's first requests import
and build what later ones reuse), ``--clients`` threads with JWT run three phases, bounded in time
and taking ``--rounds`` interleaved turns (so a drift in the shared machine's speed weighs on each
phase alike):

1. post five-line bills (``POST /api/v1/sales/`` with ``submit: true``, each with its own
   Idempotency-Key),
2. read the bare JSON endpoint ``GET /api/v1/ping``,
3. read the dashboard ``GET /api/v1/reports/dashboard/`` (as a Manager).

It prints requests/s, p50/p95/p99 latency and the CPU time a request costs in gunicorn, PostgreSQL
and this client per phase, the ratios, runs ``manage.py verify_ledger``
and checks every confirmed bill in the database (posted, five lines with their costs, movements
matching the lines). The figures go to bench/out/load_api.json. Exit code 1 if a target or a check
fails. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from testing.postgres import free_port, start_postgres  # noqa: E402

PYTHON = str(PROJECT / ".venv" / "bin" / "python")
GUNICORN = str(PROJECT / ".venv" / "bin" / "gunicorn")
OUT = PROJECT / "bench" / "out"
PASSWORD = "load-api-password-31415"
USERS = 4
ITEMS = 5

SEED = f"""
from decimal import Decimal
from accounts.models import User
from accounts.roles import Role, set_role, sync_role_groups
from inventory.models import Item, ItemKind
from purchasing.models import Supplier
from purchasing.services import PurchaseLineInput, create_purchase
from sales.models import Customer
sync_role_groups()
for n in range({USERS}):
    user = User.objects.create_user(username=f"clerk{{n}}", password="{PASSWORD}")
    set_role(user, Role.STAFF)
boss = User.objects.create_user(username="boss", password="{PASSWORD}")
set_role(boss, Role.MANAGER)
items = [
    Item.objects.create(sku=f"BTL-{{n}}", name=f"Bottle {{n}}", kind=ItemKind.BOTTLE)
    for n in range({ITEMS})
]
supplier = Supplier.objects.create(name="Bench Supplier")
customer = Customer.objects.create(name="Bench Customer")
create_purchase(
    by=boss, supplier=supplier, submit=True,
    lines=[PurchaseLineInput(item=i, quantity=1_000_000, unit_price=Decimal("3.1")) for i in items],
)
print(customer.pk, *[i.pk for i in items])
"""


@dataclass
class Phase:
    name: str
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used, by process group
    lock: threading.Lock = field(default_factory=threading.Lock)
    confirmed: list[int] = field(default_factory=list)  # bill ids

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else 0.0

        return {
            "requests_ok": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "per_second": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else 0.0,
            "cpu_ms_per_request": {k: round(v * 1000 / max(self.ok, 1), 2) for k, v in self.cpu.items()},
        }


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command line, CPU seconds used) of every process."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # the process ended meanwhile
        fields = text[text.rindex(")") + 2 :].split()
        found[int(stat.parent.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU time used so far by each named process tree (e.g. gunicorn, PostgreSQL) and this client.

    Only the trees of this run count: other programs on the machine are left out.
    """
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    used = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            total += processes.get(pid, (0, "", 0.0))[2]
            todo += children.get(pid, [])
        used[name] = total
    times = os.times()
    used["client"] = times.user + times.system
    return used


def postmaster_pid(url: str) -> int:
    """The server's main process, from the first line of ``postmaster.pid`` in its data directory
    (the port may be set in postgresql.conf rather than on the command line)."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        (data,) = conn.execute("SHOW data_directory").fetchone()
    try:
        return int(Path(data, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError) as error:
        raise SystemExit(f"no PostgreSQL server found for {url}: {error}") from error


def run_phase(
    phase: Phase, port: int, clients: int, seconds: float, make_request, roots: dict[str, int]
) -> None:
    """``make_request(n)`` gives (method, path, body bytes or None, headers, expected status)."""
    stop_at = time.monotonic() + seconds
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        # http.client with one kept-alive connection: a cheap client leaves the cores to the server.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        n = 0
        while time.monotonic() < stop_at:
            method, path, body, headers, expected = make_request(index, n)
            n += 1
            started = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with phase.lock:
                    phase.errors[type(error).__name__] = phase.errors.get(type(error).__name__, 0) + 1
                continue
            elapsed = time.monotonic() - started
            with phase.lock:
                if response.status == expected:
                    phase.ok += 1
                    phase.latencies.append(elapsed)
                    if phase.name == "bills":
                        phase.confirmed.append(json.loads(data)["id"])
                else:
                    key = f"HTTP {response.status}"
                    phase.errors[key] = phase.errors.get(key, 0) + 1
                    if phase.errors[key] == 1:
                        print(f"  first {key}: {data[:300]!r}", flush=True)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu_before = time.monotonic(), cpu_seconds(roots)
    for thread in threads:
        thread.join()
    phase.seconds += time.monotonic() - started
    cpu_after = cpu_seconds(roots)
    for name, used in cpu_after.items():
        phase.cpu[name] = phase.cpu.get(name, 0.0) + used - cpu_before[name]


def wait_ready(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not become ready")


def login(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"login failed for {username}: {data}")
    return data["access"]


def check_bills(url: str, bill_ids: list[int]) -> list[str]:
    """Every confirmed bill: posted, five lines with a cost, and movements that match its lines."""
    problems = []
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        rows = conn.execute(
            """
            SELECT s.id, s.status, s.number,
                   (SELECT count(*) FROM sales_saleline l WHERE l.sale_id = s.id AND l.cost IS NOT NULL),
                   (SELECT coalesce(sum(l.quantity), 0) FROM sales_saleline l WHERE l.sale_id = s.id),
                   (SELECT coalesce(-sum(m.quantity), 0) FROM inventory_stockmovement m
                     WHERE m.source_type = 'sales.sale' AND m.source_id = s.id),
                   (SELECT coalesce(sum(l.cost), 0) FROM sales_saleline l WHERE l.sale_id = s.id),
                   (SELECT coalesce(-sum(m.value), 0) FROM inventory_stockmovement m
                     WHERE m.source_type = 'sales.sale' AND m.source_id = s.id)
            FROM sales_sale s WHERE s.id = ANY(%s)
            """,
            (bill_ids,),
        ).fetchall()
        total_sales = conn.execute("SELECT count(*) FROM sales_sale").fetchone()[0]
    if len(rows) != len(set(bill_ids)) or len(set(bill_ids)) != len(bill_ids):
        problems.append(f"{len(bill_ids)} bills confirmed, {len(rows)} distinct found")
    if total_sales != len(bill_ids):
        problems.append(f"{total_sales} bills in the database, {len(bill_ids)} confirmed")
    for sale_id, status, number, costed, units, moved, cost, moved_value in rows:
        if status != "posted" or not number or costed != ITEMS or units != moved or cost != moved_value:
            problems.append(f"bill {sale_id}: {status} {number} lines costed {costed} units {units}/{moved}")
    return problems[:20]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=8, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each phase")
    parser.add_argument("--rounds", type=int, default=3, help="turns the phases take, interleaved")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="run PostgreSQL as production does (fsync and synchronous_commit on); default: the "
        "throwaway test settings, where a commit does not wait for the disk",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    load_before = os.getloadavg()

    url, stop_postgres = start_postgres(durable=args.durable)
    server = None
    try:
        with psycopg.connect(
            url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
        ) as c:
            c.autocommit = True
            c.execute("CREATE DATABASE bottleworks")
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "CONN_MAX_AGE": "600",
            "SECRET_KEY": "load-api-" + uuid.uuid4().hex + uuid.uuid4().hex,
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
            "GUNICORN_THREADS": str(args.threads),
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "LOG_LEVEL": "ERROR",
            "WHITENOISE_USE_FINDERS": "1",
        }
        durability = "durable (fsync, synchronous_commit on)" if args.durable else "throwaway settings"
        print(f"PostgreSQL at {url}, {durability}; migrating and seeding …", flush=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=PROJECT, env=env, check=True)
        seeded = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        customer, *items = map(int, seeded.stdout.split()[-(ITEMS + 1) :])
        log = open(OUT / "load_api.server.log", "w")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=log,
        )
        wait_ready(port, 60)
        print(
            f"gunicorn {server.pid}: {args.workers} workers × {args.threads} threads on port {port}",
            flush=True,
        )
        roots = {"gunicorn": server.pid, "postgres": postmaster_pid(url)}
        staff_tokens = [login(port, f"clerk{n}") for n in range(USERS)]
        manager_token = login(port, "boss")

        def bill(index: int, n: int):
            body = {
                "customer": customer,
                "submit": True,
                "lines": [
                    {"item": item, "quantity": 1 + (index + n + k) % 7, "unit_price": "5.00"}
                    for k, item in enumerate(items)
                ],
            }
            headers = {
                "Authorization": f"Bearer {staff_tokens[index % USERS]}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            return "POST", "/api/v1/sales/", json.dumps(body), headers, 201

        def ping(index: int, n: int):
            return "GET", "/api/v1/ping", None, {}, 200

        manager_headers = {"Authorization": f"Bearer {manager_token}"}

        def dashboard(index: int, n: int):
            return "GET", "/api/v1/reports/dashboard/", None, manager_headers, 200

        makers = {"bills": bill, "ping": ping, "dashboard": dashboard}
        warm_bills: list[int] = []
        for name, make in makers.items():
            # Each worker's first requests import and build what later ones reuse: not measured.
            warm = Phase(name)
            run_phase(warm, port, args.clients, args.warmup, make, roots)
            warm_bills += warm.confirmed
        # The phases take turns in short slices, so a drift in the machine's speed (it is shared)
        # weighs on each alike and the ratios compare like with like.
        phases = {name: Phase(name) for name in makers}
        print(
            f"{args.clients} clients, {args.seconds:.0f} s a phase in {args.rounds} turns of "
            f"{args.seconds / args.rounds:.1f} s …",
            flush=True,
        )
        for _ in range(args.rounds):
            for name, make in makers.items():
                run_phase(phases[name], port, args.clients, args.seconds / args.rounds, make, roots)
        for name, phase in phases.items():
            s = phase.summary()
            print(
                f"{name:>9}: {s['per_second']:8.1f}/s  p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms"
                f"  p99 {s['p99_ms']} ms  ok {s['requests_ok']}  errors {s['errors'] or 0}",
                flush=True,
            )
            cpu = s["cpu_ms_per_request"]
            print(
                "           CPU ms a request: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items())
                + f" (total {sum(cpu.values()):.2f})",
                flush=True,
            )

        verify = subprocess.run(
            [PYTHON, "manage.py", "verify_ledger"], cwd=PROJECT, env=env, capture_output=True, text=True
        )
        problems = check_bills(url, warm_bills + phases["bills"].confirmed)
        summaries = {name: phase.summary() for name, phase in phases.items()}
        ping_rate = summaries["ping"]["per_second"] or 1
        result = {
            "command": " ".join([".venv/bin/python", "bench/load_api.py", *sys.argv[1:]]),
            "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "durable": args.durable,
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "phases": summaries,
            "dashboard_to_ping": round(summaries["dashboard"]["per_second"] / ping_rate, 3),
            "bills_to_ping": round(summaries["bills"]["per_second"] / ping_rate, 3),
            "verify_ledger": verify.returncode == 0,
            "verify_output": (verify.stdout + verify.stderr)[-500:],
            "bill_problems": problems,
        }
        (OUT / "load_api.json").write_text(json.dumps(result, indent=2))
        bills = summaries["bills"]
        targets = {
            "≥ 80 bills/s": bills["per_second"] >= 80,
            "bill p95 < 400 ms": bills["p95_ms"] < 400,
            "no errors": not any(s["errors"] for s in summaries.values()),
            "dashboard ≥ half the bare endpoint's rate": result["dashboard_to_ping"] >= 0.5,
            "verify_ledger passes": result["verify_ledger"],
            "every bill consistent": not problems,
        }
        print(f"dashboard/ping {result['dashboard_to_ping']}, bills/ping {result['bills_to_ping']}")
        for name, met in targets.items():
            print(f"  {'met ' if met else 'MISS'} {name}")
        if problems:
            print("\n".join(problems))
        return 0 if all(targets.values()) else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        stop_postgres()


if __name__ == "__main__":
    sys.exit(main())
