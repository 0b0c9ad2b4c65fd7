"""Ledger posting throughput: five-line bills through the services, against the database's ceiling.

    .venv/bin/python bench/bench_ledger.py                       # 600 bills, 4 worker processes
    .venv/bin/python bench/bench_ledger.py --bills 2000 --workers 8 --pgbench-seconds 20
    .venv/bin/python bench/bench_ledger.py --show-sql             # print one posting's SQL and stop
    .venv/bin/python bench/bench_ledger.py --durable              # PostgreSQL as production runs it

Starts its own throwaway PostgreSQL (testing.postgres), migrates it, stocks five items, then:

1. **service layer**: K worker processes (like K gunicorn workers) each post their share of N bills
   with ``sales.services.create_sale(submit=True)`` — five lines in a random item order, so the
   item-ordered locking is exercised — and time every bill. Prints bills/s and p50/p95 latency,
   then checks ``verify_ledger()`` and that the bill numbers are gapless.
2. **database ceiling**: ``pgbench`` with K clients runs a script holding the statements one
   posting sends (draft insert + its history, balances locked FOR UPDATE in item order, the number,
   movements, balances, line costs, the posted bill + history, the report summaries) on the same
   server, as fast as the server takes them. Prints its transactions/s and the ratio.

Bounded in time: the service phase stops at ``--max-seconds`` and pgbench runs ``--pgbench-seconds``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = 5
STOCK_PER_ITEM = 10_000_000


def _environment(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DEBUG="0",
        HTTPS="0",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        # The opening stock is one large purchase; the bills themselves stay far below any threshold.
        APPROVAL_THRESHOLD="1000000000000",
        PAYMENT_APPROVAL_THRESHOLD="1000000000000",
        RUN_APPROVAL_THRESHOLD="1000000000000",
        RUN_COST_RATIO_LIMIT="0",  # off: the bench is about posting, not approvals
        COUNT_APPROVAL_THRESHOLD="1000000000000",
    )


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def _seed() -> dict:
    from accounts.roles import Role
    from accounts.services import create_user
    from inventory.models import ItemKind
    from inventory.services import save_item
    from purchasing.services import PurchaseLineInput, create_purchase, save_supplier
    from sales.services import save_customer

    manager = create_user(username="bench_manager", role=Role.MANAGER, password="bench-manager-password-1")
    staff = create_user(username="bench_staff", role=Role.STAFF, password="bench-staff-password-1")
    items = [
        save_item(by=manager, sku=f"BTL-{n}", name=f"Bottle {n}", kind=ItemKind.BOTTLE) for n in range(ITEMS)
    ]
    supplier = save_supplier(by=manager, name="Bench Supplier")
    create_purchase(
        by=staff,
        supplier=supplier,
        lines=[PurchaseLineInput(item, STOCK_PER_ITEM, Decimal("3.1234")) for item in items],
        submit=True,
    )
    customer = save_customer(by=manager, name="Bench Customer")
    return {"staff": staff.pk, "items": [i.pk for i in items], "customer": customer.pk}


def _post_one_bill(staff, customer, items, rng: random.Random) -> float:
    from sales.services import SaleLineInput, create_sale

    chosen = items[:]
    rng.shuffle(chosen)
    lines = [SaleLineInput(item, rng.randint(1, 5), Decimal("5.50")) for item in chosen]
    started = time.perf_counter()
    create_sale(by=staff, customer=customer, lines=lines, submit=True)
    return time.perf_counter() - started


def _worker(seed: dict, bills: int, barrier, deadline: float, results, index: int) -> None:
    from django.db import connection

    from accounts.models import User
    from inventory.models import Item
    from sales.models import Customer

    connection.close()  # never share the parent's connection across fork
    staff = User.objects.get(pk=seed["staff"])
    customer = Customer.objects.get(pk=seed["customer"])
    items = list(Item.objects.filter(pk__in=seed["items"]))
    rng = random.Random(index)
    for _ in range(3):  # warm: imports, the connection, statement plans
        _post_one_bill(staff, customer, items, rng)
    barrier.wait()
    latencies = []
    for _ in range(bills):
        if time.monotonic() > deadline:
            break
        latencies.append(_post_one_bill(staff, customer, items, rng))
    results.put(latencies)
    connection.close()


def run_services(seed: dict, bills: int, workers: int, max_seconds: float) -> dict:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    deadline = time.monotonic() + max_seconds + 30  # the warm-up counts against it too
    share = [bills // workers + (1 if i < bills % workers else 0) for i in range(workers)]
    processes = [
        context.Process(target=_worker, args=(seed, share[i], barrier, deadline, results, i))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    latencies: list[float] = []
    for _ in processes:
        latencies += results.get()
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    latencies.sort()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "bills": len(latencies),
        "seconds": elapsed,
        "rate": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
    }


def capture_one_posting(seed: dict) -> list[str]:
    """The SQL statements one five-line bill sends, as the server received them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from inventory.models import Item
    from sales.models import Customer

    staff = User.objects.get(pk=seed["staff"])
    customer = Customer.objects.get(pk=seed["customer"])
    items = list(Item.objects.filter(pk__in=seed["items"]))
    _post_one_bill(staff, customer, items, random.Random(0))  # the first bill of a year creates its sequence
    with CaptureQueriesContext(connection) as captured:
        _post_one_bill(staff, customer, items, random.Random(1))
    return [q["sql"] for q in captured.captured_queries]


