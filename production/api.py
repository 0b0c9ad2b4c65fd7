"""Production (blow-moulding) runs over the REST API: input serializer → service → output serializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.api.costs import CostFieldsMixin
from core.api.fields import BooleanField, CharField, DecimalField, InputSerializer, PrimaryKeyRelatedField
from core.api.filters import IdFilter
from documents.api import (
    DOCUMENT_FIELDS,
    DOCUMENT_USERS,
    MAX_LINES,
    MAX_QUANTITY,
    DocumentFilter,
    DocumentOutMixin,
    DraftDocumentViewSet,
    check_amount_fits,
    item_field,
    resolve_items,
)
from inventory.models import Item
from production import services
from production.models import ProductionRun, RejectReason, RunInput, RunReject, Shift


class RunInputOutSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = RunInput
        fields = ("item", "sku", "quantity", "value")


class RunRejectSerializer(serializers.ModelSerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    class Meta:
        model = RunReject
        fields = ("reason", "quantity")


class RunSerializer(CostFieldsMixin, DocumentOutMixin, serializers.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku")
    reject_quantity = serializers.IntegerField(read_only=True)
    inputs = RunInputOutSerializer(many=True, read_only=True)
    rejects = RunRejectSerializer(many=True, read_only=True)

    class Meta:
        model = ProductionRun
        fields = (
            *DOCUMENT_FIELDS,
            "product",
            "product_sku",
            "machine",
            "shift",
            "good_quantity",
            "reject_quantity",
            "conversion_cost",
            "scrap_item",
            "scrap_quantity",
            "scrap_value",
            "input_value",
            "unit_cost",
            "inputs",
            "rejects",
        )


class RunInputInSerializer(InputSerializer):
    item = item_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class RunInSerializer(InputSerializer):
    product = PrimaryKeyRelatedField(queryset=Item.objects.all())
    good_quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    machine = CharField(max_length=40)
    shift = serializers.ChoiceField(choices=Shift.choices, default=Shift.DAY)
    date = serializers.DateField(required=False)
    rejects = RunRejectSerializer(many=True, required=False, default=list, max_length=len(RejectReason))
    # A list built by hand: ``many=True`` would hand allow_null to each line too, and a null line
    # then reached the line checks (a server error).
    inputs = serializers.ListSerializer(
        child=RunInputInSerializer(),
        required=False,
        allow_null=True,
        default=None,
        max_length=MAX_LINES,
        help_text="what was consumed; left out or null: the product's recipe for good + rejected bottles",
    )
    conversion_cost = DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0")
    )
    scrap_item = PrimaryKeyRelatedField(
        queryset=Item.objects.all(), required=False, allow_null=True, default=None
    )
    scrap_quantity = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, default=0)
    scrap_value = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        if attrs["inputs"] is not None:
            resolve_items(attrs["inputs"], "inputs")
        check_amount_fits(attrs["conversion_cost"])
        return attrs


class RunFilter(DocumentFilter):
    product = IdFilter(field_name="product_id")
    item = IdFilter(field_name="inputs__item", distinct=True)
    machine = filters.CharFilter()
    shift = filters.ChoiceFilter(choices=Shift.choices)


class RunViewSet(DraftDocumentViewSet):
    """Blow-moulding runs: inputs leave stock at average cost, good bottles enter at the run's cost."""

    model = ProductionRun
    queryset = ProductionRun.objects.select_related("product", *DOCUMENT_USERS).prefetch_related(
        Prefetch("inputs", queryset=RunInput.objects.select_related("item")), "rejects"
    )
    serializer_class = RunSerializer
    input_serializer_class = RunInSerializer
    filterset_class = RunFilter
    search_fields = ["number", "notes", "machine", "product__sku"]
    line_field = "inputs"

    @staticmethod
    def _fields(data: dict) -> dict:
        fields = {
            name: data[name]
            for name in (
                "product",
                "good_quantity",
                "machine",
                "shift",
                "conversion_cost",
                "scrap_item",
                "scrap_quantity",
                "scrap_value",
                "notes",
            )
        }
        fields["rejects"] = [services.RejectLine(r["reason"], r["quantity"]) for r in data["rejects"]]
        if data["inputs"] is not None:
            fields["inputs"] = [services.InputLine(x["item"], x["quantity"]) for x in data["inputs"]]
        return fields

    def create_document(self, by: Any, data: dict) -> ProductionRun:
        return services.create_run(
            by=by,
            date=data.get("date"),
            submit=data["submit"],
            request_key=self.document_key,
            **self._fields(data),
        )

    def update_document(self, document: ProductionRun, by: Any, data: dict) -> ProductionRun:
        fields = self._fields(data)
        if "inputs" not in fields:
            bottles = fields["good_quantity"] + sum(r.quantity for r in fields["rejects"])
            fields["inputs"] = services.recipe_inputs(fields["product"], bottles)
        return services.update_run(run=document, by=by, date=data.get("date", document.date), **fields)


router = SimpleRouter()
router.register("production-runs", RunViewSet, basename="api-run")
urlpatterns = router.urls
