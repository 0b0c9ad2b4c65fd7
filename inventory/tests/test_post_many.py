"""ledger.post_many prices each posting exactly as ledger.post does, and refuses all on a shortage."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import InsufficientStock
from documents.numbering import next_number, next_numbers
from inventory import ledger
from inventory.models import StockBalance, StockMovement

pytestmark = pytest.mark.django_db


def _source(n):
    return ledger.Source(type="test.doc", id=n, number=f"T-{n}")


def _stock(plant, user):
    with transaction.atomic():
        ledger.post(
            changes=[ledger.StockChange(plant.preform.pk, 3, Decimal("10.00"))],
            kind="purchase",
            date=plant.preform.created_at.date(),
            source=_source(0),
            by=user,
        )


def test_post_many_prices_each_posting_like_post_in_order(plant, manager_user):
    _stock(plant, manager_user)
    day = plant.preform.created_at.date()
    with transaction.atomic():
        made = ledger.post_many(
            postings=[
                ledger.Posting(_source(1), [ledger.StockChange(plant.preform.pk, -1)]),
                ledger.Posting(_source(2), [ledger.StockChange(plant.preform.pk, -2)]),
            ],
            kind="sale",
            date=day,
            by=manager_user,
        )
    # 10.00 / 3 → 3.33 for the first; the second empties the item and takes the 6.67 left.
    assert [[m.value for m in ms] for ms in made] == [[Decimal("-3.33")], [Decimal("-6.67")]]
    balance = StockBalance.objects.get(item=plant.preform)
    assert (balance.quantity, balance.value) == (0, Decimal("0.00"))
    assert StockMovement.objects.filter(source_type="test.doc", source_id__in=[1, 2]).count() == 2


def test_post_many_refuses_every_posting_when_one_is_short(plant, manager_user):
    _stock(plant, manager_user)
    with pytest.raises(InsufficientStock), transaction.atomic():
        ledger.post_many(
            postings=[
                ledger.Posting(_source(1), [ledger.StockChange(plant.preform.pk, -2)]),
                ledger.Posting(_source(2), [ledger.StockChange(plant.preform.pk, -2)]),
            ],
            kind="sale",
            date=plant.preform.created_at.date(),
            by=manager_user,
        )
    assert StockBalance.objects.get(item=plant.preform).quantity == 3
    assert not StockMovement.objects.filter(kind="sale").exists()


def test_next_numbers_hands_out_a_consecutive_block(db):
    with transaction.atomic():
        day = date(2031, 6, 1)
        assert next_number("Z", day) == "Z/31-32/00001"
        assert next_numbers("Z", day, 3) == ["Z/31-32/00002", "Z/31-32/00003", "Z/31-32/00004"]
        assert next_number("Z", day) == "Z/31-32/00005"
