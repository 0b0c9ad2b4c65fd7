"""Reports at one million bill lines and more: build them on a throwaway PostgreSQL, time every report.

    .venv/bin/python bench/bench_reports.py                 # 365 days at --scale 1.0 ≈ 1M lines
    .venv/bin/python bench/bench_reports.py --scale 5.0     # ≈ 5M lines
    .venv/bin/python bench/bench_reports.py --scale 0.05    # a quick look

Starts its own PostgreSQL (testing.postgres), migrates, seeds with ``seed_demo``, then times each
report page for the last full year and the last month (median of --runs requests, server time as the
test client sees it: queries and rendering) next to a plain SUM … GROUP BY month over the raw bill
lines, times the dashboard, the list pages (p95 of the first page and of a page deep in the list,
next to the OFFSET query the old pages ran at that depth) and an item's stock page, and measures
the memory of a worker streaming bill lines as CSV (its resident memory for a year, and Python's
tracemalloc peak for a month and for a year: flat if it streams). Prints Markdown for
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RAW_SQL = """
SELECT date_trunc('month', s.date) AS month, SUM(l.amount), SUM(l.cost)
FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id
WHERE s.status = 'posted' AND s.date BETWEEN %s AND %s
GROUP BY 1 ORDER BY 1
"""


def environment(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DEBUG="0",
        HTTPS="0",
        WHITENOISE_USE_FINDERS="1",
        CONN_MAX_AGE="600",
        ALLOWED_HOSTS="testserver,localhost",
        LOG_LEVEL="WARNING",
    )


def median_ms(action, runs: int) -> float:
    action()  # warm: the first request pays for imports and plan caching
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _p95_ms(action, runs: int) -> float:
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}, load {load:.1f}"


def _csv_memory(url: str, start, end, month_start) -> str:
    """Stream a year of bill lines as CSV in a fresh worker process; report its memory."""
    code = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
import django
django.setup()
from django.test import Client
from accounts.models import User

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

client = Client()
client.force_login(User.objects.get(username="bench_owner"))
client.get("/")  # load the app before measuring
before = rss()
started = time.perf_counter()
response = client.get("/reports/bill-lines.csv", {{"start": "{start}", "end": "{end}"}})
peak, size, rows = before, 0, 0
for i, chunk in enumerate(response.streaming_content):
    size += len(chunk)
    rows += chunk.count(b"\\n")
    if i % 20 == 0:
        peak = max(peak, rss())
peak = max(peak, rss())
print(f"{{rows - 1:,}} lines, {{size / 1e6:.0f}} MB of CSV in {{time.perf_counter() - started:.1f}} s; "
      f"worker memory {{before:.0f}} MiB before, peak {{peak:.0f}} MiB (+{{peak - before:.0f}} MiB)")

import tracemalloc
for label, start in (("month", "{month_start}"), ("year", "{start}")):
    tracemalloc.start()
    response = client.get("/reports/bill-lines.csv", {{"start": start, "end": "{end}"}})
    rows = sum(chunk.count(b"\\n") for chunk in response.streaming_content) - 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"tracemalloc peak streaming a {{label}} ({{rows:,}} lines): {{peak / 2**20:.1f}} MiB")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    if result.returncode:
        return "failed: " + result.stderr.strip().splitlines()[-1]
    return result.stdout.strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every report bench takes: the size of the demo year, the runs, the database."""
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="time an already seeded database instead of building one")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL running (prints its URL)")
    parser.add_argument(
        "--reports",
        help="time only these reports (comma-separated names, e.g. outward-supplies,tax-payable) and "
        "the raw year, skipping the dashboard, CSV and list pages: for old/new turns",
    )


def with_database(args, measure) -> None:
    """Run ``measure(url)`` with Django set up on ``--database-url`` or on a throwaway PostgreSQL
    (left running with ``--keep``)."""
    from testing.postgres import start_cluster

    if args.database_url:
        url, stop = args.database_url, lambda: None
    else:
        cluster = start_cluster(create_database=True)
        url, stop = cluster.url, cluster.stop
    try:
        environment(url)
        import django

        django.setup()
        measure(url)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"PostgreSQL left running: --database-url {url}")
        else:
            stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    with_database(args, lambda url: run(args, url))


