"""The quick primary-key field: DRF's own errors, and only a JSON integer in range is a key."""

import pytest
from rest_framework import serializers

from core.api.fields import InputSerializer, PrimaryKeyRelatedField
from sales.models import Customer

pytestmark = pytest.mark.django_db


def _both(data, queryset=None):
    queryset = queryset if queryset is not None else Customer.objects.all()
    outcomes = []
    for field_class in (PrimaryKeyRelatedField, serializers.PrimaryKeyRelatedField):
        field = field_class(queryset=queryset)
        try:
            outcomes.append(field.to_internal_value(data))
        except serializers.ValidationError as error:
            outcomes.append(error.detail)
    return outcomes


@pytest.mark.parametrize("data", [10**30, 2**63, -5, 0])
def test_keys_out_of_range_get_drfs_own_errors(plant, data):
    ours, theirs = _both(data)
    assert ours == theirs


@pytest.mark.parametrize("data", ["abc", True, [], {}, "", None, 1.0, 1.5, "1", str(2**70)])
def test_anything_but_a_json_integer_is_refused_as_the_wrong_type(plant, data):
    # The schema says integer: DRF's own field took 1.5 (and "1") as customer 1.
    ours, _ = _both(data)
    assert [error.code for error in ours] == ["incorrect_type"]


def test_a_customer_is_found_by_its_number(plant):
    ours, theirs = _both(plant.customer.pk)
    assert ours == theirs == plant.customer
    assert ours.name == plant.customer.name


def test_a_filtered_queryset_is_honoured(plant):
    ours, theirs = _both(plant.customer.pk, Customer.objects.exclude(pk=plant.customer.pk))
    assert ours == theirs
    assert "does not exist" in str(ours)


class _Line(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)


class _Document(InputSerializer):
    number = serializers.IntegerField(max_value=5)
    lines = _Line(many=True)


def test_each_serializer_gets_its_own_bound_copies_and_the_class_keeps_its_own():
    first = _Document(data={"number": 9, "lines": [{"quantity": 0}]})
    second = _Document(data={"number": 2, "lines": []})
    assert first.fields["number"] is not second.fields["number"]
    assert first.fields["number"].parent is first and second.fields["number"].parent is second
    assert first.fields["lines"].child is not second.fields["lines"].child
    assert not first.is_valid() and second.is_valid()
    assert set(first.errors) == {"number", "lines"}
    assert second.validated_data == {"number": 2, "lines": []}


def test_two_serializers_share_no_validators_and_no_error_messages():
    from sales.api import SaleSerializer

    for make in (lambda: _Document(data={"number": 1, "lines": []}), lambda: SaleSerializer()):
        first, second = make().fields, make().fields
        for name in ("number",):
            mine, theirs = first[name], second[name]
            assert mine.validators is not theirs.validators
            assert mine.error_messages is not theirs.error_messages
            mine.validators.append(lambda value: None)
            mine.error_messages["invalid"] = "changed for one serializer only"
            assert len(theirs.validators) == len(mine.validators) - 1
            assert theirs.error_messages["invalid"] != "changed for one serializer only"
