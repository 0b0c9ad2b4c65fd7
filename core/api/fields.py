"""Serializer fields and field handling shared by the apps' APIs."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model
from rest_framework import serializers
from rest_framework.fields import SkipField

from core import rows

# The largest id a bigint column holds (also the bound of core.api.filters.IdFilter).
MAX_ID = 2**63 - 1


class DecimalField(serializers.DecimalField):
    """DRF's field, taking only what its schema's ``pattern`` allows: a string of plain digits.

    DRF's own field reads whatever ``Decimal()`` reads ("1e3", " 5 ", ".5", JSON numbers, which
    arrive as floats), while the OpenAPI schema promises digits with at most so many places. This
    field refuses the rest, so the schema is the whole rule (the pattern is built by ``pattern``,
    and core.api.schema documents it).
    """

    default_error_messages = {
        "invalid": 'Send a plain decimal number as a string, e.g. "12.50" (no exponent, no spaces).',
    }

    @property
    def pattern(self) -> str:
        # [0-9], not \d: Python's \d takes every script's digits, the schema's (ECMA) ASCII only.
        places = rf"(?:\.[0-9]{{1,{self.decimal_places}}})?"
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        if self.max_whole_digits == 0:
            return rf"^{sign}0{places}$"
        number = f"[0-9]{{1,{self.max_whole_digits}}}{places}"
        ceiling = self.max_value
        if ceiling is not None and ceiling > 0 and ceiling.log10() % 1 == 0 and ceiling.log10() < 99:
            # A ceiling of 10, 100, ...: fewer whole digits, or the ceiling itself.
            digits = int(ceiling.log10())
            if digits < self.max_whole_digits:
                exact = rf"1{'0' * digits}(?:\.0{{1,{self.decimal_places}}})?"
                number = rf"(?:[0-9]{{1,{digits}}}{places}|{exact})"
        return rf"^{sign}{number}$"

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF reads "" (and spaces) as null where null is allowed; the schema says null is null.
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(serializers.CharField):
    """DRF's field, taking only a JSON string no longer than its ``max_length`` as sent.

    DRF's own field takes numbers as text (``5`` becomes ``"5"``) and measures the length after
    trimming the ends, so a value longer than the schema's ``maxLength`` got in when it began or
    ended with spaces.
    """

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    """DRF's field, taking only JSON ``true`` and ``false``, as the schema says (DRF's own also
    takes 0, 1, "yes", "off" and the like)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# For a ModelSerializer's ``serializer_field_mapping``: model text, flags and decimals become
# the strict fields above.
MODEL_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.BooleanField: BooleanField,
    models.CharField: CharField,
    models.TextField: CharField,
    models.DecimalField: DecimalField,
}


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's field, reading the row in one plain query (``rows.by_pk``) instead of through the ORM.

    For a queryset that is a model's whole table, as every document's party is: composing the
    ORM's query costs a posting more than the database takes to answer it. Errors are DRF's own.
    A filtered queryset is left to DRF.

    A key must be a JSON integer from 1 to the largest bigint, as the schema says: DRF's own field
    would take ``1.5`` or ``"1"`` as 1.
    """

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        queryset = self.queryset
        if self.pk_field is not None or queryset is None or queryset.query.has_filters():
            return super().to_internal_value(data)
        key = queryset.model._meta.pk.get_prep_value(data)
        found = rows.by_pk(queryset.model, [key]).get(key)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


@cache
def _key_field_class(model: type[Model]) -> type[PrimaryKeyRelatedField]:
    return type(
        f"{model.__name__}KeyField",
        (PrimaryKeyRelatedField,),
        {"queryset": model._meta.default_manager.all(), "__module__": __name__},
    )


def key_of(model: type[Model], **kwargs: Any) -> PrimaryKeyRelatedField:
    """``PrimaryKeyRelatedField(queryset=<the model's whole table>, **kwargs)``, with the table held
    by the field's class (DRF reads a class's ``queryset`` as it reads the argument, and clones it
    for each use). A serializer copies its fields from their arguments for every request, and
    copying a QuerySet argument cost more than building the rest of the field."""
    return _key_field_class(model)(**kwargs)


class InputSerializer(serializers.Serializer):
    """A serializer for what a request sends."""


@cache
def _row_fields(serializer_class: type[serializers.Serializer]) -> tuple[serializers.Field, ...] | None:
    """The writable fields of one instance of ``serializer_class``, built once; None when the
    serializer validates more than its fields do (its own ``validate``, ``validate_<field>``
    methods or validators), which only a whole serializer applies."""
    serializer = serializer_class()
    if (
        type(serializer).validate is not serializers.Serializer.validate
        or serializer.get_validators()
        or any(hasattr(serializer, f"validate_{name}") for name in serializer.fields)
    ):
        return None
    fields = tuple(field for field in serializer.fields.values() if not field.read_only)
    if any(isinstance(field, serializers.BaseSerializer) or "." in field.source for field in fields):
        return None  # a nested serializer or a dotted source: left to DRF
    return fields


class RowList(serializers.ListSerializer):
    """A list of flat rows (a document's lines) validated by its child's fields, built once per
    child class, instead of by a copy of the child serializer and its fields made for every request.

    DRF copies a serializer's fields for each instance (``deepcopy``, which rebuilds every field
    from its arguments) and, for a list, runs the child serializer on each row. The fields
    themselves keep no state while they validate a value, so one set serves every row of every
    request. Only rows the fields accept take this way: any list or row they refuse is validated
    again the usual way, so every error is DRF's own, in DRF's shape (which row, which field).
    """

    def to_internal_value(self, data: Any) -> list[dict]:
        rows = self.accepted_rows(data)
        return super().to_internal_value(data) if rows is None else rows

    def accepted_rows(self, data: Any) -> list[dict] | None:
        """The validated rows, or None where DRF's own validation must speak."""
        fields = _row_fields(type(self.child))
        if fields is None or type(data) is not list or not (data or self.allow_empty):
            return None
        if self.min_length is not None and len(data) < self.min_length:
            return None
        if self.max_length is not None and len(data) > self.max_length:
            return None
        rows = []
        for row in data:
            if type(row) is not dict:
                return None
            validated = {}
            for field in fields:
                try:
                    validated[field.source] = field.run_validation(field.get_value(row))
                except SkipField:
                    continue
                except (serializers.ValidationError, DjangoValidationError):
                    return None
            rows.append(validated)
        return rows
