"""Stock movements are never changed or removed: not by the model, the queryset, nor raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from inventory.models import LedgerImmutable, StockMovement
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    return StockMovement.objects.get()


def test_saving_a_changed_movement_is_refused(movement):
    before = ledger_state()
    movement.quantity = 1000
    with pytest.raises(LedgerImmutable, match="never updated; post a reversal instead"):
        movement.save()
    assert ledger_state() == before


def test_deleting_a_movement_is_refused(movement):
    before = ledger_state()
    with pytest.raises(LedgerImmutable, match="never deleted; post a reversal instead"):
        movement.delete()
    assert ledger_state() == before


def test_queryset_update_and_delete_of_movements_are_refused(movement):
    before = ledger_state()
    with pytest.raises(LedgerImmutable, match="never updated"):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=0)
    with pytest.raises(LedgerImmutable, match="never deleted"):
        StockMovement.objects.all().delete()
    assert ledger_state() == before


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE inventory_stockmovement SET quantity = 1000",
        "DELETE FROM inventory_stockmovement",
    ],
)
def test_raw_sql_changes_to_movements_are_refused_by_the_database(movement, statement):
    before = ledger_state()
    with (
        pytest.raises(DatabaseError, match="stock movements are append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert ledger_state() == before
