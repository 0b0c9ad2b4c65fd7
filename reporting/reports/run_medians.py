"""Each run's yield and conversion cost per bottle against its group's median, in one SQL statement.

A group is a machine, a shift and a bottle (a 5-litre bottle costs more to blow than a 200 ml one, so
mixing bottles would make every large one an outlier), over a bounded trailing window. The spread is
the median absolute deviation (MAD): one bad run moves neither the median nor the MAD, where it would
drag a mean and a standard deviation towards itself and hide.

The runs are read from their kept outcomes (``reporting.RunOutcome``: one narrow row a posted run,
its rejects already summed), as doubles: a year's ranking compares thousands of them, and a
numeric's compare costs several times a double's, for medians shown to a tenth of a point.

Why plain SQL: the ORM cannot take a median of a group and then a median of the deviations from
it. On PostgreSQL the two medians are ``percentile_cont(0.5)``, which sorts each group's values
alone, and both metrics are taken in the same pass over the runs. SQLite has no such aggregate:
there the runs are ranked with ``ROW_NUMBER()`` and the middle one or two rows averaged, the same
median. Both statements end in the same two CTEs (``grouped``: each group's median, MAD and runs;
``judged``: each run's value beside its group's) and share the queries on them; ``tests`` compare
the medians with Python's ``statistics.median`` over the same runs, on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from production.models import ProductionRun
from reporting.models import RunOutcome
from reporting.periods import Period

GROUP = "metric, machine, shift, product_id"
SAME_GROUP = "{a}.machine = {b}.machine AND {a}.shift = {b}.shift AND {a}.product_id = {b}.product_id"

# The posted runs of the window. The statements' parameters are named (``_params``).
RUNS_SELECT = """
    SELECT o.run_id AS id, o.date, o.machine, o.shift, o.product_id, o.created_by_id,
           CAST(o.good AS DOUBLE PRECISION) * 100 / (o.good + o.rejected) AS yield_pct,
           CAST(o.conversion AS DOUBLE PRECISION) / o.good AS conversion
    FROM {outcome} o
    WHERE o.runs > 0 AND o.date >= %(window_start)s AND o.date <= %(window_end)s
