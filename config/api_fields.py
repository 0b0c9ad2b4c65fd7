"""Serializer fields and field handling shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from rest_framework import serializers

from config import rows


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's field, reading the row in one plain query (``rows.by_pk``) instead of through the ORM.

    For a queryset that is a model's whole table, as every document's party is: composing the
    ORM's query costs a posting more than the database takes to answer it. Errors are DRF's own.
    A filtered queryset is left to DRF.
    """

    def to_internal_value(self, data: Any) -> Model:
        queryset = self.queryset
        if self.pk_field is not None or queryset is None or queryset.query.has_filters():
            return super().to_internal_value(data)
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            key = queryset.model._meta.pk.get_prep_value(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = rows.by_pk(queryset.model, [key]).get(key)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class InputSerializer(serializers.Serializer):
    """A serializer for what a request sends."""
