"""The web pages at volume: seed a plant on a throwaway PostgreSQL and time the busiest pages.

    .venv/bin/python bench/bench_pages.py --days 60 --scale 0.05     # a quick look
    .venv/bin/python bench/bench_pages.py --days 365 --scale 0.2

For each page: the median server time of --runs requests as the test client sees it (queries and
rendering) and the number of SQL queries, which must not grow with the data (no N+1). Also times
entering a three-line bill through the form (Save and submit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import environment, machine  # noqa: E402


def _timed(action, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action()  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        action()
    return statistics.median(samples), len(queries)


def run(args) -> None:
    from django.core.management import call_command
    from django.test import Client

    from accounts.roles import Role
    from accounts.services import create_user
    from inventory.models import Item, StockBalance, StockMovement
    from sales.models import Customer, Sale, SaleLine

    print(f"machine: {machine()}")
    call_command("migrate", verbosity=0)
    manager = create_user(username="bench_manager", role=Role.MANAGER, password="bench-manager-password-1")
    staff = create_user(username="bench_staff", role=Role.STAFF, password="bench-staff-password-1")
    create_user(username="bench_owner", role=Role.OWNER, password="bench-owner-password-1")
    started = time.perf_counter()
    call_command("seed_demo", days=args.days, scale=args.scale, no_verify=True)
    print(
        f"seed_demo --days {args.days} --scale {args.scale}: {Sale.objects.count():,} bills, "
        f"{SaleLine.objects.count():,} bill lines, {StockMovement.objects.count():,} movements "
        f"in {time.perf_counter() - started:.0f} s"
    )
    busiest = (
        StockBalance.objects.order_by("-item__movements__id").values_list("item_id", flat=True).first()
        or Item.objects.first().pk
    )
    sale = Sale.objects.filter(status="posted").order_by("-id").first()
    client = Client()
    client.force_login(manager)
    pages = {
        "bill list": "/sales/bills/",
        "bill list, filtered by item": f"/sales/bills/?item={busiest}",
        "bill detail": f"/sales/bills/{sale.pk}/",
        "printable bill": f"/sales/bills/{sale.pk}/print/",
        "new bill form": "/sales/bills/new/",
        "purchase list": "/purchasing/purchases/",
        "run list": "/production/runs/",
        "payment list": "/sales/payments/",
        "stock list": "/inventory/stock/",
        "stock of the busiest item": f"/inventory/stock/{busiest}/",
        "approvals": "/inventory/approvals/",
        "customers": "/sales/customers/",
        "audit trail": "/accounts/audit/",
        "audit trail, one model": "/accounts/audit/?model=sales.sale",
    }
    print("\n| page | median ms | queries |\n|---|---:|---:|")
    for name, url in pages.items():

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        ms, queries = _timed(get, args.runs)
        print(f"| {name} | {ms:.0f} | {queries} |")

    stocked = list(StockBalance.objects.filter(quantity__gte=100).values_list("item_id", flat=True)[:3])
    customer = Customer.objects.filter(is_active=True).first()
    entry = Client()
    entry.force_login(staff)

    def post_bill():
        data = {
            "request_key": str(uuid.uuid4()),
            "customer": customer.pk,
            "date": sale.date.isoformat(),
            "notes": "",
            "lines-TOTAL_FORMS": str(len(stocked)),
            "lines-INITIAL_FORMS": "0",
            "submit": "1",
        }
        for i, item_id in enumerate(stocked):
            data |= {f"lines-{i}-item": item_id, f"lines-{i}-quantity": "1", f"lines-{i}-unit_price": "1.00"}
        response = entry.post("/sales/bills/new/", data)
        assert response.status_code == 302, response.status_code

    ms, queries = _timed(post_bill, args.runs)
    print(f"| enter a {len(stocked)}-line bill (Save and submit) | {ms:.0f} | {queries} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from testing.postgres import start_postgres

    url, stop = start_postgres()
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE bottleworks")
        environment(url)
        os.environ["DEBUG"] = "0"
        import django

        django.setup()
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        stop()


if __name__ == "__main__":
    main()
