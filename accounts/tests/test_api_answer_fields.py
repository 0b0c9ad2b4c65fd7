"""A document's answer renders its plain fields from fields bound once per class
(``CostFieldsMixin``): what it shows must be exactly what DRF's own field-by-field rendering
shows, to each role, and a field that reads the request must still read each serializer's own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework import serializers

from accounts.api.costs import CostFieldsMixin
from inventory.api.serializers import BalanceSerializer, MovementSerializer
from inventory.models import StockBalance, StockMovement
from sales.api import SaleLineOutSerializer, SaleSerializer
from sales.models import Customer, Sale
from sales.selectors import bills_with_payments

pytestmark = pytest.mark.django_db


def _context(user) -> dict:
    return {"request": SimpleNamespace(user=user)}


def _as_drf_renders(serializer: serializers.Serializer, instance) -> dict:
    """DRF's own ``Serializer.to_representation``: every readable field of ``serializer.fields``,
    copied for this serializer and bound to it."""
    return super(CostFieldsMixin, serializer).to_representation(instance)


def test_an_answer_shows_what_drf_renders_field_by_field_to_staff_and_managers(
    plant, staff_user, manager_user
):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"), (plant.cap, 10, "0.50"))
    made = plant.sell(staff_user, (plant.bottle, 2, "5.00"), (plant.cap, 3, "1.00", "0.50"))
    sale = bills_with_payments(Sale.objects.filter(pk=made.pk)).get()
    balance = StockBalance.objects.select_related("item").get(item=plant.bottle)
    movement = StockMovement.objects.select_related("item", "posted_by").filter(item=plant.bottle).first()
    line = sale.lines.select_related("item").first()
    rendered = (
        (SaleSerializer, sale),
        (SaleLineOutSerializer, line),
        (BalanceSerializer, balance),
        (MovementSerializer, movement),
    )
    for user in (staff_user, manager_user, staff_user):  # staff again: each visibility kept apart
        for kind, instance in rendered:
            serializer = kind(instance, context=_context(user))
            assert serializer.data == _as_drf_renders(kind(instance, context=_context(user)), instance)
    staff_answer = SaleSerializer(sale, context=_context(staff_user)).data
    manager_answer = SaleSerializer(sale, context=_context(manager_user)).data
    assert "cost" not in staff_answer and "cost" not in staff_answer["lines"][0]
    assert manager_answer["cost"] == "7.50" and manager_answer["lines"][0]["cost"] == "6.00"
    assert [line["sku"] for line in staff_answer["lines"]] == ["BTL-500", "CAP-28"]


class _WhoAsks(CostFieldsMixin, serializers.ModelSerializer):
    asked_by = serializers.SerializerMethodField()
    owner = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Customer
        fields = ("id", "name", "asked_by", "owner")

    def get_asked_by(self, customer: Customer) -> str:
        return self.context["request"].user.username


def test_a_field_that_reads_the_request_reads_each_serializers_own(plant, staff_user, manager_user):
    first = _WhoAsks(plant.customer, context=_context(staff_user)).data
    second = _WhoAsks(plant.customer, context=_context(manager_user)).data
    assert first == {"id": plant.customer.pk, "name": "Aqua Traders", "asked_by": "sam_staff"}
    assert second == {"id": plant.customer.pk, "name": "Aqua Traders", "asked_by": "mia_manager"}
