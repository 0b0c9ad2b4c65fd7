"""Reports on a phone: the period's dates in the form, key columns, charts drawn for a narrow screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.charts import NARROW, bar_chart, line_chart
from reporting.display import extra_columns
from reporting.periods import parse
from reporting.tables import Column


def test_a_report_without_dates_opens_on_this_month_and_shows_its_dates():
    form = parse({})
    assert form.is_valid()
    today = timezone.localdate()
    assert form.cleaned_data["period"].start == today.replace(day=1)
    assert form["start"].value() == today.replace(day=1).isoformat()
    assert form["end"].value() == today.isoformat()


def test_a_preset_shows_its_dates_and_typed_dates_stay_as_typed():
    form = parse({"preset": "last_year"})
    assert form.is_valid()
    assert form["start"].value() == date(timezone.localdate().year - 1, 1, 1).isoformat()
    typed = parse({"start": "2026-03-01", "end": "2026-03-31"})
    assert typed.is_valid() and typed["start"].value() == "2026-03-01"


def test_a_phone_keeps_the_name_the_first_quantity_and_the_last_money_column():
    columns = [
        Column("sku", "SKU"),
        Column("name", "Item"),
        Column("quantity", "Quantity", "int"),
        Column("bills", "Bills", "int"),
        Column("revenue", "Revenue", "money"),
        Column("profit", "Profit", "money"),
    ]
    assert extra_columns(columns) == frozenset({0, 3, 4})  # Item, Quantity, Profit stay
    assert extra_columns(
        [Column("figure", "Figure"), Column("a", "A", "mixed"), Column("b", "B", "mixed")]
    ) == (frozenset())


def test_every_chart_has_a_narrow_drawing_with_text_that_renders_at_11_px_on_a_phone():
    line = line_chart(
        "Revenue", ["2026-10", "2026-11", "2026-12"], [("Revenue", [Decimal("1"), None, Decimal("3")])]
    )
    bar = bar_chart("Owed", ["A", "B"], [Decimal("10"), Decimal("20")])
    for chart in (line, bar):
        assert 'class="chart chart-wide"' in chart.svg
        assert f'viewBox="0 0 {NARROW.width} ' in chart.narrow
        # 360 px less the page's and the card's padding leaves about 300 px for the drawing.
        assert NARROW.font * 300 / NARROW.width >= 11
        assert f'font-size="{NARROW.font}"' in chart.narrow


@pytest.mark.django_db
def test_the_report_page_writes_the_period_day_first(owner_client):
    body = owner_client.get(reverse("reporting:profit-loss")).content.decode()
    today = timezone.localdate()
    assert f"{today.replace(day=1):%d/%m/%Y} to {today:%d/%m/%Y}" in body
    assert 'details class="all-columns"' in body
