"""COPY-loaded rows are the rows bulk_create would have written: ids set, timestamps filled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from core.bulk_copy import insert_new, take_ids
from inventory.models import MovementKind, StockMovement

pytestmark = pytest.mark.django_db


def _movement(plant, user, n: int) -> StockMovement:
    return StockMovement(
        item=plant.cap,
        kind=MovementKind.ADJUSTMENT,
        quantity=n,
        value=Decimal(n) / 4,
        unit_cost=Decimal("0.25"),
        date="2026-11-20",
        source_type="test",
        source_id=n,
        source_number=f"T-{n}",
        posted_by=user,
    )


def test_insert_new_stores_each_object_with_its_id_and_timestamp(plant, manager_user):
    objects = [_movement(plant, manager_user, n) for n in range(1, 8)]
    with transaction.atomic():
        insert_new(StockMovement, objects)
    assert all(m.pk for m in objects) and len({m.pk for m in objects}) == 7
    stored = {m.pk: m for m in StockMovement.objects.filter(source_type="test")}
    for obj in objects:
        row = stored[obj.pk]
        assert (row.quantity, row.value, row.source_number) == (obj.quantity, obj.value, obj.source_number)
        assert row.posted_at is not None
    assert [m.pk for m in objects] == sorted(m.pk for m in objects)  # in the order given


def test_ids_taken_first_are_the_ids_stored_and_never_handed_out_again(plant, manager_user):
    with transaction.atomic():
        ids = take_ids(StockMovement, 3)
        objects = [_movement(plant, manager_user, n) for n in range(1, 4)]
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
        insert_new(StockMovement, objects)
        later = _movement(plant, manager_user, 9)
        insert_new(StockMovement, [later])
    assert sorted(StockMovement.objects.filter(source_type="test").values_list("pk", flat=True)) == [
        *ids,
        later.pk,
    ]
    assert later.pk > max(ids)
