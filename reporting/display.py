"""How a report's values read on the page: the plant's digit grouping and dates (core.formats),
fixed places, a dash for none; and which columns a phone shows before "All columns" is opened."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from core import formats
from reporting.tables import Report, Table


def text(value: Any, kind: str, locale: formats.Locale | None = None) -> str:
    """``locale``: the plant's, looked up once by a caller that formats many cells."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "money" and isinstance(value, Decimal | int):
        return formats.number(value, 2, locale)
    if kind == "unit" and isinstance(value, Decimal | int):
        return formats.number(value, 4, locale)
    if kind == "percent" and isinstance(value, Decimal | int):
        return f"{Decimal(value):.2f} %"
    if kind == "int" and isinstance(value, int | Decimal):
        return formats.number(value, 0, locale) if value == int(value) else formats.number(value, 2, locale)
    if isinstance(value, date):
        return formats.day(value, locale)
    return str(value)


CLASSES = {
    (False, False): "",
    (True, False): ' class="num"',
    (False, True): ' class="extra"',
    (True, True): ' class="num extra"',
}


def _links(links: list[tuple[str, str]]) -> str:
    """A "link" column's cell: each (text, address) pair of the row's ``<key>_links`` as a link."""
    return ", ".join(f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in links)


def _shown(table: Table) -> list:
    # A "url" column carries the link addresses for CSV, XLSX and JSON; the page links instead.
    return [c for c in table.columns if c.kind != "url"]


NUMERIC_KINDS = frozenset(("int", "money", "unit", "percent"))


def _row_html(
    plan: list[tuple[Any, bool]], row: dict[str, Any], tag: str, locale: formats.Locale
) -> SafeString:
    """One row's cells; ``plan``: each shown column and whether a phone leaves it for "All
    columns". Built here rather than in the template: a year's report has thousands of cells."""
    parts = []
    for column, is_extra in plan:
        kind = column.kind
        if kind == "link":
            content = _links(row.get(f"{column.key}_links") or []) or html.escape(
                text(row.get(column.key), "text")
            )
            numeric = False
        else:
            if kind == "mixed":
                kind = row.get("kind", "text")
            content = html.escape(text(row.get(column.key), kind, locale))
            numeric = kind in NUMERIC_KINDS
        parts.append(f"<{tag}{CLASSES[numeric, is_extra]}>{content}</{tag}>")
    return mark_safe("".join(parts))  # noqa: S308 - every cell's text is escaped


# What a row is about, by column key; the first column when none of these is there.
NAME_KEYS = ("item", "name", "customer", "supplier", "subject", "figure")


def extra_columns(columns: list) -> frozenset[int]:
    """The columns a phone leaves for "All columns": all but the key ones, which are what the row
    is about (its item, customer, supplier; else the first column), the first quantity and the
    last money figure."""
    kinds = [c.kind for c in columns]
    names = [i for i, c in enumerate(columns) if c.key in NAME_KEYS]
    key = {names[0] if names else 0}
    if "int" in kinds:
        key.add(kinds.index("int"))
    if "money" in kinds:
        key.add(len(kinds) - 1 - kinds[::-1].index("money"))
    # A table of mixed figures (this period against the one before) keeps its first two.
    for index, kind in enumerate(kinds):
        if len(key) >= 3:
            break
        if kind == "mixed":
            key.add(index)
    return frozenset(range(len(columns))) - key


def shaped(report: Report) -> list[dict[str, Any]]:
    """Each table as headers and rows of ready-to-show cells, for the templates."""
    tables = []
    locale = formats.plant_locale()
    for table in report.tables:
        shown = _shown(table)
        extra = extra_columns(shown)
        plan = [(column, i in extra) for i, column in enumerate(shown)]
        tables.append(
            {
                "name": table.name,
                "title": table.title,
                "headers": [
                    {"label": c.label, "numeric": c.kind not in ("text", "date", "link"), "extra": i in extra}
                    for i, c in enumerate(shown)
                ],
                "has_extra": bool(extra),
                "rows": [_row_html(plan, row, "td", locale) for row in table.rows],
                "totals": _row_html(plan, table.totals, "th", locale) if table.totals else None,
            }
        )
    return tables


def _header_html(header: dict[str, Any]) -> str:
    numeric = "num" if header["numeric"] else ""
    extra = " extra" if header["extra"] else ""
    return f'<th scope="col" class="{numeric}{extra}">{html.escape(header["label"])}</th>'


ALL_COLUMNS = (
    '<details class="all-columns"><summary>All columns</summary><p class="muted">Every column of the '
    "table is shown below; swipe it sideways.</p></details>"
)


def tables_html(tables: list[dict[str, Any]]) -> SafeString:
    """The shaped tables as the page's and print view's HTML, in one pass: a template loop over a
    year's rows cost as much as building the report (the markup is that of the table sections
    the report templates used to loop over)."""
    parts = []
    for table in tables:
        name, title = html.escape(table["name"]), html.escape(table["title"])
        headers = "".join(_header_html(h) for h in table["headers"])
        if table["rows"]:
            body = "".join(f"<tr>{row}</tr>" for row in table["rows"])
        else:
            span = len(table["headers"])
            body = f'<tr><td colspan="{span}" class="muted">Nothing in this period.</td></tr>'
        foot = f"<tfoot><tr>{table['totals']}</tr></tfoot>" if table["totals"] else ""
        parts.append(
            f'<section class="card report-table" aria-labelledby="t-{name}">'
            f'<h2 id="t-{name}">{title}</h2>'
            f"{ALL_COLUMNS if table['has_extra'] else ''}"
            f'<div class="table-wrap"><table><thead><tr>{headers}</tr></thead>'
            f"<tbody>{body}</tbody>{foot}</table></div></section>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every label, title and cell is escaped
