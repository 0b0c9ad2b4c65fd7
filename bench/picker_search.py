"""The pickers' search endpoints at 10,000 customers and 2,000 items, in-process (issue 14).

    .venv/bin/python bench/picker_search.py                  # throwaway PostgreSQL
    .venv/bin/python bench/picker_search.py --runs 400

Seeds 10,000 customers (name, town, phone) and 2,000 items with a price list, then sends a mix of
what clerks type — a town, a middle word of a name, a few phone digits, two letters, a word that
finds nothing — through the test client as a signed-in Staff user, and prints p50 and p95 per
endpoint (server time: URL routing, authentication, the query, JSON). Target: p95 < 50 ms.
Also prints PostgreSQL's plan for one customer search, to show the trigram index is used.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import machine, with_database  # noqa: E402

TOWNS = [
    "Sangli",
    "Nashik",
    "Kolhapur",
    "Satara",
    "Pune",
    "Solapur",
    "Karad",
    "Miraj",
    "Ichalkaranji",
    "Baramati",
    "Ahmednagar",
    "Aurangabad",
    "Latur",
    "Nanded",
    "Jalgaon",
    "Dhule",
    "Ratnagiri",
    "Chiplun",
    "Wai",
    "Phaltan",
]
FIRST = [
    "Shah",
    "Patil",
    "Jadhav",
    "Kulkarni",
    "Deshmukh",
    "Pawar",
    "Shinde",
    "Joshi",
    "More",
    "Gaikwad",
    "Kale",
    "Mane",
    "Bhosale",
    "Chavan",
    "Salunkhe",
    "Nikam",
    "Thorat",
    "Mohite",
    "Kadam",
    "Sawant",
]
TRADE = [
    "Agencies",
    "Traders",
    "Water Supply",
    "Stores",
    "Distributors",
    "Enterprises",
    "Aqua",
    "Mart",
    "Beverages",
    "& Sons",
    "Brothers",
    "Suppliers",
]
QUERIES = {
    "customers": ["sangli", "patil", "water supply", "262", "sa", "agencies nashik", "mohite karad", "zzqx"],
    "bill-items": ["500", "bottle 500", "btl-1", "jar", "litre", "cap", "zzqx", "20"],
}


def seed(n_customers: int, n_items: int):
    from django.db import connection

    from accounts.roles import Role
    from accounts.services import create_user
    from inventory.models import Item, ItemKind, StockBalance
    from sales.models import Customer, PriceList, PriceListEntry

    rng = random.Random(14)
    staff = create_user(username="bench_staff", role=Role.STAFF, password="bench-staff-password-1")
    kinds = [ItemKind.BOTTLE, ItemKind.BOTTLE, ItemKind.PREFORM, ItemKind.CAP, ItemKind.LABEL, ItemKind.OTHER]
    items = []
    for i in range(n_items):
        kind = kinds[i % len(kinds)]
        size = rng.choice([200, 250, 300, 500, 750, 1000, 1500, 2000, 5000, 20000])
        name = {
            ItemKind.BOTTLE: f"{rng.choice(['Bottle', 'Mini bottle', 'Water jar'])} {size} ml",
            ItemKind.PREFORM: f"Preform {size} ml, {rng.randint(9, 60)} g",
            ItemKind.CAP: f"Cap {rng.choice([26, 28, 38, 55])} mm {rng.choice(['blue', 'white', 'red'])}",
            ItemKind.LABEL: f"Label {size} ml {rng.choice(FIRST)}",
            ItemKind.OTHER: f"Shrink film {rng.randint(100, 900)} mm",
        }[kind]
        items.append(
            Item(
                sku=f"{kind[:3].upper()}-{size}-{i:04d}",
                name=name,
                kind=kind,
                default_price=Decimal(rng.randint(100, 5000)) / 100,
            )
        )
    Item.objects.bulk_create(items, batch_size=1000)
    items = list(Item.objects.all())
    StockBalance.objects.bulk_create(
        [StockBalance(item=item, quantity=rng.randint(0, 50_000)) for item in items], batch_size=1000
    )
    dealers = PriceList.objects.create(name="Distributors")
    PriceListEntry.objects.bulk_create(
        [
            PriceListEntry(
                price_list=dealers,
                item=item,
                price=item.default_price * Decimal("0.9"),
                valid_from=date(2026, 1, 1),
            )
            for item in items
            if item.is_sold
        ],
        batch_size=1000,
    )
    customers = [
        Customer(
            name=f"{rng.choice(FIRST)} {rng.choice(TRADE)} {i}",
            address=f"{rng.randint(1, 400)}, {rng.choice(['Market Yard', 'Station Road', 'MIDC', 'Peth'])}, "
            f"{rng.choice(TOWNS)}",
            phone=f"0{rng.randint(200, 299)} {rng.randint(200, 299)} {rng.randint(1000, 9999)}",
            price_list=dealers if i % 3 == 0 else None,
        )
        for i in range(n_customers)
    ]
    Customer.objects.bulk_create(customers, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert Customer.objects.filter(search_text="").count() == 0, "bulk_create left search text empty"
    return staff, Customer.objects.filter(price_list=dealers).first()


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure(args):
    def run(url):
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        print(f"machine: {machine()}")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        staff, dealer = seed(args.customers, args.items)
        took = time.perf_counter() - started
        print(f"seeded {args.customers:,} customers and {args.items:,} items in {took:.1f} s")
        client = Client()
        client.force_login(staff)
        # Wall time includes waiting for a CPU on a shared machine; the CPU time of this process
        # (Django, the driver) says what an idle core would spend outside the database.
        header = f"{'endpoint':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p95':>8}"
        print(f"{header}  rows (first query)")
        for endpoint, words in QUERIES.items():
            extra = f"&customer={dealer.pk}" if endpoint == "bill-items" else ""
            for word in words:  # warm
                assert client.get(f"/api/v1/search/{endpoint}/?q={word}{extra}").status_code == 200
            samples, cpu = [], []
            for i in range(args.runs):
                word = words[i % len(words)]
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(f"/api/v1/search/{endpoint}/?q={word}{extra}")
                samples.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200
            first = len(client.get(f"/api/v1/search/{endpoint}/?q={words[0]}{extra}").json()["results"])
            print(
                f"{endpoint:<12} {len(samples):>8} {statistics.median(samples):>8.1f} "
                f"{percentile(samples, 0.95):>8.1f} {max(samples):>8.1f} "
                f"{percentile(cpu, 0.95):>8.1f}  {first}"
            )
        if connection.vendor == "postgresql":
            from inventory.search_text import matching
            from sales.models import Customer

            found = matching(Customer.objects.filter(is_active=True), "sangli").order_by("name")[:10]
            sql, params = found.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
            print("plan for customers 'sangli' (EXPLAIN ANALYZE):")
            for line in plan:
                print("   ", line)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=400, help="requests per endpoint")
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL running")
    args = parser.parse_args()
    with_database(args, measure(args))


if __name__ == "__main__":
    main()
