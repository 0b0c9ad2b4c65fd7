"""A report as CSV, XLSX or JSON: the same tables, rows and totals the page shows.

CSV is streamed row by row; the bill-lines export reads the database through a server-side cursor
in chunks, so a year of lines passes through the web worker without piling up in its memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from documents.models import DocumentStatus
from reporting.periods import Period
from reporting.routers import reading_replica
from reporting.spreadsheet_text import csv_text, looks_like_formula
from reporting.tables import Column, Report, Table
from sales.models import SaleLine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "unit": "0.0000", "percent": "0.00"}


def filename(report: Report, extension: str) -> str:
    return f"{report.name}_{report.period.start.isoformat()}_{report.period.end.isoformat()}.{extension}"


def plain(value: Any) -> Any:
    """A JSON-safe value: money stays exact as a string, dates in ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def _table_rows(table: Table) -> Iterator[list[Any]]:
    yield [c.label for c in table.columns]
    for row in table.rows:
        yield [row.get(c.key) for c in table.columns]
    if table.totals:
        yield [table.totals.get(c.key) for c in table.columns]


class _Line:
    """A file-like object whose write returns the text, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]], batch: int = 1000) -> Iterator[str]:
    """CSV text in chunks of ``batch`` rows: few writes to the socket, little held in memory."""
    writer = csv.writer(_Line())
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([_cell_text(v) for v in row]))
        if len(chunk) >= batch:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def report_csv_rows(report: Report) -> Iterator[list[Any]]:
    yield [report.title, f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"]
    for table in report.tables:
        yield []
        yield [table.title]
        yield from _table_rows(table)


def csv_response(report: Report) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(report_csv_rows(report)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "csv")}"'
    return response


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:25]} {n}", n + 1
    used.add(name)
    return name


def _kind(column: Column, row: dict[str, Any]) -> str:
    return row.get("kind", "text") if column.kind == "mixed" else column.kind


def _keep_text(line) -> None:
    """Text cells stay strings: openpyxl would store text that starts with "=" as a formula."""
    for cell in line:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                # The quote prefix keeps it text when someone edits the cell in Excel, too.
                cell.quotePrefix = True


def workbook(report: Report) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([report.title, f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"])
        sheet.append([c.label for c in table.columns])
        _keep_text(sheet[1])
        for cell in sheet[2]:
            cell.font = bold
        _keep_text(sheet[2])
        rows = list(table.rows) + ([table.totals] if table.totals else [])
        for index, row in enumerate(rows):
            sheet.append([row.get(c.key) for c in table.columns])
            line = sheet[sheet.max_row]
            _keep_text(line)
            for column, cell in zip(table.columns, line, strict=False):
                fmt = NUMBER_FORMATS.get(_kind(column, row))
                if fmt and isinstance(cell.value, int | Decimal):
                    cell.number_format = fmt
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                if table.totals and index == len(rows) - 1:
                    cell.font = bold
    return book


def xlsx_response(report: Report) -> HttpResponse:
    buffer = io.BytesIO()
    workbook(report).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
    return response


def as_json(report: Report) -> dict[str, Any]:
    return {
        "report": report.name,
        "title": report.title,
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "options": report.options,
        "notes": report.notes,
        "tables": [
            {
                "name": table.name,
                "title": table.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
                "rows": [{c.key: plain(row.get(c.key)) for c in table.columns} for row in table.rows],
                "totals": (
                    {c.key: plain(table.totals.get(c.key)) for c in table.columns} if table.totals else None
                ),
            }
            for table in report.tables
        ],
    }


# Bill lines, one per CSV row -----------------------------------------------------------------

LINE_FIELDS = [
    ("sale__date", "Date"),
    ("sale__number", "Bill"),
    ("sale__customer__name", "Customer"),
    ("item__sku", "SKU"),
    ("quantity", "Quantity"),
    ("unit_price", "Unit price"),
    ("discount", "Discount"),
    ("amount", "Amount"),
    ("cost", "Cost"),
]


def _sale_line_rows(period: Period) -> Iterator[list[Any]]:
    yield [label for _, label in LINE_FIELDS]
    # The generator runs while the response is sent, after the view returned: read the replica here.
    with reading_replica():
        lines = (
            SaleLine.objects.filter(
                sale__status=DocumentStatus.POSTED, sale__date__gte=period.start, sale__date__lte=period.end
            )
            .order_by("sale__date", "sale_id", "id")
            .values_list(*[name for name, _ in LINE_FIELDS])
        )
        yield from lines.iterator(chunk_size=5000)


def sale_lines_csv(period: Period) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(_sale_line_rows(period)), content_type="text/csv; charset=utf-8"
    )
    name = f"bill-lines_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
