"""Each run's yield and conversion cost per bottle against its group's median, in one SQL statement.

A group is a machine, a shift and a bottle (a 5-litre bottle costs more to blow than a 200 ml one, so
mixing bottles would make every large one an outlier), over a bounded trailing window. The spread is
the median absolute deviation (MAD): one bad run moves neither the median nor the MAD, where it would
drag a mean and a standard deviation towards itself and hide.

Why plain SQL: the ORM cannot take a median of window-ranked rows and then a median of the
deviations from it. Why not PostgreSQL's ``percentile_cont``: SQLite has none; ranking with
``ROW_NUMBER()`` and averaging the middle one or two rows is the same median on both, so one
statement serves both databases. The window holds a few thousand runs at most (four machines, three
shifts, a run a shift), so ranking it is cheap. ``tests`` compare its medians with Python's
``statistics.median`` over the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from documents.models import DocumentStatus
from production.models import ProductionRun, RunReject
from reporting.periods import Period

GROUP = "metric, machine, shift, product_id"

# The window's rejects are summed in one grouped join, not one subquery per run: PostgreSQL costs
# 11,595 subqueries (a year at five million bill lines) above ``jit_above_cost`` and spends some
# 60 ms compiling the statement before it reads a row. The join is of the tables themselves (not
# of a CTE), so the planner estimates it; the window's three parameters come twice (``_window_params``).
BASE_SQL = f"""
WITH runs AS (
    SELECT r.id, r.number, r.date, r.machine, r.shift, r.product_id, r.created_by_id,
           100.0 * r.good_quantity / (r.good_quantity + COALESCE(x.quantity, 0)) AS yield_pct,
           1.0 * r.conversion_cost / r.good_quantity AS conversion
    FROM {{run}} r
    LEFT JOIN (
        SELECT j.run_id, SUM(j.quantity) AS quantity
        FROM {{reject}} j JOIN {{run}} w ON w.id = j.run_id
        WHERE w.status = %s AND w.date >= %s AND w.date <= %s
        GROUP BY j.run_id
    ) x ON x.run_id = r.id
    WHERE r.status = %s AND r.date >= %s AND r.date <= %s
),
facts AS (
    SELECT id, number, created_by_id, date, machine, shift, product_id, 'yield' AS metric, yield_pct AS v
    FROM runs
    UNION ALL
    SELECT id, number, created_by_id, date, machine, shift, product_id, 'conversion' AS metric,
           conversion AS v
    FROM runs
),
ranked AS (
    SELECT {GROUP}, v,
           ROW_NUMBER() OVER (PARTITION BY {GROUP} ORDER BY v) AS k,
           COUNT(*) OVER (PARTITION BY {GROUP}) AS n
    FROM facts
),
medians AS (
    SELECT {GROUP}, AVG(v) AS m, MAX(n) AS n
    FROM ranked WHERE k IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY {GROUP}
),
deviations AS (
    SELECT f.metric, f.machine, f.shift, f.product_id, ABS(f.v - d.m) AS dev, d.n,
           ROW_NUMBER() OVER (PARTITION BY f.metric, f.machine, f.shift, f.product_id
                              ORDER BY ABS(f.v - d.m)) AS k
    FROM facts f JOIN medians d
      ON d.metric = f.metric AND d.machine = f.machine AND d.shift = f.shift
     AND d.product_id = f.product_id
),
mads AS (
    SELECT {GROUP}, AVG(dev) AS mad
    FROM deviations WHERE k IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY {GROUP}
)
"""

GROUPS_SQL = f"""
SELECT d.metric, d.machine, d.shift, d.product_id, d.m, a.mad, d.n
FROM medians d JOIN mads a USING ({GROUP})
"""

# Each fact carries its run's number and creator: joining the runs back by id made PostgreSQL,
# which cannot estimate the CTEs' joins, scan every run once per fact (1.5 s for a year's runs).
OUTLIERS_SQL = """
SELECT f.id, f.number, f.date, f.machine, f.shift, p.sku, u.username, f.metric, f.v, d.m, a.mad, d.n
FROM facts f
JOIN medians d ON d.metric = f.metric AND d.machine = f.machine AND d.shift = f.shift
              AND d.product_id = f.product_id
JOIN mads a ON a.metric = f.metric AND a.machine = f.machine AND a.shift = f.shift
           AND a.product_id = f.product_id
JOIN {item} p ON p.id = f.product_id
JOIN {user} u ON u.id = f.created_by_id
WHERE f.date >= %s AND f.date <= %s AND d.n >= %s
  AND ABS(f.v - d.m) > CASE WHEN f.metric = 'yield' THEN %s ELSE ABS(d.m) * %s END
  AND (a.mad = 0 OR 0.6745 * ABS(f.v - d.m) > %s * a.mad)
ORDER BY f.date, f.id, f.metric DESC
"""


@dataclass(frozen=True)
class Outlier:
    run_id: int
    number: str | None
    date: date
    machine: str
    shift: str
    product: str
    person: str
    metric: str  # "yield" (%) or "conversion" (cost per good bottle)
    value: Decimal
    median: Decimal
    mad: Decimal
    runs: int


def _decimal(value) -> Decimal:
    # PostgreSQL returns numeric, SQLite a float: both become a Decimal of what was computed.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _sql(tail: str) -> str:
    from accounts.models import User
    from inventory.models import Item

    return (BASE_SQL + tail).format(
        run=ProductionRun._meta.db_table,
        reject=RunReject._meta.db_table,
        item=Item._meta.db_table,
        user=User._meta.db_table,
    )


def _window_params(window: Period) -> list:
    """The posted runs of ``window``, once for the rejects' sums and once for the runs."""
    return [DocumentStatus.POSTED.value, window.start, window.end] * 2


def group_medians(window: Period) -> dict[tuple[str, str, str, int], tuple[Decimal, Decimal, int]]:
    """{(metric, machine, shift, bottle id): (median, MAD, runs)} over the posted runs in ``window``."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(GROUPS_SQL), _window_params(window))
        return {
            (metric, machine, shift, product): (_decimal(m), _decimal(mad), int(n))
            for metric, machine, shift, product, m, mad, n in cursor.fetchall()
        }


def outliers(
    *,
    window: Period,
    period: Period,
    min_runs: int,
    yield_points: Decimal,
    cost_share: Decimal,
    z_limit: Decimal,
) -> list[Outlier]:
    """Runs dated in ``period`` whose yield or conversion cost is far from their group's median.

    Far: more than ``yield_points`` (yield) or ``cost_share`` of the median (cost) away, and a
    modified z-score 0.6745 × |x − median| ÷ MAD above ``z_limit`` (any distance past the floor
    when the group's runs all agree, MAD 0). Groups of fewer than ``min_runs`` runs are not judged.
    """
    # Floats, not Decimals: SQLite compares a number with a text parameter as text.
    params = [
        *_window_params(window),
        period.start,
        period.end,
        min_runs,
        float(yield_points),
        float(cost_share),
        float(z_limit),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql(OUTLIERS_SQL), params)
        rows = cursor.fetchall()
    return [
        Outlier(
            run_id=run_id,
            number=number,
            date=day if isinstance(day, date) else date.fromisoformat(day),
            machine=machine,
            shift=shift,
            product=sku,
            person=username,
            metric=metric,
            value=_decimal(v),
            median=_decimal(m),
            mad=_decimal(mad),
            runs=int(n),
        )
        for run_id, number, day, machine, shift, sku, username, metric, v, m, mad, n in rows
    ]
