"""Items (+ recipes), stock balances and movements, stock counts and closed periods."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.api.costs import API_FILTERS
from accounts.api.idempotency import IdempotentCreateMixin
from core.api.base import LedgerPagination
from core.api.filters import FilterSet, IdFilter, TrueOrFalseFilter
from documents.api import (
    DOCUMENT_USERS,
    DocumentFilter,
    DraftDocumentViewSet,
    HistoryMixin,
    ReasonSerializer,
    RoleRulesMixin,
    Rule,
)
from inventory import count_entry, services
from inventory.api import serializers as s
from inventory.models import (
    ClosedPeriod,
    Item,
    ItemKind,
    MovementKind,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
)

FILTERS = API_FILTERS


class ItemFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=ItemKind.choices)
    is_active = TrueOrFalseFilter()

    class Meta:
        model = Item
        fields = ["kind", "is_active"]


class ItemViewSet(
    IdempotentCreateMixin,
    RoleRulesMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Items: everyone reads; only a Manager adds, changes or deletes them and their recipes."""

    queryset = Item.objects.all()
    serializer_class = s.ItemSerializer
    filter_backends = FILTERS
    filterset_class = ItemFilter
    search_fields = ["sku", "name"]
    ordering_fields = ["sku", "name", "kind", "created_at", "id"]
    ordering = ["sku"]

    def rule_for(self, action_name: str | None) -> Rule:
        if action_name == "recipe" and self.request.method not in ("GET", "HEAD"):
            return self.write_rule
        if action_name == "recipe":
            return self.read_rule
        return super().rule_for(action_name)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.save_item_with_recipe(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        # The recipe is kept (PUT .../recipe/ replaces it); only a bottle may keep one.
        serializer.instance = services.save_item_with_recipe(
            by=self.request.user, item=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Item) -> None:
        services.delete_item(by=self.request.user, item=instance)

    @extend_schema(methods=["GET"], responses=s.RecipeOutSerializer, filters=False)
    @extend_schema(methods=["PUT"], request=s.RecipeInSerializer, responses=s.RecipeOutSerializer)
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def recipe(self, request: Request, pk: str | None = None) -> Response:
        """A bottle's recipe: the inputs used per good bottle. PUT replaces it (Manager)."""
        item = self.get_object()
        if request.method == "PUT":
            serializer = s.RecipeInSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            lines = [
                services.RecipeInput(item=line["item"], quantity=line["quantity"])
                for line in serializer.validated_data["lines"]
            ]
            services.set_recipe(by=request.user, bottle=item, lines=lines)
        rows = item.recipe_lines.select_related("component").order_by("component__sku")
        return Response(s.RecipeOutSerializer({"lines": rows}).data)


class BalanceFilter(FilterSet):
    kind = filters.ChoiceFilter(field_name="item__kind", choices=ItemKind.choices)
    below_reorder = TrueOrFalseFilter(method="filter_below_reorder")

    def filter_below_reorder(self, queryset, name, value):
        return queryset.filter(quantity__lt=F("item__reorder_level")) if value else queryset

    class Meta:
        model = StockBalance
        fields = ["kind"]


class BalanceViewSet(RoleRulesMixin, viewsets.ReadOnlyModelViewSet):
    """What is in stock now; Staff see quantities only, never values."""

    queryset = StockBalance.objects.select_related("item")
    serializer_class = s.BalanceSerializer
    filter_backends = FILTERS
    filterset_class = BalanceFilter
    search_fields = ["item__sku", "item__name"]
    ordering_fields = ["item__sku", "quantity", "value"]
    ordering = ["item__sku"]


class MovementFilter(FilterSet):
    date = filters.DateFromToRangeFilter()
    kind = filters.ChoiceFilter(choices=MovementKind.choices)
    item = IdFilter(field_name="item_id")
    source_type = filters.CharFilter()
    source_id = IdFilter()

    class Meta:
        model = StockMovement
        fields = ["item", "kind", "source_type", "source_id"]


class MovementViewSet(RoleRulesMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only stock ledger (Managers and the Owner: every line carries a cost)."""

    queryset = StockMovement.objects.select_related("item", "posted_by")
    serializer_class = s.MovementSerializer
    pagination_class = LedgerPagination
    read_rule = staticmethod(roles.can_see_costs)
    filter_backends = FILTERS
    filterset_class = MovementFilter
    search_fields = ["source_number", "item__sku"]
    ordering_fields = ["id", "date", "quantity", "value"]
    ordering = ["-id"]


class StockCountFilter(DocumentFilter):
    item = IdFilter(field_name="lines__item", distinct=True)


class StockCountViewSet(DraftDocumentViewSet):
    """Physical counts (Managers): posting writes adjustments for the differences."""

    model = StockCount
    queryset = StockCount.objects.select_related(*DOCUMENT_USERS).prefetch_related(
        Prefetch("lines", queryset=StockCountLine.objects.select_related("item"))
    )
    serializer_class = s.StockCountSerializer
    input_serializer_class = s.StockCountInSerializer
    filterset_class = StockCountFilter
    read_rule = staticmethod(roles.can_see_costs)

    def create_document(self, by: Any, data: dict) -> StockCount:
        return count_entry.create_count(
            by=by, data=data, lines=data["lines"], request_key=self.document_key, submit=data["submit"]
        )

    def update_document(self, document: StockCount, by: Any, data: dict) -> StockCount:
        return count_entry.update_count(count=document, by=by, data=data, lines=data["lines"])


class PeriodViewSet(
    IdempotentCreateMixin,
    RoleRulesMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Closed periods, latest first (Managers and the Owner). POST closes one (Manager); nothing
    dated on or before ``closed_through`` can then be entered, posted or cancelled. The Owner may
    reopen the latest close, with a reason; the close stays on record, marked reopened."""

    queryset = ClosedPeriod.objects.select_related("closed_by", "reopened_by")
    serializer_class = s.ClosedPeriodSerializer
    filter_backends: list = []
    read_rule = staticmethod(roles.can_see_periods)
    write_rule = staticmethod(roles.can_close_periods)
    action_rules = {"reopen": roles.can_reopen_periods}

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.close_period(
            by=self.request.user, through=data["closed_through"], note=data.get("note", "")
        )

    @extend_schema(request=ReasonSerializer, responses={status.HTTP_200_OK: s.ClosedPeriodSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen the latest close (the Owner), with a reason; it is logged and kept in the history."""
        period = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        period = services.reopen_period(
            by=request.user, period=period, reason=reason.validated_data["reason"]
        )
        return Response(s.ClosedPeriodSerializer(period).data)
