"""Importing price lists and the cash book's accounts with their opening balances: a bad row in
the middle writes nothing and is named by row and column, a good file writes every row, and an
export imports back unchanged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cashbook.models import Account
from cashbook.services import save_account
from golive.importing import RowError, export_csv, export_xlsx, run_import
from inventory.services import close_period
from sales.models import PriceList, PriceListEntry
from sales.pricing import list_prices, save_price_list
from sales.services import record_payment, save_customer

pytestmark = pytest.mark.django_db
D = Decimal


def _counts() -> tuple:
    return (
        PriceList.objects.count(),
        PriceList.history.count(),
        PriceListEntry.objects.count(),
        PriceListEntry.history.count(),
        Account.objects.count(),
        Account.history.count(),
    )


def _prices(plant, day: str) -> str:
    return (
        "price_list,customer,sku,price,valid_from\n"
        f"Distributors,,{plant.bottle.sku},4.50,{day}\n"
        f"Distributors,,{plant.preform.sku},1.2.5,{day}\n"
        f",Lake View Hotel,{plant.bottle.sku},5.25,{day}\n"
    )


@pytest.fixture
def hotel(manager_user):
    own = save_price_list(by=manager_user, name="Lake View list")
    return save_customer(by=manager_user, name="Lake View Hotel", price_list=own)


def test_a_bad_price_row_in_the_middle_writes_nothing_and_names_its_row_and_column(
    plant, manager_user, hotel
):
    before = _counts()
    day = timezone.localdate().isoformat()
    for dry_run in (True, False):
        result = run_import(
            by=manager_user,
            kind="price_lists",
            data=_prices(plant, day).encode(),
            filename="p.csv",
            dry_run=dry_run,
        )
        assert result.errors == [RowError(3, "price", "enter a number (not '1.2.5')")]
        assert not result.written and _counts() == before


def test_a_good_price_file_writes_every_row_into_the_lists_bills_read(plant, manager_user, hotel):
    day = timezone.localdate()
    good = _prices(plant, day.isoformat()).replace("1.2.5", "1.25")
    checked = run_import(
        by=manager_user, kind="price_lists", data=good.encode(), filename="p.csv", dry_run=True
    )
    assert (checked.errors, checked.created, PriceListEntry.objects.count()) == ([], 3, 0)
    result = run_import(
        by=manager_user, kind="price_lists", data=good.encode(), filename="p.csv", dry_run=False
    )
    assert (result.errors, result.created, result.written) == ([], 3, True)
    distributors = PriceList.objects.get(name="Distributors")
    assert {e.item_id: e.price for e in distributors.entries.all()} == {
        plant.bottle.pk: D("4.50"),
        plant.preform.pk: D("1.25"),
    }
    # the customer's row went into the customer's own list, which their bills read
    assert list_prices(customer=hotel, item_ids=[plant.bottle.pk], on=day) == {plant.bottle.pk: D("5.25")}
    changed = good.replace("4.50", "4.75")
    result = run_import(
        by=manager_user, kind="price_lists", data=changed.encode(), filename="p.csv", dry_run=False
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)


def test_a_price_row_the_service_refuses_is_named(plant, manager_user):
    rows = "price_list,customer,sku,price\n,Nobody,BTL-500,4\nRetail,,NOPE,4\nRetail,,NOPE,5\n"
    result = run_import(
        by=manager_user, kind="price_lists", data=rows.encode(), filename="p.csv", dry_run=False
    )
    assert result.errors == [
        RowError(2, "customer", "no customer is named Nobody"),
        RowError(3, "sku", "no item has SKU NOPE"),
        RowError(4, "sku", "repeats row 3"),
    ]
    assert not PriceList.objects.exists()


ACCOUNTS = (
    "name,kind,opening_balance,opening_date,default_for\n"
    "Cash box,cash,1500.00,{day},cash\n"
    "State Bank,bank,-250.00,someday,bank\n"
    "UPI,upi,0,{day},upi\n"
)


def test_a_bad_account_row_in_the_middle_writes_nothing_and_names_its_row_and_column(manager_user):
    day = timezone.localdate().isoformat()
    for dry_run in (True, False):
        result = run_import(
            by=manager_user,
            kind="accounts",
            data=ACCOUNTS.format(day=day).encode(),
            filename="a.csv",
            dry_run=dry_run,
        )
        assert result.errors == [RowError(3, "opening_date", "enter a date as YYYY-MM-DD (not 'someday')")]
        assert not Account.objects.exists()


def test_a_good_account_file_writes_every_opening_balance(manager_user):
    day = timezone.localdate() - timedelta(days=5)
    good = ACCOUNTS.format(day=day.isoformat()).replace("someday", day.isoformat())
    result = run_import(by=manager_user, kind="accounts", data=good.encode(), filename="a.csv", dry_run=False)
    assert (result.errors, result.created) == ([], 3)
    bank = Account.objects.get(name="State Bank")
    assert (bank.kind, bank.opening_balance, bank.opening_date, bank.default_for) == (
        "bank",
        D("-250.00"),
        day,
        "bank",
    )


def test_an_opening_balance_import_is_refused_in_a_closed_period_or_after_an_entry(
    plant, staff_user, manager_user
):
    start = timezone.localdate() - timedelta(days=10)
    save_account(by=manager_user, name="Cash box", kind="cash", opening_balance=D("10"), opening_date=start)
    cash = Account.objects.get()
    record_payment(
        by=staff_user, customer=plant.customer, amount=D("5.00"), method="cash", account=cash, date=start
    )
    later = (start + timedelta(days=1)).isoformat()
    result = run_import(
        by=manager_user,
        kind="accounts",
        data=f"name,opening_balance,opening_date\nCash box,10.00,{later}\n".encode(),
        filename="a.csv",
        dry_run=False,
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "opening_date")]
    assert "dated before" in result.errors[0].reason
    close_period(by=manager_user, through=start)
    result = run_import(
        by=manager_user,
        kind="accounts",
        data=f"name,opening_balance,opening_date\nCash box,99.00,{start.isoformat()}\n".encode(),
        filename="a.csv",
        dry_run=False,
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "opening_balance")]
    assert "closed period" in result.errors[0].reason
    cash.refresh_from_db()
    assert (cash.opening_balance, cash.opening_date) == (D("10.00"), start)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_re_importing_price_lists_and_accounts_changes_nothing(plant, manager_user, hotel, fmt):
    day = timezone.localdate()
    save_account(
        by=manager_user,
        name="-Overdraft",
        kind="bank",
        opening_balance=D("-75.50"),
        opening_date=day,
        default_for="bank",
    )
    save_account(
        by=manager_user, name="Till", kind="cash", opening_balance=D("0"), opening_date=day, is_active=False
    )
    good = _prices(plant, day.isoformat()).replace("1.2.5", "1.25")
    good += f"Distributors,,{plant.bottle.sku},4.60,{(day + timedelta(days=7)).isoformat()}\n"
    run_import(by=manager_user, kind="price_lists", data=good.encode(), filename="p.csv", dry_run=False)
    before = _counts()
    for kind in ("price_lists", "accounts"):
        data = export_csv(kind).encode() if fmt == "csv" else export_xlsx(kind)
        result = run_import(by=manager_user, kind=kind, data=data, filename=f"{kind}.{fmt}", dry_run=False)
        assert result.errors == [], kind
        assert result.created == result.updated == 0 and result.unchanged == result.rows > 0, kind
    assert _counts() == before


def test_the_import_command_reads_accounts(manager_user, tmp_path, capsys):
    day = timezone.localdate().isoformat()
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS.format(day=day))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", "accounts", str(path), by=manager_user.username)
    assert "row 3, column opening_date" in capsys.readouterr().err
    path.write_text(ACCOUNTS.format(day=day).replace("someday", day))
    call_command("import", "accounts", str(path), "--dry-run", by=manager_user.username)
    assert not Account.objects.exists()
    call_command("import", "accounts", str(path), by=manager_user.username)
    assert Account.objects.count() == 3


def test_the_page_offers_price_lists_and_accounts_with_their_templates(manager_client, manager_user):
    page = manager_client.get(reverse("golive:import"))
    assert b"Price lists" in page.content and b"Accounts and opening balances" in page.content
    response = manager_client.get(reverse("golive:template", args=["accounts", "csv"]))
    assert response.status_code == 200
    header = response.content.decode().splitlines()[0]
    assert header == "name,kind,opening_balance,opening_date,default_for,is_active"
    response = manager_client.get(reverse("golive:template", args=["price_lists", "xlsx"]))
    assert response.status_code == 200
