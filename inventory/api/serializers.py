"""Input and output shapes for items, recipes, stock and stock counts."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from accounts.api.costs import CostFieldsMixin
from core.api.fields import (
    MODEL_FIELD_MAPPING,
    BooleanField,
    CharField,
    DecimalField,
    InputSerializer,
    PrimaryKeyRelatedField,
)
from documents.api import (
    DOCUMENT_FIELDS,
    MAX_LINES,
    MAX_QUANTITY,
    DocumentOutMixin,
    item_field,
    resolve_items,
)
from inventory.models import (
    ClosedPeriod,
    Item,
    RecipeLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
)
from inventory.services import ITEM_FIELDS


class ItemSerializer(serializers.ModelSerializer):
    serializer_field_mapping = MODEL_FIELD_MAPPING  # prices and weights: digits only, as the schema says

    class Meta:
        model = Item
        fields = ("id", *ITEM_FIELDS, "created_at")
        extra_kwargs = {
            "reorder_level": {"max_value": MAX_QUANTITY},
            "volume_ml": {"max_value": 100_000},
            "default_price": {"max_digits": 10},
            "weight_g": {"min_value": Decimal("0")},
        }


class RecipeLineOutSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="component_id")
    sku = serializers.CharField(source="component.sku")

    class Meta:
        model = RecipeLine
        fields = ("item", "sku", "quantity")


class RecipeLineInSerializer(InputSerializer):
    item = PrimaryKeyRelatedField(queryset=Item.objects.all())
    quantity = DecimalField(
        max_digits=6, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal("10")
    )


class RecipeInSerializer(InputSerializer):
    lines = RecipeLineInSerializer(many=True, max_length=MAX_LINES)


class RecipeOutSerializer(serializers.Serializer):
    lines = RecipeLineOutSerializer(many=True)


class BalanceSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")
    name = serializers.CharField(source="item.name")
    kind = serializers.CharField(source="item.kind")
    unit = serializers.CharField(source="item.unit")
    reorder_level = serializers.IntegerField(source="item.reorder_level")
    average_cost = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)

    class Meta:
        model = StockBalance
        fields = ("item", "sku", "name", "kind", "unit", "reorder_level", "quantity", "value", "average_cost")


class MovementSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")
    posted_by = serializers.CharField(source="posted_by.username")

    class Meta:
        model = StockMovement
        fields = (
            "id",
            "item",
            "sku",
            "kind",
            "quantity",
            "value",
            "unit_cost",
            "date",
            "source_type",
            "source_id",
            "source_number",
            "reverses",
            "posted_by",
            "posted_at",
        )


class CountLineOutSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = StockCountLine
        fields = ("item", "sku", "counted_quantity", "system_quantity", "difference", "variance_value")


class StockCountSerializer(CostFieldsMixin, DocumentOutMixin, serializers.ModelSerializer):
    lines = CountLineOutSerializer(many=True, read_only=True)

    class Meta:
        model = StockCount
        fields = (*DOCUMENT_FIELDS, "lines")


class CountLineInSerializer(InputSerializer):
    item = item_field()
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class StockCountInSerializer(InputSerializer):
    date = serializers.DateField(required=False)
    notes = CharField(required=False, allow_blank=True, default="", max_length=2000)
    lines = CountLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        resolve_items(attrs["lines"], "lines")
        return attrs


class ClosedPeriodSerializer(serializers.ModelSerializer):
    """A close: POST sends ``through`` (and a note); the rest is the record of it."""

    serializer_field_mapping = MODEL_FIELD_MAPPING  # the note: a JSON string, as the schema says

    through = serializers.DateField(
        source="closed_through", help_text="close everything dated on or before this day"
    )
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reopened_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ClosedPeriod
        fields = (
            "id",
            "through",
            "note",
            "closed_by",
            "closed_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        )
        read_only_fields = ("closed_at", "reopened_at", "reopen_reason")
        extra_kwargs = {"note": {"required": False}}
