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
from rest_framework.fields import Field, SkipField, empty
from rest_framework.filters import OrderingFilter
from rest_framework.relations import PKOnlyObject, RelatedField

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


# DRF's own ways of reading a value and of rendering it, for the plain kinds of field: each
# depends only on what the field was built with and its name, never on the serializer holding it
# (its context, its request). A field whose class keeps these (the strict input fields of
# core.api.fields only change how input is read) renders the same whichever serializer it is
# bound to.
_PLAIN_READS = frozenset({Field.get_attribute, RelatedField.get_attribute})
_PLAIN_RENDERS = frozenset(
    kind.to_representation
    for kind in (
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.PrimaryKeyRelatedField,
        serializers.UUIDField,
    )
)


def _renders_plainly(field: serializers.Field) -> bool:
    kind = type(field)
    return (
        kind.get_attribute in _PLAIN_READS
        and kind.to_representation in _PLAIN_RENDERS
        and not isinstance(field, serializers.BaseSerializer)
        # A default may read the serializer's context (CurrentUserDefault): such a field is bound
        # to each serializer as usual.
        and (field.default is empty or not callable(field.default))
    )


class CostFieldsMixin:
    """Serializer mixin: every field that reads a cost of ``Meta.model`` (by its source, whatever
    its name) is removed for anyone who may not see costs. The schema documents them as optional.

    An answer is rendered as DRF's ``Serializer.to_representation`` renders it, field by field in
    order, but the plain fields (``_renders_plainly``) are built and bound once per class and
    cost visibility, not copied again for every serializer: copying a ModelSerializer's fields
    cost a bill's answer more than the rest of it. The others (nested serializers, method fields,
    anything that may read the context) are copied and bound to each serializer, as DRF does.
    ``fields`` (the schema, OPTIONS) is DRF's own, copied per serializer.
    """

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

    @classmethod
    def _answer_plan(cls, hide: bool) -> tuple[tuple[str, serializers.Field | None], ...]:
        """The fields an answer shows, in order: a plain field bound once to a serializer of this
        class that holds nothing else, or None for a field bound to each serializer."""
        plans = cls.__dict__.get("_answer_plans")
        if plans is None:
            plans = cls._answer_plans = {}
        if hide not in plans:
            holder = cls()  # never renders anything itself: it only gives shared fields a parent
            built = holder._built_fields()
            plan = []
            for name, field in built.items():
                if hide and name in cls._cost_names:
                    continue
                if not _renders_plainly(field):
                    plan.append((name, None))
                elif not field.write_only:
                    shared = copy.deepcopy(field)
                    shared.bind(field_name=name, parent=holder)
                    plan.append((name, shared))
            plans[hide] = tuple(plan)
        return plans[hide]

    def _own_field(self, name: str) -> serializers.Field:
        own = self.__dict__.setdefault("_own_fields", {})
        if name not in own:
            field = copy.deepcopy(self._built_fields()[name])
            field.bind(field_name=name, parent=self)
            own[name] = field
        return own[name]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        hide = self.__dict__.get("_hides_costs")
        if hide is None:
            hide = self._hides_costs = hides_costs(self.context)  # once, not once per line
        answer = {}
        for name, shared in self._answer_plan(hide):
            field = shared or self._own_field(name)
            if field.write_only:
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            answer[name] = None if value is None else field.to_representation(attribute)
        return answer


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
