"""Serializer fields and field handling shared by the apps' APIs."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model
from rest_framework import fields, serializers

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


def copy_fields(prototypes: dict[str, fields.Field]) -> dict[str, fields.Field]:
    """A serializer instance's own copies of its class's unbound fields.

    DRF deep-copies every field for every serializer instance (``Field.__deepcopy__`` builds the
    field again from its arguments), which is most of what building a bill's answer costs. A
    plain field holds nothing of a request's until it is bound to its serializer, and binding
    sets attributes on the copy alone, so a shallow copy serves as well. Fields that hold other
    fields (nested serializers, list and dict fields, many-related fields) are still deep-copied.
    """
    return {
        name: copy.deepcopy(field) if _holds_fields(field) else _shallow_copy(field)
        for name, field in prototypes.items()
    }


def _shallow_copy(field: fields.Field) -> fields.Field:
    # What copy.copy does for a plain object, without its generic protocol (a few times faster).
    twin = object.__new__(type(field))
    twin.__dict__.update(field.__dict__)
    return twin


def _holds_fields(field: fields.Field) -> bool:
    return (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    )


class InputSerializer(serializers.Serializer):
    """A serializer for what a request sends, whose fields are copied with ``copy_fields``."""

    def get_fields(self) -> dict[str, fields.Field]:
        return copy_fields(self._declared_fields)
