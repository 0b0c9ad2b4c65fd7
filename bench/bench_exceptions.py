"""The exceptions report at scale: seed a throwaway PostgreSQL, time the page and ``count_findings``.

    .venv/bin/python bench/bench_exceptions.py                # 365 days at --scale 1.0 ≈ 1M lines
    .venv/bin/python bench/bench_exceptions.py --scale 0.1    # ≈ 100k lines, a few minutes

``seed_demo`` enters every document on its own business day, within working hours, so the report
finds a realistic handful, not a year of "back-dated" bills. Prints the
timings next to the plain SUM … GROUP BY month over the bill lines (as bench_reports.py does) and
how many findings each check had and what each check costs on its own, for a year and a month
(with its queries and their time for the year). ``--sql KEY`` prints each query of that check's
year with its time. The checks read out as many findings as the screen shows
(``exceptions.PAGE_ROWS``).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import RAW_SQL, add_arguments, machine, median_ms, with_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--sql", help="print the queries of this check's year (its key) with their times")
    args = parser.parse_args()
    with_database(args, lambda url: run(args))


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import create_user
    from reporting.periods import Period
    from reporting.reports import exceptions
    from reporting.routers import report_reads
    from sales.models import SaleLine

    print(f"machine: {machine()}")
    if args.database_url and SaleLine.objects.exists():
        owner = User.objects.get(username="bench_owner")
    else:
        call_command("migrate", verbosity=0)
        owner = create_user(username="bench_owner", role=Role.OWNER, password="bench-owner-password-1")
        started = time.perf_counter()
        call_command("seed_demo", days=args.days, scale=args.scale, no_verify=True)
        print(f"seed_demo --days {args.days} --scale {args.scale}: {time.perf_counter() - started:.0f} s")
        _analyze()
    print(f"{SaleLine.objects.count():,} bill lines")

    today = timezone.localdate()
    periods = {
        "year": Period(today - timedelta(days=364), today),
        "month": Period(today - timedelta(days=29), today),
        "day": Period(today, today),
    }

    def raw(period):
        def query():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [period.start, period.end])
                cursor.fetchall()

        return query

    client = Client()
    client.force_login(owner)
    print()
    print("| period | page (ms) | count_findings (ms) | raw SUM … GROUP BY month (ms) | findings |")
    print("|---|---:|---:|---:|---:|")
    for name, period in periods.items():

        def page(period=period):
            response = client.get("/reports/exceptions/", {"start": period.start, "end": period.end})
            assert response.status_code == 200, response.status_code

        page_ms = median_ms(page, args.runs)
        count_ms = median_ms(
            lambda period=period: exceptions.count_findings(period.start, period.end), args.runs
        )
        raw_ms = median_ms(raw(period), args.runs)
        total = exceptions.count_findings(period.start, period.end)
        print(f"| {name} | {page_ms:.0f} | {count_ms:.0f} | {raw_ms:.0f} | {total:,} |")
    print()
    print("| check | findings | year (ms) | year's queries | their ms | month (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    # As the page reads them: as many findings as the screen shows, each statement planned alone.
    with exceptions.showing(exceptions.PAGE_ROWS), report_reads():
        for check in exceptions.CHECKS:
            cells = []
            for name in ("year", "month"):
                period = periods[name]

                def one(check=check, period=period):
                    # Each check on its own, with an empty cache: what it costs when nothing is shared.
                    if check.run in exceptions.SHARED:
                        return check.run(period, {})
                    return check.run(period)

                cells.append((median_ms(one, args.runs), one().total))
            (year_ms, year_total), (month_ms, _month_total) = cells
            queries, spent = check_queries(periods["year"], check, shown=args.sql == check.key)
            print(
                f"| {check.key} | {year_total:,} | {year_ms:.1f} | {queries} | {spent:.1f} | {month_ms:.1f} |"
            )


def check_queries(period, check, *, shown: bool) -> tuple[int, float]:
    """How many queries one run of ``check`` makes and their time (ms), printing each if ``shown``."""
    from django.db import connection

    from reporting.reports import exceptions

    spent = [0, 0.0]

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - began) * 1000
            spent[0] += 1
            spent[1] += ms
            if shown:
                print(f"    {ms:6.1f} ms  {' '.join(sql.split())[:240]}")

    with connection.execute_wrapper(timed):
        check.run(period, {}) if check.run in exceptions.SHARED else check.run(period)
    return spent[0], spent[1]


if __name__ == "__main__":
    main()
