"""The dashboard's 30-day trend: revenue and bottles made each day, as server-rendered SVG lines.

Revenue per day comes from the sales summary (as in profit & loss), bottles made from the posted
runs' good quantities (as in the production report); one grouped query each.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from documents.models import DocumentStatus
from production.models import ProductionRun
from reporting.charts import Chart, line_chart
from reporting.models import SalesItemDay
from reporting.tables import money

DAYS = 30


def days_to(end: date, days: int = DAYS) -> list[date]:
    return [end - timedelta(days=days - 1 - i) for i in range(days)]


def series(end: date | None = None) -> dict[str, list]:
    """{"days": [...], "revenue": [Decimal per day], "bottles": [int per day]} for the 30 days to ``end``."""
    end = end or timezone.localdate()
    days = days_to(end)
    revenue = dict(
        SalesItemDay.objects.filter(date__gte=days[0], date__lte=end)
        .values("date")
        .annotate(v=Sum("revenue"))
        .values_list("date", "v")
    )
    bottles = dict(
        ProductionRun.objects.filter(status=DocumentStatus.POSTED, date__gte=days[0], date__lte=end)
        .values("date")
        .annotate(q=Sum("good_quantity"))
        .values_list("date", "q")
    )
    return {
        "days": days,
        "revenue": [money(revenue.get(day)) for day in days],
        "bottles": [int(bottles.get(day) or 0) for day in days],
    }


def charts(end: date | None = None) -> list[Chart]:
    data = series(end)
    labels = [day.strftime("%d %b") for day in data["days"]]
    return [
        line_chart(f"Revenue, last {DAYS} days", labels, [("Revenue", data["revenue"])]),
        line_chart(f"Bottles made, last {DAYS} days", labels, [("Good bottles", data["bottles"])]),
    ]
