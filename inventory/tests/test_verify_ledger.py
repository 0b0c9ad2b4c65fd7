"""verify_ledger passes on data the services wrote and fails on data changed behind their back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from documents import lifecycle
from inventory.models import StockBalance
from inventory.verification import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_plant(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    sale = plant.sell(staff_user, (plant.cap, 10, "1.00"))
    lifecycle.cancel(document=sale, by=manager_user, reason="returned")
    plant.sell(staff_user, (plant.preform, 5, "3.00"))
    plant.sell(staff_user, (plant.preform, 1, "3.00"), submit=False)
    return plant


def test_verify_ledger_passes_and_exits_cleanly_on_good_data(busy_plant, capsys):
    assert verify_ledger() == []
    call_command("verify_ledger")
    assert "Ledger OK" in capsys.readouterr().out


def test_a_balance_changed_with_raw_sql_fails_the_check_naming_the_item(busy_plant, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockBalance._meta.db_table} SET quantity = quantity + 1 WHERE item_id = %s",
            [busy_plant.preform.pk],
        )
    with pytest.raises(CommandError, match="Ledger check failed: 1 problem"):
        call_command("verify_ledger")
    err = capsys.readouterr().err
    assert "PF-500: balance 96 / 190.00 but movements sum to 95 / 190.00" in err


def test_a_balance_value_changed_with_raw_sql_fails_the_check(busy_plant):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockBalance._meta.db_table} SET value = value - 0.01 WHERE item_id = %s",
            [busy_plant.cap.pk],
        )
    problems = verify_ledger()
    assert len(problems) == 1 and problems[0].startswith("CAP-28: balance 100 / 49.99")


def test_a_cancelled_bill_marked_posted_behind_the_services_back_fails_the_check(busy_plant):
    from sales.models import Sale

    cancelled = Sale.objects.get(status="cancelled")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sales_sale SET status = 'posted' WHERE id = %s", [cancelled.pk])
    found = verify_ledger()
    assert found[0] == f"{cancelled.number}: CAP-28 moved 0, its lines say -10"
    # The kept output tax no longer holds that bill either: the tax returns would be wrong too.
    assert any(line.startswith("reporting_outward") for line in found[1:])
    # Nor do the exceptions' kept facts (its creator's documents per day, the split band's bills).
    kept = ("reporting_outward", "reporting_documentday", "reporting_split")
    assert all(line.startswith(kept) for line in found[1:])
