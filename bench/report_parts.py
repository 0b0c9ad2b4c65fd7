"""Where a report page's time goes: its queries (count and time), building the report, shaping
its tables and rendering the template, for the last year and the last month.

    .venv/bin/python bench/report_parts.py --database-url URL                  # every report
    .venv/bin/python bench/report_parts.py --database-url URL customer-sales   # some of them
    .venv/bin/python bench/report_parts.py --database-url URL production --profile

Times an already seeded database (``bench_reports.py --keep`` or ``bench_money.py --keep``
print its URL): median of --runs of each part, and the whole page as the test client sees it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
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
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each page's year")
    parser.add_argument("--sql", action="store_true", help="print each query of a page's year and its time")
    parser.add_argument("reports", nargs="*")
    args = parser.parse_args()
    from bench_reports import environment

    environment(args.database_url)
    import django

    django.setup()
    run(args)


def run(args) -> None:
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client
    from django.test.client import RequestFactory
    from django.utils import timezone

    from accounts.models import User
    from reporting import display
    from reporting.catalogue import REPORTS
    from reporting.routers import report_reads

    owner = User.objects.get(username="bench_owner")
    client = Client()
    client.force_login(owner)
    today = timezone.localdate()
    periods = {"year": (today - timedelta(days=364), today), "month": (today - timedelta(days=29), today)}
    names = args.reports or list(REPORTS)
    print(f"load {os.getloadavg()[0]:.1f}")
    from bench_reports import RAW_SQL, median_ms

    def raw(period):
        def query():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, list(period))
                cursor.fetchall()

        return query

    raws = {label: median_ms(raw(period), args.runs) for label, period in periods.items()}
    print(f"raw SUM … GROUP BY month: year {raws['year']:.1f} ms, month {raws['month']:.1f} ms")
    print(
        "| report | period | queries | SQL ms | build ms | shape ms | render ms | page ms | page ÷ raw year |"
    )  # noqa: E501
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        spec = REPORTS[name]
        for label, (start, end) in periods.items():
            params = {"start": start, "end": end}
            samples = {k: [] for k in ("queries", "sql", "build", "shape", "render", "page")}
            for i in range(args.runs + 1):
                spent = [0.0, 0]

                shown = args.sql and i == args.runs and label == "year"

                def timed(execute, sql, params_, many, context, spent=spent, shown=shown):
                    began = time.perf_counter()
                    try:
                        return execute(sql, params_, many, context)
                    finally:
                        spent[0] += time.perf_counter() - began
                        spent[1] += 1
                        if shown:
                            ms = (time.perf_counter() - began) * 1000
                            print(f"    {ms:6.1f} ms  {' '.join(sql.split())[:220]}")

                form = spec.form(params)
                assert form.is_valid(), form.errors
                began = time.perf_counter()
                # As the page builds it: each statement planned for its dates (report_reads).
                with report_reads(), connection.execute_wrapper(timed):
                    report = spec.build({**form.cleaned_data, "on_page": True})
                built = time.perf_counter()
                tables = display.shaped(report)
                if hasattr(display, "tables_html"):  # the tables written in Python, not by a template loop
                    tables = display.tables_html(tables)
                shaped = time.perf_counter()
                request = RequestFactory().get(f"/reports/{name}/", params)
                request.user = owner
                context = {"spec": spec, "form": form, "report": report, "query": ""}
                context.update(tables=tables, tables_html=tables)
                context.update(next_query="", reports=REPORTS.values())
                render_to_string("reporting/report.html", context, request=request)
                rendered = time.perf_counter()
                page_began = time.perf_counter()
                assert client.get(f"/reports/{name}/", params).status_code == 200
                page = time.perf_counter() - page_began
                if i == 0:
                    continue  # warm
                samples["queries"].append(spent[1])
                samples["sql"].append(spent[0] * 1000)
                samples["build"].append((built - began) * 1000)
                samples["shape"].append((shaped - built) * 1000)
                samples["render"].append((rendered - shaped) * 1000)
                samples["page"].append(page * 1000)
            m = {k: statistics.median(v) for k, v in samples.items()}
            print(
                f"| {name} | {label} | {m['queries']:.0f} | {m['sql']:.1f} | {m['build']:.1f} | "
                f"{m['shape']:.1f} | {m['render']:.1f} | {m['page']:.1f} | {m['page'] / raws['year']:.3f} |"
            )
        if args.profile:
            start, end = periods["year"]
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                client.get(f"/reports/{name}/", {"start": start, "end": end})
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
