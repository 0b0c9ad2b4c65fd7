"""Report pages, downloads and the API: who may see them, what they show, and bad input."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.catalogue import REPORTS

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = {"preset": "this_year"}


def _pages():
    return [reverse(f"reporting:{name}") for name in REPORTS] + [
        reverse("reporting:index"),
        reverse("reporting:bill-lines"),
    ]


def test_staff_get_403_on_every_report_page_download_and_api(staff_client):
    for url in _pages():
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.get(url, {"export": "csv"}).status_code == 403, url
    for name in REPORTS:
        assert staff_client.get(f"/api/v1/reports/{name}/").status_code == 403, name


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("reporting:profit-loss"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client.get("/api/v1/reports/profit-loss/").status_code == 401


def test_every_report_renders_with_charts_for_managers_and_the_owner(month, manager_client, owner_client):
    for name in REPORTS:
        for c in (manager_client, owner_client):
            response = c.get(reverse(f"reporting:{name}"), YEAR)
            assert response.status_code == 200, name
            assert b"<svg" in response.content, name
        printed = manager_client.get(reverse(f"reporting:{name}"), {**YEAR, "print": "1"})
        assert printed.status_code == 200 and b'class="topbar"' not in printed.content


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-30", "end": "2026-03-01"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "not a date"},
        {"start": "2026-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-02"},
        {"start": "9999-12-30", "end": "9999-12-31"},
        {"preset": "next_century"},
        {"group": "fortnight", "preset": "today"},
    ],
)
def test_bad_dates_give_a_form_error_not_a_500(manager_client, params):
    response = manager_client.get(reverse("reporting:profit-loss"), params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert b"Correct the dates" in response.content
    assert (
        manager_client.get(reverse("reporting:profit-loss"), {**params, "export": "csv"}).status_code == 400
    )
    api = manager_client.get("/api/v1/reports/profit-loss/", params)
    assert api.status_code == 400 and api.json()["error"]["fields"]


def _csv_table(content: bytes, title: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode())))
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start:end]


def test_csv_xlsx_and_json_hold_the_figures_the_page_shows(month, manager_client):
    url = reverse("reporting:profit-loss")
    page = manager_client.get(url, YEAR)
    report = page.context["report"]
    by_item = report.table("by_item")

    csv_response = manager_client.get(url, {**YEAR, "export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    body = b"".join(csv_response.streaming_content)
    table = _csv_table(body, "By item")
    header = table[0]
    assert header == [c.label for c in by_item.columns]
    revenue_at = header.index("Revenue")
    assert [D(r[revenue_at]) for r in table[1:]] == [
        *[r["revenue"] for r in by_item.rows],
        by_item.totals["revenue"],
    ]

    xlsx = manager_client.get(url, {**YEAR, "export": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["By item"]
    cells = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [D(str(r[revenue_at])) for r in cells] == [
        *[r["revenue"] for r in by_item.rows],
        by_item.totals["revenue"],
    ]
    assert all(isinstance(r[revenue_at], int | float) for r in cells)  # numbers, not text
    assert sheet.cell(row=3, column=header.index("Quantity sold") + 1).data_type == "n"

    api = manager_client.get("/api/v1/reports/profit-loss/", YEAR).json()
    item_table = next(t for t in api["tables"] if t["name"] == "by_item")
    assert item_table["totals"]["revenue"] == str(by_item.totals["revenue"]) == "2180.00"
    assert page.content.decode().count("2,180.00") >= 2


def test_the_owner_reads_reports_through_the_api_with_a_token(month, owner_user, client):
    token = client.post(
        "/api/v1/auth/token/",
        {"username": owner_user.username, "password": "correct-horse-battery"},
        content_type="application/json",
    )
    assert token.status_code == 200
    access = token.json()["access"]
    response = client.get("/api/v1/reports/customer-sales/", YEAR, HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200
    customers = next(t for t in response.json()["tables"] if t["name"] == "customers")
    assert customers["totals"]["outstanding"] == "1530.00"


def test_bill_lines_stream_as_csv(month, manager_client):
    response = manager_client.get(reverse("reporting:bill-lines"), YEAR)
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Date", "Bill", "Customer"]
    assert sorted(D(r[7]) for r in rows[1:]) == [D("350.00"), D("650.00"), D("1180.00")]


COST_WORDS = [b"Gross profit", b"Stock value", b"stock_value", b"gross_profit", b"margin", b"cogs"]


def test_staff_dashboard_shows_no_cost_or_profit_figures(month, staff_client, manager_client):
    staff = staff_client.get("/")
    assert staff.status_code == 200
    for word in COST_WORDS:
        assert word not in staff.content, word
    run_total = b"2,780.00"  # the value of the run's bottles: a cost
    purchase_total = b"2,500.00"  # the prices Staff typed on the purchase
    assert run_total not in staff.content and purchase_total in staff.content
    manager = manager_client.get("/")
    assert b"Gross profit" in manager.content and b"Stock value" in manager.content
    assert run_total in manager.content and purchase_total in manager.content

    data = staff_client.get("/api/v1/reports/dashboard/").json()
    assert "gross_profit_today" not in data and "stock_value" not in data
    assert all("value" not in s for s in data["stock"])
    assert data["revenue_today"] == "650.00" and data["bills_today"] == 1
    full = manager_client.get("/api/v1/reports/dashboard/").json()
    assert full["stock_value"] == str(sum((D(s["value"]) for s in full["stock"]), D("0.00")))


def test_dashboard_warns_about_low_stock_and_counts_pending_approvals(
    month, staff_user, manager_client, plant
):
    plant.buy(staff_user, (plant.preform, 10_000, "2.00"))  # above the approval threshold: pending
    response = manager_client.get("/")
    data = response.context["data"]
    assert data["pending_approvals"] == 1
    assert "CAP-28" in data["low_stock"]  # counted down to zero, reorder level 500
    assert data["outstanding"] == D("1530.00")
