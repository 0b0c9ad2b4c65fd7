"""Bill lines with and without yearly partitions, on a database seeded by bench_reports.py.

    .venv/bin/python bench/bench_reports.py --scale 5.0 --keep     # prints --database-url URL
    .venv/bin/python bench/bench_partitions.py --database-url URL

Copies the posted bill lines (with their bill's date, the partition key a partitioned
``sales_saleline`` would need) into two scratch tables: one plain, one partitioned by year
(``PARTITION BY RANGE (date)``), each with an index on date. Times the raw year and month
``SUM … GROUP BY month`` on both (median of --runs), and what removing the oldest year costs on
each: ``DELETE`` against ``DETACH PARTITION`` (both rolled back). Drops the scratch tables.
Prints Markdown for bench/RESULTS.md (docs/archival.md reads it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

import psycopg

COLUMNS = (
    "id bigint NOT NULL, date date NOT NULL, item_id bigint NOT NULL, "
    "amount numeric(14,2), cost numeric(14,2)"
)
FILL = """
INSERT INTO {table} (id, date, item_id, amount, cost)
SELECT l.id, s.date, l.item_id, l.amount, l.cost
FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id WHERE s.status = 'posted'
"""
SUM = (
    "SELECT date_trunc('month', date), SUM(amount), SUM(cost) FROM {table} "
    "WHERE date BETWEEN %s AND %s GROUP BY 1"
)


def _ms(conn, sql: str, params: list, runs: int) -> float:
    conn.execute(sql, params).fetchall()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _timed(conn, sql: str) -> float:
    started = time.perf_counter()
    conn.execute(sql)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        first, last = conn.execute("SELECT MIN(date), MAX(date) FROM sales_sale").fetchone()
        conn.execute("DROP TABLE IF EXISTS bench_lines_plain, bench_lines_parted")
        conn.execute(f"CREATE TABLE bench_lines_plain ({COLUMNS})")
        conn.execute(f"CREATE TABLE bench_lines_parted ({COLUMNS}) PARTITION BY RANGE (date)")
        for year in range(first.year, last.year + 1):
            conn.execute(
                f"CREATE TABLE bench_lines_parted_{year} PARTITION OF bench_lines_parted "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
        loads = {}
        for table in ("bench_lines_plain", "bench_lines_parted"):
            loads[table] = _timed(conn, FILL.format(table=table))
            conn.execute(f"CREATE INDEX ON {table} (date)")
            conn.execute(f"ANALYZE {table}")
        rows = conn.execute("SELECT COUNT(*) FROM bench_lines_plain").fetchone()[0]
        year = [last.replace(year=last.year - 1), last]
        month = [last - timedelta(days=29), last]
        results = []
        for table in ("bench_lines_plain", "bench_lines_parted"):
            year_ms = _ms(conn, SUM.format(table=table), year, args.runs)
            month_ms = _ms(conn, SUM.format(table=table), month, args.runs)
            conn.execute("BEGIN")
            if table == "bench_lines_plain":
                removal = _timed(conn, f"DELETE FROM {table} WHERE date < '{first.year + 1}-01-01'")
            else:
                removal = _timed(conn, f"ALTER TABLE {table} DETACH PARTITION {table}_{first.year}")
            conn.execute("ROLLBACK")
            results.append((table, loads[table], year_ms, month_ms, removal))
        conn.execute("DROP TABLE bench_lines_plain, bench_lines_parted")
    print(f"{rows:,} posted bill lines dated {first} to {last}; partitions by calendar year")
    print()
    print("| table | load (s) | year SUM (ms) | month SUM (ms) | remove the oldest year (ms) |")
    print("|---|---:|---:|---:|---:|")
    for table, load, year_ms, month_ms, removal in results:
        how = "DELETE" if table.endswith("plain") else "DETACH PARTITION"
        print(f"| {table} | {load / 1000:.0f} | {year_ms:.0f} | {month_ms:.0f} | {removal:.0f} ({how}) |")


if __name__ == "__main__":
    main()
