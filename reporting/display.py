"""How a report's values read on the page: thousands separators, fixed places, a dash for none."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from reporting.tables import Report, Table


def text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "money" and isinstance(value, Decimal | int):
        return f"{Decimal(value):,.2f}"
    if kind == "unit" and isinstance(value, Decimal | int):
        return f"{Decimal(value):,.4f}"
    if kind == "percent" and isinstance(value, Decimal | int):
        return f"{Decimal(value):.2f} %"
    if kind == "int" and isinstance(value, int | Decimal):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


NUMERIC_CLASS = ' class="num"'


def _row_html(cells: list[dict[str, Any]], tag: str = "td") -> SafeString:
    # Built here rather than in the template: a year's report has thousands of cells.
    parts = [
        f"<{tag}{NUMERIC_CLASS if c['numeric'] else ''}>{c.get('html') or html.escape(c['text'])}</{tag}>"
        for c in cells
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every cell's text is escaped


def _links(links: list[tuple[str, str]]) -> str:
    """A "link" column's cell: each (text, address) pair of the row's ``<key>_links`` as a link."""
    return ", ".join(f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in links)


def _shown(table: Table) -> list:
    # A "url" column carries the link addresses for CSV, XLSX and JSON; the page links instead.
    return [c for c in table.columns if c.kind != "url"]


def _cells(table: Table, row: dict[str, Any]) -> list[dict[str, Any]]:
    cells = []
    for column in _shown(table):
        if column.kind == "link":
            cells.append({"text": text(row.get(column.key), "text"), "numeric": False})
            cells[-1]["html"] = _links(row.get(f"{column.key}_links") or [])
            continue
        kind = row.get("kind", "text") if column.kind == "mixed" else column.kind
        numeric = kind in ("int", "money", "unit", "percent")
        cells.append({"text": text(row.get(column.key), kind), "numeric": numeric})
    return cells


def shaped(report: Report) -> list[dict[str, Any]]:
    """Each table as headers and rows of ready-to-show cells, for the templates."""
    return [
        {
            "name": table.name,
            "title": table.title,
            "headers": [
                {"label": c.label, "numeric": c.kind not in ("text", "date", "link")} for c in _shown(table)
            ],
            "rows": [_row_html(_cells(table, row)) for row in table.rows],
            "totals": _row_html(_cells(table, table.totals), "th") if table.totals else None,
        }
        for table in report.tables
    ]