# pgbench: the same statements with the ids and values as variables. Lines are written as five-row
# statements, as the ORM's bulk inserts and CASE updates send them.
PGBENCH_SCRIPT = """
\\set q1 random(1, 5)
\\set q2 random(1, 5)
\\set q3 random(1, 5)
\\set q4 random(1, 5)
\\set q5 random(1, 5)
BEGIN;
INSERT INTO sales_sale (number, date, status, total, notes, request_key, created_by_id, created_at,
  submitted_at, decided_by_id, decided_at, rejection_reason, posted_at, cancelled_by_id, cancelled_at,
  cancel_reason, customer_id, cost, off_list_lines, place_of_supply, party_gstin, is_inter_state,
  taxable_total, tax_total, round_off, grand_total)
  VALUES (NULL, CURRENT_DATE, 'draft', 27.50, '', NULL, {staff}, now(), NULL, NULL, NULL, '', NULL, NULL,
  NULL, '', {customer}, NULL, 0, '', '', false, 27.50, 0, 0, 27.50) RETURNING id AS sale \\gset
INSERT INTO sales_historicalsale (id, number, date, status, total, notes, request_key, created_at,
  submitted_at, decided_at, rejection_reason, posted_at, cancelled_at, cancel_reason, cost, history_date,
  history_change_reason, history_type, cancelled_by_id, created_by_id, customer_id, decided_by_id,
  history_user_id, off_list_lines, place_of_supply, party_gstin, is_inter_state, taxable_total,
  tax_total, round_off, grand_total)
  SELECT id, number, date, status, total, notes, request_key, created_at, submitted_at, decided_at,
  rejection_reason, posted_at, cancelled_at, cancel_reason, cost, now(), NULL, '+', cancelled_by_id,
  created_by_id, customer_id, decided_by_id, {staff}, off_list_lines, place_of_supply, party_gstin,
  is_inter_state, taxable_total, tax_total, round_off, grand_total FROM sales_sale WHERE id = :sale;
INSERT INTO sales_saleline (sale_id, item_id, quantity, unit_price, discount, amount, unit_cost, cost,
  hsn_code, tax_rate, taxable_value, cgst_amount, sgst_amount, igst_amount, tax_amount, line_total)
  VALUES (:sale, {i0}, :q1, 5.50, 0, 5.50 * :q1, NULL, NULL, '', 0, 5.50 * :q1, 0, 0, 0, 0, 5.50 * :q1),
  (:sale, {i1}, :q2, 5.50, 0, 5.50 * :q2, NULL, NULL, '', 0, 5.50 * :q2, 0, 0, 0, 0, 5.50 * :q2),
  (:sale, {i2}, :q3, 5.50, 0, 5.50 * :q3, NULL, NULL, '', 0, 5.50 * :q3, 0, 0, 0, 0, 5.50 * :q3),
  (:sale, {i3}, :q4, 5.50, 0, 5.50 * :q4, NULL, NULL, '', 0, 5.50 * :q4, 0, 0, 0, 0, 5.50 * :q4),
  (:sale, {i4}, :q5, 5.50, 0, 5.50 * :q5, NULL, NULL, '', 0, 5.50 * :q5, 0, 0, 0, 0, 5.50 * :q5);
INSERT INTO sales_historicalsaleline (id, quantity, unit_price, discount, amount, unit_cost, cost, sale_id,
  item_id, history_date, history_change_reason, history_type, history_user_id, hsn_code, tax_rate,
  taxable_value, cgst_amount, sgst_amount, igst_amount, tax_amount, line_total)
  SELECT id, quantity, unit_price, discount, amount, unit_cost, cost, sale_id, item_id, now(), NULL, '+',
  {staff}, hsn_code, tax_rate, taxable_value, cgst_amount, sgst_amount, igst_amount, tax_amount,
  line_total FROM sales_saleline WHERE sale_id = :sale;
SELECT pg_advisory_xact_lock_shared(73067800851044);
SELECT MAX(closed_through) FROM inventory_closedperiod
  WHERE closed_through >= CURRENT_DATE AND reopened_at IS NULL;
SELECT 1 FROM sales_customer WHERE credit_limit IS NULL AND id = {customer} LIMIT 1;
SELECT item_id, quantity, value FROM inventory_stockbalance WHERE item_id IN ({items})
  ORDER BY item_id FOR UPDATE;
UPDATE inventory_documentsequence SET last = last + 1 WHERE prefix = 'S' AND year = {year} RETURNING last;
INSERT INTO inventory_stockmovement (item_id, kind, quantity, value, unit_cost, date, source_type, source_id,
  source_number, reverses_id, posted_by_id, posted_at)
  VALUES
  ({i0}, 'sale', -:q1, -3.12 * :q1, 3.1234, CURRENT_DATE, 'sales.sale', :sale, 'S-x', NULL, {staff}, now()),
  ({i1}, 'sale', -:q2, -3.12 * :q2, 3.1234, CURRENT_DATE, 'sales.sale', :sale, 'S-x', NULL, {staff}, now()),
  ({i2}, 'sale', -:q3, -3.12 * :q3, 3.1234, CURRENT_DATE, 'sales.sale', :sale, 'S-x', NULL, {staff}, now()),
  ({i3}, 'sale', -:q4, -3.12 * :q4, 3.1234, CURRENT_DATE, 'sales.sale', :sale, 'S-x', NULL, {staff}, now()),
  ({i4}, 'sale', -:q5, -3.12 * :q5, 3.1234, CURRENT_DATE, 'sales.sale', :sale, 'S-x', NULL, {staff}, now())
  RETURNING id;
UPDATE inventory_stockbalance SET
  quantity = quantity - CASE item_id WHEN {i0} THEN :q1 WHEN {i1} THEN :q2 WHEN {i2} THEN :q3
    WHEN {i3} THEN :q4 ELSE :q5 END,
  value = value - 3.12 * CASE item_id WHEN {i0} THEN :q1 WHEN {i1} THEN :q2 WHEN {i2} THEN :q3
    WHEN {i3} THEN :q4 ELSE :q5 END
  WHERE item_id IN ({items});
UPDATE sales_saleline SET cost = 3.12 * quantity, unit_cost = 3.1234 WHERE sale_id = :sale;
INSERT INTO sales_historicalsaleline (id, quantity, unit_price, discount, amount, unit_cost, cost, sale_id,
  item_id, history_date, history_change_reason, history_type, history_user_id, hsn_code, tax_rate,
  taxable_value, cgst_amount, sgst_amount, igst_amount, tax_amount, line_total)
  SELECT id, quantity, unit_price, discount, amount, unit_cost, cost, sale_id, item_id, now(), NULL, '~',
  {staff}, hsn_code, tax_rate, taxable_value, cgst_amount, sgst_amount, igst_amount, tax_amount,
  line_total FROM sales_saleline WHERE sale_id = :sale;
UPDATE sales_sale SET number = 'S-' || :sale, status = 'posted', submitted_at = now(), posted_at = now(),
  total = 27.50, cost = 15.60 WHERE id = :sale;
INSERT INTO sales_historicalsale (id, number, date, status, total, notes, request_key, created_at,
  submitted_at, decided_at, rejection_reason, posted_at, cancelled_at, cancel_reason, cost, history_date,
  history_change_reason, history_type, cancelled_by_id, created_by_id, customer_id, decided_by_id,
  history_user_id, off_list_lines, place_of_supply, party_gstin, is_inter_state, taxable_total,
  tax_total, round_off, grand_total)
  SELECT id, number, date, status, total, notes, request_key, created_at, submitted_at, decided_at,
  rejection_reason, posted_at, cancelled_at, cancel_reason, cost, now(), NULL, '~', cancelled_by_id,
  created_by_id, customer_id, decided_by_id, {staff}, off_list_lines, place_of_supply, party_gstin,
  is_inter_state, taxable_total, tax_total, round_off, grand_total FROM sales_sale WHERE id = :sale;
{summaries}
COMMIT;
"""


