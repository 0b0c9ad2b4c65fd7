"""How the plant writes dates, numbers and money on pages and printed bills (``PLANT_LOCALE``).

Django's own localisation groups digits in threes only; the plant in India writes 1,23,456.50
(lakh grouping), so the few formats the app needs are spelled out here, in one place. Exports
(CSV, XLSX, JSON) do not use this module: they keep ISO dates and plain numbers for machines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Locale:
    date: str  # strftime pattern
    indian_grouping: bool  # 12,34,56,789 rather than 123,456,789
    thousands: str = ","
    decimal: str = "."


LOCALES = {
    "en-IN": Locale(date="%d/%m/%Y", indian_grouping=True),
    "en-GB": Locale(date="%d/%m/%Y", indian_grouping=False),
    "en-US": Locale(date="%m/%d/%Y", indian_grouping=False),
}


def plant_locale() -> Locale:
    return LOCALES.get(getattr(settings, "PLANT_LOCALE", "en-IN"), LOCALES["en-IN"])


def _group(digits: str, indian: bool, separator: str) -> str:
    if len(digits) <= 3:
        return digits
    if not indian:
        return f"{int(digits):,}".replace(",", separator)
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while head:
        groups.append(head[-2:])
        head = head[:-2]
    groups.reverse()
    return separator.join([*groups, tail])


# The quantum of each number of places, made once: a year's report formats thousands of cells.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def number(value, places: int = 0, locale: Locale | None = None) -> str:
    """``value`` rounded half up to ``places`` and grouped the plant's way; "" for None or junk."""
    if value is None or value == "":
        return ""
    locale = locale or plant_locale()
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
    if not amount.is_finite():
        return str(value)
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    text = _group(whole, locale.indian_grouping, locale.thousands)
    return f"{sign}{text}{locale.decimal}{fraction}" if places else f"{sign}{text}"


def format_money(value, locale: Locale | None = None) -> str:
    """Two places: 1,23,456.50 for en-IN."""
    return number(value, 2, locale)


def day(value, locale: Locale | None = None) -> str:
    """A date as the plant writes it: 01/12/2026 for en-IN. A datetime is shown in local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, date):
        return str(value)
    return value.strftime((locale or plant_locale()).date)


def moment(value, locale: Locale | None = None) -> str:
    """A date and time: 01/12/2026 14:05."""
    if not isinstance(value, datetime):
        return day(value, locale)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local, locale)} {local:%H:%M}"
