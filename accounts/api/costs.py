"""Cost figures in the API: left out of answers, orderings and filters for those who may not see
costs. What counts as a cost is ``accounts.costs``; nothing here lists a field.

An ordering by a hidden figure would still rank the rows by it, and a filter on one would answer
"more than X?" row by row, so both are ignored for such a caller, as DRF ignores an unknown field.
"""

from __future__ import annotations

import copy
from typing import Any

from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.filters import OrderingFilter

from accounts import costs
from core.api.base import SearchWithoutNulFilter


def hides_costs(context: dict) -> bool:
    view = context.get("view")
    if getattr(view, "swagger_fake_view", False):
        return False  # the schema documents every field; Staff simply never receive these
    request = context.get("request")
    return request is None or not costs.may_see(request.user)


def _reads_cost(model: Any, name: str, field: serializers.Field) -> bool:
    if model is None or isinstance(field, serializers.BaseSerializer):
        return False  # a nested serializer hides its own model's figures
    source = field.source or name  # not bound yet: a field without a source reads its own name
    return source != "*" and costs.is_cost_path(model, source)


class CostFieldsMixin:
    """Serializer mixin: every field that reads a cost of ``Meta.model`` (by its source, whatever
    its name) is removed for anyone who may not see costs. The schema documents them as optional."""

    def _built_fields(self) -> dict[str, serializers.Field]:
        # A ModelSerializer works its fields out from the model for every instance; work them out
        # once per class and give each instance its own copies (DRF copies a field by building it
        # again from its arguments, as it copies declared fields).
        cls = type(self)
        if "_fields_once" not in cls.__dict__:
            built = super().get_fields()
            model = getattr(getattr(cls, "Meta", None), "model", None)
            cls._cost_names = frozenset(name for name, f in built.items() if _reads_cost(model, name, f))
            cls._fields_once = built
        return cls._fields_once

    def cost_field_names(self) -> frozenset[str]:
        self._built_fields()
        return self._cost_names

    def get_fields(self):
        fields = copy.deepcopy(self._built_fields())
        if hides_costs(self.context):
            for name in self._cost_names:
                fields.pop(name, None)
        return fields


class CostOrderingFilter(OrderingFilter):
    """``?ordering=`` (and a view's default) without the terms that sort by a cost, for those who
    may not see costs."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or costs.may_see(request.user):
            return ordering
        model = queryset.model

        def without_costs(terms):
            return [
                t
                for t in terms or ()
                if not (isinstance(t, str) and costs.is_cost_path(model, t.lstrip("-")))
            ]

        return without_costs(ordering) or without_costs(self.get_default_ordering(view))


class CostFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, without the filters on a cost for those who may not see costs."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None or costs.may_see(request.user):
            return filterset
        for name, f in list(filterset.filters.items()):
            if costs.is_cost_path(queryset.model, f.field_name or name):
                del filterset.filters[name]
        return filterset


# What every list endpoint filters, searches and orders with.
API_FILTERS = [CostFilterBackend, SearchWithoutNulFilter, CostOrderingFilter]