"""

# One pass over the window's runs, through the index ``runoutcome_group`` in its groups' order: each
# group's median, its runs' values kept in arrays, the MAD taken over each group's own array, and the
# runs unnested from those arrays to be judged. Joining the runs back to their groups instead read
# them twice more, and PostgreSQL, which cannot estimate a join to grouped rows, chose nested loops
# (100 ms for a year at five million bill lines). ``spreads`` is MATERIALIZED so that its MADs are
# taken once per group, not once per run judged. Only the runs past either metric's floor are
# judged (a run within both floors is no outlier): pairing every run with both metrics took a
# third of the statement. On PostgreSQL the index also carries the outcomes (``reporting`` 0014),
# so the runs are read from it alone.
POSTGRESQL_SQL = f"""
WITH runs AS NOT MATERIALIZED ({RUNS_SELECT}),
groups AS (
    SELECT product_id, machine, shift, COUNT(*) AS n,
           array_agg(id) AS ids, array_agg(date) AS dates, array_agg(created_by_id) AS creators,
           array_agg(yield_pct) AS ys, array_agg(conversion) AS cs,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY yield_pct) AS yield_m,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY conversion) AS conversion_m
    FROM runs GROUP BY product_id, machine, shift
),
spreads AS MATERIALIZED (
    SELECT g.*,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ABS(v - g.yield_m))
            FROM unnest(g.ys) AS v) AS yield_mad,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ABS(v - g.conversion_m))
            FROM unnest(g.cs) AS v) AS conversion_mad
    FROM groups g
),
grouped AS (
    SELECT x.metric, s.machine, s.shift, s.product_id, x.m, x.mad, s.n
    FROM spreads s CROSS JOIN LATERAL (
        VALUES ('yield', s.yield_m, s.yield_mad), ('conversion', s.conversion_m, s.conversion_mad)
    ) AS x (metric, m, mad)
),
judged AS (
    SELECT u.id, u.date, u.created_by_id, s.machine, s.shift, s.product_id, s.n, x.metric, x.v, x.m, x.mad
    FROM spreads s
    CROSS JOIN LATERAL unnest(s.ids, s.dates, s.creators, s.ys, s.cs) AS u (id, date, created_by_id, y, c)
    CROSS JOIN LATERAL (
        VALUES ('yield', u.y, s.yield_m, s.yield_mad), ('conversion', u.c, s.conversion_m, s.conversion_mad)
    ) AS x (metric, v, m, mad)
    WHERE ABS(u.y - s.yield_m) > %(yield_points)s
       OR ABS(u.c - s.conversion_m) > ABS(s.conversion_m) * %(cost_share)s
)
"""

SQLITE_SQL = f"""
WITH runs AS ({RUNS_SELECT}),
facts AS (
    SELECT id, created_by_id, date, machine, shift, product_id, 'yield' AS metric, yield_pct AS v
    FROM runs
    UNION ALL
    SELECT id, created_by_id, date, machine, shift, product_id, 'conversion' AS metric, conversion AS v
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
    FROM facts f JOIN medians d ON d.metric = f.metric AND {SAME_GROUP.format(a="d", b="f")}
),
mads AS (
    SELECT {GROUP}, AVG(dev) AS mad
    FROM deviations WHERE k IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY {GROUP}
),
grouped AS (
    SELECT d.metric, d.machine, d.shift, d.product_id, d.m, a.mad, d.n
    FROM medians d JOIN mads a ON a.metric = d.metric AND {SAME_GROUP.format(a="a", b="d")}
),
judged AS (
    SELECT f.id, f.date, f.created_by_id, f.machine, f.shift, f.product_id, g.n, f.metric, f.v, g.m, g.mad
    FROM facts f JOIN grouped g ON g.metric = f.metric AND {SAME_GROUP.format(a="g", b="f")}
)
"""

GROUPS_SQL = "SELECT metric, machine, shift, product_id, m, mad, n FROM grouped"

# The few runs found are joined to their numbers, bottles and creators after the filter.
OUTLIERS_SQL = """
SELECT j.id, r.number, j.date, j.machine, j.shift, p.sku, u.username, j.metric, j.v, j.m, j.mad, j.n
FROM judged j
JOIN {run} r ON r.id = j.id
JOIN {item} p ON p.id = j.product_id
JOIN {user} u ON u.id = j.created_by_id
WHERE j.date >= %(period_start)s AND j.date <= %(period_end)s AND j.n >= %(min_runs)s
  AND ABS(j.v - j.m) > CASE WHEN j.metric = 'yield' THEN %(yield_points)s ELSE ABS(j.m) * %(cost_share)s END
  AND (j.mad = 0 OR 0.6745 * ABS(j.v - j.m) > %(z_limit)s * j.mad)
ORDER BY j.date, j.id, j.metric DESC
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

    postgresql = connection.vendor == "postgresql"
    return ((POSTGRESQL_SQL if postgresql else SQLITE_SQL) + tail).format(
        outcome=RunOutcome._meta.db_table,
        run=ProductionRun._meta.db_table,
        item=Item._meta.db_table,
        user=User._meta.db_table,
    )


def _params(window: Period, **judging) -> dict:
    """The statements' named parameters: the window, and what the runs are judged by (zero floors
    for the medians alone: ``judged`` is in the statement, though unread). Floats, not Decimals:
    SQLite compares a number with a text parameter as text."""
    params = {"yield_points": 0.0, "cost_share": 0.0, **{k: float(v) for k, v in judging.items()}}
    return {"window_start": window.start, "window_end": window.end, **params}


def group_medians(window: Period) -> dict[tuple[str, str, str, int], tuple[Decimal, Decimal, int]]:
    """{(metric, machine, shift, bottle id): (median, MAD, runs)} over the posted runs in ``window``."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(GROUPS_SQL), _params(window))
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
    params = {
        **_params(window, yield_points=yield_points, cost_share=cost_share, z_limit=z_limit),
        "period_start": period.start,
        "period_end": period.end,
        "min_runs": min_runs,
    }
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
