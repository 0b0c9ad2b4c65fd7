"""What a report is made of: titled tables of typed columns, charts and notes.

The page, the print view, CSV, XLSX and JSON all render the same ``Report`` object, so every format
shows exactly the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.money import CENT, money
from reporting.periods import Period

__all__ = ["CENT", "Column", "Report", "Table", "money", "percent", "ratio"]

UNIT = Decimal("0.0001")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, int, money (2 places), unit (4 places, a unit cost or price), percent, date
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "money", "unit", "percent")


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None


@dataclass
class Report:
    name: str
    title: str
    period: Period
    tables: list[Table]
    charts: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def ratio(part: Any, whole: Any, places: Decimal = UNIT) -> Decimal | None:
    """part ÷ whole, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def percent(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)