def run(args, url: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import create_user
    from reporting.catalogue import REPORTS
    from sales.models import SaleLine

    print(f"machine: {machine()}")
    if args.database_url and SaleLine.objects.exists():
        owner = User.objects.get(username="bench_owner")
        if not User.objects.filter(username="bench_staff").exists():  # a database bench_money seeded
            create_user(username="bench_staff", role=Role.STAFF, password="bench-staff-password-1")
        print(f"timing the seeded database: {SaleLine.objects.count():,} bill lines")
    else:
        call_command("migrate", verbosity=0)
        owner = create_user(username="bench_owner", role=Role.OWNER, password="bench-owner-password-1")
        create_user(username="bench_staff", role=Role.STAFF, password="bench-staff-password-1")
        started = time.perf_counter()
        call_command("seed_demo", days=args.days, scale=args.scale, no_verify=True)
        seeded = time.perf_counter() - started
        lines = SaleLine.objects.count()
        print(f"seed_demo --days {args.days} --scale {args.scale}: {lines:,} bill lines in {seeded:.0f} s")
        started = time.perf_counter()
        from inventory.verification import verify_ledger
        from reporting.summaries import differences

        problems = verify_ledger() + differences()
        print(
            f"verify_ledger + summary check: {len(problems)} problems ({time.perf_counter() - started:.0f} s)"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    today = timezone.localdate()
    year = (today - timedelta(days=364), today)
    month = (today - timedelta(days=29), today)

    def raw(period):
        def query():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, list(period))
                cursor.fetchall()

        return query

    raw_year = median_ms(raw(year), args.runs)
    raw_month = median_ms(raw(month), args.runs)
    print(f"raw SUM … GROUP BY month over bill lines: year {raw_year:.1f} ms, month {raw_month:.1f} ms")

    client = Client()
    client.force_login(owner)
    rows = []
    only = set(args.reports.split(",")) if args.reports else None
    for name in REPORTS:
        if only is not None and name not in only:
            continue
        times = []
        for start, end in (year, month):

            def page(start=start, end=end, name=name):
                response = client.get(f"/reports/{name}/", {"start": start, "end": end})
                assert response.status_code == 200, (name, response.status_code)

            times.append(median_ms(page, args.runs))
        rows.append((name, times[0], times[1], times[0] / raw_year))
    if only is not None:
        print(f"load {os.getloadavg()[0]:.1f}")
        for name, y, m, ratio in rows:
            print(f"| {name} | {y:.1f} | {m:.1f} | {ratio:.3f} |")
        print(f"| raw SUM … GROUP BY month | {raw_year:.1f} | {raw_month:.1f} | 1.000 |")
        return
    staff = Client()
    staff.force_login(User.objects.get(username="bench_staff"))
    dashboard_owner = median_ms(lambda: client.get("/"), args.runs * 4)
    dashboard_staff = median_ms(lambda: staff.get("/"), args.runs * 4)
    memory = _csv_memory(url, *year, month[0])
    lists = _list_pages(client, args.runs * 4)

    print()
    print(f"| report | year (ms) | month (ms) | year ÷ raw year ({raw_year:.0f} ms) |")
    print("|---|---:|---:|---:|")
    for name, y, m, ratio in rows:
        print(f"| {name} | {y:.1f} | {m:.1f} | {ratio:.3f} |")
    print(f"| raw SUM … GROUP BY month | {raw_year:.1f} | {raw_month:.1f} | 1.000 |")
    print()
    print(f"dashboard: {dashboard_owner:.1f} ms (Owner), {dashboard_staff:.1f} ms (Staff), median")
    print("CSV export of bill lines:")
    for line in memory.splitlines():
        print(f"- {line}")
    print()
    print("| list page (p95 ms) | rows | first page | deep page | depth | OFFSET query at that depth |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows, first, deep, depth, offset in lists:
        print(f"| {name} | {rows:,} | {first:.1f} | {deep:.1f} | {depth:,} | {offset:.1f} |")


def _list_pages(client, runs: int) -> list[tuple]:
    """p95 of each list's first page and of a page 9/10 of the way down (reached by its keyset
    link), and the OFFSET query the pages ran before at that depth."""
    from django.db import connection
    from django.db.models import Count, Sum

    from core import keyset
    from inventory.models import StockMovement
    from production.models import ProductionRun
    from purchasing.models import Purchase
    from sales.models import Payment, Sale

    results = []
    for name, model, salt, url in (
        ("bills", Sale, "bill", "/sales/bills/"),
        ("payments", Payment, "payment", "/sales/payments/"),
        ("purchases", Purchase, "purchase", "/purchasing/purchases/"),
        ("production runs", ProductionRun, "run", "/production/runs/"),
    ):
        rows = model.objects.count()
        depth = rows * 9 // 10
        edge = model.objects.order_by("-date", "-id").values_list("date", "id")[depth]
        cursor_value = keyset.sign(salt, list(edge))
        first = _p95_ms(lambda url=url: client.get(url), runs)
        deep = _p95_ms(lambda url=url, c=cursor_value: client.get(url, {"older": c}), runs)
        table = model._meta.db_table

        def offset(table=table, depth=depth):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT * FROM {table} ORDER BY date DESC, id DESC LIMIT 100 OFFSET %s", [depth]
                )
                cursor.fetchall()

        results.append((name, rows, first, deep, depth, _p95_ms(offset, runs)))

    counts = StockMovement.objects.values("item").annotate(n=Count("id")).order_by("-n")
    item_id, rows = counts.values_list("item", "n")[0]
    depth = rows * 9 // 10
    edge = StockMovement.objects.filter(item_id=item_id).order_by("-id").values_list("id", flat=True)[depth]
    older = StockMovement.objects.filter(item_id=item_id, id__lt=edge)
    before = older.aggregate(q=Sum("quantity"), v=Sum("value"))
    cursor_value = keyset.sign(f"stock-item:{item_id}", [edge, before["q"] or 0, str(before["v"] or 0)])
    url = f"/inventory/stock/{item_id}/"
    first = _p95_ms(lambda: client.get(url), runs)
    deep = _p95_ms(lambda: client.get(url, {"older": cursor_value}), runs)

    def old_window():
        # What the page ran before: a running sum over the item's whole ledger, then OFFSET.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT *, SUM(quantity) OVER (ORDER BY id), SUM(value) OVER (ORDER BY id) "
                "FROM inventory_stockmovement WHERE item_id = %s ORDER BY id DESC LIMIT 100 OFFSET %s",
                [item_id, depth],
            )
            cursor.fetchall()

    results.append(("stock page of the busiest item", rows, first, deep, depth, _p95_ms(old_window, runs)))
    return results


if __name__ == "__main__":
    main()
