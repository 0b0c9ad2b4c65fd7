"""Where the exceptions report's time goes: each check's median time and query count for a period.

    .venv/bin/python bench/exception_checks.py --database-url URL            # the last year
    .venv/bin/python bench/exception_checks.py --database-url URL --days 30  # the last month
    .venv/bin/python bench/exception_checks.py --database-url URL --sql run-outlier

Times an already seeded database (``bench_reports.py --keep`` prints its URL), next to the raw
SUM … GROUP BY month over the same days, so each check reads as a share of the report's budget.
``--sql KEY`` prints each query of that check with its time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sql", help="print the queries of this check (its key)")
    args = parser.parse_args()
    from bench_reports import environment

    environment(args.database_url)
    import django

    django.setup()
    run(args)


def run(args) -> None:
    import os

    from bench_reports import RAW_SQL, median_ms
    from django.db import connection
    from django.utils import timezone

    from reporting.periods import Period
    from reporting.reports import exceptions

    today = timezone.localdate()
    period = Period(today - timedelta(days=args.days - 1), today)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [period.start, period.end])
            cursor.fetchall()

    print(f"load {os.getloadavg()[0]:.1f}; {period}")
    print(f"raw SUM … GROUP BY month: {median_ms(raw, args.runs):.1f} ms")
    print("| check | found | shown | queries | SQL ms | ms |")
    print("|---|---:|---:|---:|---:|---:|")
    whole = 0.0
    for check in exceptions.CHECKS:
        times, sql, counts = [], [], []
        found = None
        for i in range(args.runs + 1):
            spent = [0.0, 0]
            shown = args.sql == check.key and i == args.runs

            def timed(execute, query, params, many, context, spent=spent, shown=shown):
                began = time.perf_counter()
                try:
                    return execute(query, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - began
                    spent[1] += 1
                    if shown:
                        ms = (time.perf_counter() - began) * 1000
                        print(f"    {ms:6.1f} ms  {' '.join(query.split())[:300]}")

            began = time.perf_counter()
            with connection.execute_wrapper(timed):
                found = check.run(period, {}) if check.run in exceptions.SHARED else check.run(period)
            if i == 0:
                continue  # warm
            times.append((time.perf_counter() - began) * 1000)
            sql.append(spent[0] * 1000)
            counts.append(spent[1])
        ms = statistics.median(times)
        whole += ms
        print(
            f"| {check.key} | {found.total:,} | {len(found.findings):,} | {statistics.median(counts):.0f} | "
            f"{statistics.median(sql):.1f} | {ms:.1f} |"
        )
    print(f"| every check | | | | | {whole:.1f} |")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
