"""What one API bill costs the application itself: Python CPU, PostgreSQL CPU, statements.

    .venv/bin/python bench/bill_cost.py [--bills 600] [--profile bench/out/bills.prof] [--durable]
        [--statements] [--bills-only]

One client and no HTTP server: Django's test client posts the same five-line bills as
bench/load_api.py (JWT, Idempotency-Key, ``submit: true``) to a throwaway PostgreSQL with the
production settings (persistent connection, server-side parameters, prepared statements;
``--durable`` also runs PostgreSQL with fsync and synchronous_commit on, as production does). Without
the contention of a load run, and counted in CPU time (this process's, and its PostgreSQL backend's
from /proc), the figures vary by a few per cent between runs on a shared machine where a load
run's vary by ten or more: this is the instrument for judging a change to the posting path.

It also times a bare request (``GET /api/v1/ping``) and a cached dashboard read in the same run, as
the yardsticks the load targets use. ``--profile`` writes a cProfile of the bills on the CPU clock
(read it with ``python -m pstats``); ``--statements`` prints the SQL of one bill, with its
parameters and bytes. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

import psycopg  # noqa: E402

from testing.postgres import start_postgres  # noqa: E402


def cpu_seconds(pid: int) -> float:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=600, help="bills to time (after 50 unmeasured)")
    parser.add_argument("--profile", help="write a CPU-clock cProfile of the bills to this file")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="run PostgreSQL as production does (fsync and synchronous_commit on); default: the "
        "throwaway test settings, where a commit does not wait for the disk",
    )
    parser.add_argument(
        "--statements", action="store_true", help="also print the SQL statements of one more bill"
    )
    parser.add_argument(
        "--bills-only",
        action="store_true",
        help="time the bills alone, without the ping and dashboard yardsticks (five times as many "
        "requests each): for alternating turns of two revisions on a busy machine",
    )
    args = parser.parse_args()

    url, stop = start_postgres(durable=args.durable)
    try:
        with psycopg.connect(url.replace("/bottleworks", "/postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE bottleworks")
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "SECRET_KEY": "bill-cost-" + uuid.uuid4().hex + uuid.uuid4().hex,
                "DATABASE_URL": url,
                "CONN_MAX_AGE": "600",
                "DEBUG": "0",
                "HTTPS": "0",
                "ALLOWED_HOSTS": "testserver",
                "APPROVAL_THRESHOLD": "100000000",
                "PAYMENT_APPROVAL_THRESHOLD": "100000000",
                "RUN_APPROVAL_THRESHOLD": "100000000",
                "RUN_COST_RATIO_LIMIT": "0",  # off: the load is not about approvals
                "COUNT_APPROVAL_THRESHOLD": "100000000",
                "LOG_LEVEL": "ERROR",
                "WHITENOISE_USE_FINDERS": "1",
            }
        )
        run(args)
    finally:
        stop()


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import load_api
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    seeded: dict = {}
    exec(load_api.SEED.replace("print(customer.pk", "found = (customer.pk"), seeded)
    customer, *items = seeded["found"]

    client = Client()

    def token(username: str) -> str:
        body = json.dumps({"username": username, "password": load_api.PASSWORD})
        return client.post("/api/v1/auth/token/", body, content_type="application/json").json()["access"]

    staff, manager = f"Bearer {token('clerk0')}", f"Bearer {token('boss')}"

    def bill(n: int) -> None:
        lines = [
            {"item": item, "quantity": 1 + (n + k) % 7, "unit_price": "5.00"} for k, item in enumerate(items)
        ]
        response = client.post(
            "/api/v1/sales/",
            json.dumps({"customer": customer, "submit": True, "lines": lines}),
            content_type="application/json",
            HTTP_AUTHORIZATION=staff,
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 201, response.content

    def ping(_n: int) -> None:
        assert client.get("/api/v1/ping").status_code == 200

    def dashboard(_n: int) -> None:
        assert client.get("/api/v1/reports/dashboard/", HTTP_AUTHORIZATION=manager).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def measure(name: str, request, n: int) -> dict:
        nonlocal statements
        for i in range(50):  # unmeasured: the first requests build what later ones reuse
            request(i)
        statements = 0
        wall, cpu, pg = time.perf_counter(), time.process_time(), cpu_seconds(backend)
        with connection.execute_wrapper(count):
            for i in range(n):
                request(i)
        figures = {
            "wall_ms": (time.perf_counter() - wall) * 1000 / n,
            "python_cpu_ms": (time.process_time() - cpu) * 1000 / n,
            "postgres_cpu_ms": (cpu_seconds(backend) - pg) * 1000 / n,
            "statements": statements / n,
        }
        print(
            f"{name:>9}: {figures['wall_ms']:6.2f} ms wall, CPU {figures['python_cpu_ms']:6.2f} ms Python"
            f" + {figures['postgres_cpu_ms']:5.2f} ms PostgreSQL, {figures['statements']:4.1f} statements",
            flush=True,
        )
        return figures

    results = {"bills": measure("bill", bill, args.bills)}
    if not args.bills_only:
        results["ping"] = measure("ping", ping, args.bills * 5)
        results["dashboard"] = measure("dashboard", dashboard, args.bills * 5)
    if args.statements:
        shown: list[tuple[str, int]] = []

        def keep(execute, sql, params, many, context):
            shown.append((sql, len(params[0] if many and params else params or ())))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            bill(args.bills)
        print(f"statements of one bill ({len(shown)}):")
        # psycopg re-parses a statement of more than 50 parameters or 4096 bytes on every call.
        for number, (sql, params) in enumerate(shown, 1):
            print(f"{number:3}. [{params} parameters, {len(sql.encode())} bytes] {sql}")
    if args.profile:
        import cProfile

        profile = cProfile.Profile(time.process_time)
        profile.runcall(lambda: [bill(i) for i in range(args.bills)])
        profile.dump_stats(args.profile)
        print(f"profile of {args.bills} bills (CPU clock): {args.profile}")
    out = PROJECT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bill_cost.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
