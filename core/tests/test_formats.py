"""The plant's formats: Indian digit grouping and day-first dates (core.formats)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import engines

from core import formats

IN = formats.LOCALES["en-IN"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.5"), "0.50"),
        (Decimal("0"), "0.00"),
        (Decimal("999.99"), "999.99"),
        (Decimal("1000"), "1,000.00"),
        (Decimal("99999.99"), "99,999.99"),
        (Decimal("123456.5"), "1,23,456.50"),
        (Decimal("123456789.99"), "12,34,56,789.99"),
        (Decimal("-123456.5"), "-1,23,456.50"),
        (Decimal("0.005"), "0.01"),  # half up, as the bill rounds
    ],
)
def test_money_uses_indian_grouping(value, text):
    assert formats.money(value, IN) == text


def test_whole_numbers_group_without_places():
    assert formats.number(1234567, locale=IN) == "12,34,567"
    assert formats.number(1234567, locale=formats.LOCALES["en-GB"]) == "1,234,567"


def test_nothing_reads_as_nothing_and_junk_as_itself():
    assert formats.money(None, IN) == ""
    assert formats.money("", IN) == ""
    assert formats.money("n/a", IN) == "n/a"


def test_dates_are_day_first_for_india_and_month_first_for_the_us():
    assert formats.day(date(2026, 12, 1), IN) == "01/12/2026"
    assert formats.day(date(2026, 12, 1), formats.LOCALES["en-US"]) == "12/01/2026"


def test_a_moment_is_written_in_the_plants_time_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    utc = datetime(2026, 11, 30, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert formats.moment(utc, IN) == "01/12/2026 01:30"


def test_the_setting_chooses_the_locale(settings):
    settings.PLANT_LOCALE = "en-US"
    assert formats.day(date(2026, 12, 1)) == "12/01/2026"
    assert formats.money(Decimal("123456.5")) == "123,456.50"
    settings.PLANT_LOCALE = "en-IN"
    assert formats.money(Decimal("123456.5")) == "1,23,456.50"


def test_the_filters_need_no_load_tag():
    template = engines["django"].from_string("{{ d|day }} {{ m|money }} {{ q|number }}")
    assert template.render({"d": date(2026, 12, 1), "m": Decimal("123456.5"), "q": 12000}) == (
        "01/12/2026 1,23,456.50 12,000"
    )