def _summary_statements(captured: list[str], sale_id: int) -> str:
    """The report-summary upserts of the captured posting, pointed at pgbench's own bill."""
    # One bill's summaries are one WITH statement on PostgreSQL (reporting.summaries._sales_sql).
    upserts = [sql for sql in captured if sql.startswith(("INSERT INTO reporting_", "WITH x AS"))]
    return "\n".join(
        " ".join(sql.split()).replace(f"IN ({sale_id})", "IN (:sale)").replace(f"IN({sale_id})", "IN(:sale)")
        + ";"
        for sql in upserts
    )


def pgbench_script(seed: dict, captured: list[str]) -> str:
    from sales.models import Sale

    last_sale = Sale.objects.order_by("-pk").first()
    ids = seed["items"]
    return PGBENCH_SCRIPT.format(
        staff=seed["staff"],
        customer=seed["customer"],
        items=", ".join(str(i) for i in ids),
        year=last_sale.date.year,
        summaries=_summary_statements(captured, last_sale.pk),
        **{f"i{n}": ids[n] for n in range(ITEMS)},
    )


def run_pgbench(url: str, script: str, clients: int, seconds: int) -> dict:
    pgbench = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        result = subprocess.run(
            [
                pgbench,
                "-n",
                "-f",
                path,
                "-c",
                str(clients),
                "-j",
                str(clients),
                "-T",
                str(seconds),
                "-r",
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(path)
    if result.returncode:
        raise SystemExit(f"pgbench failed ({result.returncode}):\n{result.stderr.strip()}")
    tps = float(re.search(r"tps = ([\d.]+)", result.stdout).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    return {
        "rate": tps,
        "latency_ms": float(latency.group(1)) if latency else float("nan"),
        "failed": int(failed.group(1)) if failed else 0,
        "statements": sum(1 for line in script.splitlines() if re.search(r"(;|\\gset)\s*$", line)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bills", type=int, default=600, help="bills to post through the services")
    parser.add_argument(
        "--workers", type=int, default=4, help="concurrent worker processes / pgbench clients"
    )
    parser.add_argument("--max-seconds", type=float, default=60, help="stop posting bills after this long")
    parser.add_argument("--pgbench-seconds", type=int, default=10, help="each of the two pgbench runs")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one posting and stop")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="run PostgreSQL as production does (fsync and synchronous_commit on); default: the "
        "throwaway test settings, where a commit does not wait for the disk",
    )
    args = parser.parse_args()

    from testing.postgres import start_postgres

    url, stop = start_postgres(durable=args.durable)
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE bottleworks")
        _environment(url)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        seed = _seed()
        captured = capture_one_posting(seed)
        if args.show_sql:
            print(f"-- {len(captured)} statements for one five-line bill")
            print("\n".join(captured))
            return

        # pgbench runs before and after the services and the two are averaged: on a shared machine
        # the load drifts, and this keeps the ratio from favouring either side.
        script = pgbench_script(seed, captured)
        from django.db import connections

        connections.close_all()
        database_before = run_pgbench(url, script, args.workers, args.pgbench_seconds)
        services = run_services(seed, args.bills, args.workers, args.max_seconds)

        from inventory.verification import verify_ledger
        from sales.models import Sale

        problems = verify_ledger()
        # The services' bills (S/yy-yy/00001…), not pgbench's ("S-" and its row id).
        numbers = sorted(
            int(re.search(r"(\d+)$", n).group(1))
            for n in Sale.objects.exclude(number__startswith="S-").values_list("number", flat=True)
        )
        gapless = numbers == list(range(1, len(numbers) + 1))

        connections.close_all()
        database_after = run_pgbench(url, script, args.workers, args.pgbench_seconds)
        database = {
            **database_after,
            "rate": (database_before["rate"] + database_after["rate"]) / 2,
            "runs": (database_before["rate"], database_after["rate"]),
            "failed": database_before["failed"] + database_after["failed"],
        }
    finally:
        stop()

    ratio = services["rate"] / database["rate"]
    print(f"machine: {_machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"service layer: {services['bills']} five-line bills, {args.workers} worker processes, "
        f"{services['seconds']:.1f} s → {services['rate']:.1f} bills/s, "
        f"p50 {services['p50_ms']:.1f} ms, p95 {services['p95_ms']:.1f} ms; "
        f"{len(captured)} statements per bill"
    )
    verdict = "OK" if not problems else problems[:3]
    print(f"ledger after the run: verify_ledger {verdict}, numbers gapless: {gapless}")
    print(
        f"pgbench, same statements ({database['statements']} per transaction), {args.workers} clients, "
        f"2 × {args.pgbench_seconds} s (before/after: {database['runs'][0]:.1f} / {database['runs'][1]:.1f}) "
        f"→ {database['rate']:.1f} tx/s, {database['failed']} failed"
    )
    print(f"PostgreSQL: {'durable (fsync, synchronous_commit on)' if args.durable else 'throwaway settings'}")
    print(f"service / database ratio: {ratio:.2f} (target ≥ 0.35)")


if __name__ == "__main__":
    main()
