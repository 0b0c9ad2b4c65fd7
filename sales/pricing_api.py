"""Price lists over the REST API: anyone with a role reads them (selling prices, no costs);
Managers keep them, through ``sales.pricing``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import mixins, serializers, viewsets

from accounts import roles
from accounts.api.costs import API_FILTERS
from core.api.fields import MODEL_FIELD_MAPPING, DecimalField, PrimaryKeyRelatedField
from core.api.filters import FilterSet, IdFilter
from documents.api import HistoryMixin, RoleRulesMixin
from inventory.models import Item
from sales import pricing
from sales.models import PriceList, PriceListEntry


class PriceListSerializer(serializers.ModelSerializer):
    serializer_field_mapping = MODEL_FIELD_MAPPING

    class Meta:
        model = PriceList
        fields = ("id", "name", "is_default", "is_active", "notes")


class PriceListViewSet(
    RoleRulesMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Price lists: the default list and those customers are assigned to."""

    queryset = PriceList.objects.all()
    serializer_class = PriceListSerializer
    filter_backends = API_FILTERS
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ["-is_default", "name"]

    def _save(self, serializer: Any, instance: PriceList | None) -> None:
        data = {
            "name": serializer.validated_data.get("name", instance.name if instance else ""),
            "is_default": serializer.validated_data.get(
                "is_default", instance.is_default if instance else False
            ),
            "is_active": serializer.validated_data.get("is_active", instance.is_active if instance else True),
            "notes": serializer.validated_data.get("notes", instance.notes if instance else ""),
        }
        serializer.instance = pricing.save_price_list(by=self.request.user, price_list=instance, **data)

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)


class PriceListEntrySerializer(serializers.ModelSerializer):
    price_list = PrimaryKeyRelatedField(queryset=PriceList.objects.all())
    item = PrimaryKeyRelatedField(queryset=Item.objects.all())
    sku = serializers.CharField(source="item.sku", read_only=True)
    price = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))

    class Meta:
        model = PriceListEntry
        fields = ("id", "price_list", "item", "sku", "price", "valid_from")
        validators: list = []  # a second entry for the same day replaces the first (the service)


class PriceListEntryFilter(FilterSet):
    price_list = IdFilter(field_name="price_list_id")
    item = IdFilter(field_name="item_id")

    class Meta:
        model = PriceListEntry
        fields: list[str] = []


class PriceListEntryViewSet(
    RoleRulesMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """An item's price on a list from a date on; a new price is a new entry (history keeps all)."""

    queryset = PriceListEntry.objects.select_related("item")
    serializer_class = PriceListEntrySerializer
    filter_backends = API_FILTERS
    filterset_class = PriceListEntryFilter
    ordering_fields = ["valid_from", "id"]
    ordering = ["price_list", "item", "-valid_from"]
    write_rule = staticmethod(roles.can_manage_master_data)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = pricing.set_price(by=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: PriceListEntry) -> None:
        pricing.remove_price(by=self.request.user, entry=instance)
