"""A bill's lines over the API are validated by fields built once (``core.api.fields.RowList``):
whatever is sent, the answer — the validated lines or every error, which line and which field —
is the one DRF's own nested line serializer gives."""

from __future__ import annotations

import pytest

from documents.api import MAX_LINES
from inventory.services import save_pack
from sales.api import SaleInSerializer, SaleLineInSerializer

pytestmark = pytest.mark.django_db


class NestedSaleIn(SaleInSerializer):
    """The input as DRF validates it with a copy of the line serializer for every request."""

    lines = SaleLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)


def _cases(plant, pack) -> list:
    bottle, cap = plant.bottle.pk, plant.cap.pk
    good = {"item": bottle, "quantity": 3, "unit_price": "5.00"}
    odd_lines = [
        {**good, "discount": "1.50"},
        {**good, "pack": None, "packs": None},
        {**good, "quantity": 48, "pack": pack.pk, "packs": 2},
        {**good, "pack": 10**9},
        {**good, "pack": "1"},
        {**good, "packs": -1},
        {**good, "quantity": "5"},
        {**good, "quantity": 5.0},
        {**good, "quantity": 0},
        {**good, "quantity": 1.5},
        {**good, "quantity": True},
        {**good, "quantity": None},
        {**good, "quantity": 10**12},
        {"item": bottle, "quantity": 1},
        {**good, "unit_price": 5},
        {**good, "unit_price": "1e3"},
        {**good, "unit_price": " 5"},
        {**good, "unit_price": "-1.00"},
        {**good, "unit_price": "5.001"},
        {**good, "unit_price": "12345678901.00"},
        {**good, "unit_price": None},
        {**good, "unit_price": ""},
        {**good, "discount": "-0.01"},
        {**good, "discount": None},
        {**good, "item": "abc"},
        {**good, "item": 0},
        {**good, "item": 10**9},
        {**good, "item": plant.preform.pk},  # not sold
        {"quantity": 1, "unit_price": "1.00"},
        {**good, "colour": "blue"},
        {},
    ]
    bodies = [{"customer": plant.customer.pk, "submit": True, "lines": [good, line]} for line in odd_lines]
    bodies += [
        {"customer": plant.customer.pk, "lines": lines}
        for lines in (
            [good],
            [good, {**good, "item": cap, "unit_price": "0.50"}, {**good, "unit_price": "x"}],
            [good, [good]],
            [good, None],
            [good, "line"],
            [],
            {"0": good},
            "lines",
            None,
            [good] * MAX_LINES,
            [good] * (MAX_LINES + 1),
        )
    ]
    bodies += [{"customer": plant.customer.pk}, {"lines": [good]}, {"customer": 10**9, "lines": [good]}]
    return bodies


def test_every_line_sent_is_validated_or_refused_exactly_as_drfs_nested_serializer_does(
    plant, manager_user, staff_user
):
    pack = save_pack(by=manager_user, item=plant.bottle, name="carton", quantity=24)
    context = {"request": None}
    for body in _cases(plant, pack):
        ours, nested = SaleInSerializer(data=body, context=context), NestedSaleIn(data=body, context=context)
        valid = ours.is_valid()
        assert valid == nested.is_valid(), body
        if valid:
            assert ours.validated_data == nested.validated_data, body
        else:
            assert ours.errors == nested.errors, body


def test_a_refused_line_over_the_api_names_its_line_and_field_and_writes_nothing(plant, staff_user):
    from rest_framework.test import APIClient

    from sales.models import Sale

    api = APIClient()
    api.force_authenticate(staff_user)
    good = {"item": plant.bottle.pk, "quantity": 3, "unit_price": "5.00"}
    body = {"customer": plant.customer.pk, "lines": [good, {**good, "quantity": 0, "unit_price": "1e3"}]}
    response = api.post("/api/v1/sales/", body, format="json")
    assert response.status_code == 400
    lines = response.json()["error"]["fields"]["lines"]
    assert set(lines) == {"1"}  # the second line, keyed by its index
    assert set(lines["1"]) == {"quantity", "unit_price"}
    assert not Sale.objects.exists()
