"""Sales returns (credit notes) and purchase returns (debit notes) over the REST API:
input serializer → service → output serializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.api.costs import CostFieldsMixin
from core import rows
from core.api.fields import BooleanField, CharField, DecimalField, InputSerializer, PrimaryKeyRelatedField
from core.api.filters import IdFilter
from core.bounds import MAX_LINE_QUANTITY
from documents.api import (
    DOCUMENT_FIELDS,
    DOCUMENT_USERS,
    MAX_LINES,
    DocumentFilter,
    DocumentOutMixin,
    DraftDocumentViewSet,
)
from inventory.models import Item
from purchasing.models import Purchase, PurchaseLine
from returns import entry
from returns.models import (
    REFUND_METHODS,
    Disposition,
    PurchaseReturn,
    PurchaseReturnLine,
    ReturnReason,
    SalesReturn,
    SalesReturnLine,
    Settlement,
)
from sales.models import Sale, SaleLine

# The tax each note reverses (Staff see it: tax is not a cost); total = taxable total + tax total.
LINE_TAX_FIELDS = (
    "tax_rate",
    "taxable_value",
    "cgst_amount",
    "sgst_amount",
    "igst_amount",
    "tax_amount",
    "line_total",
)
NOTE_TAX_FIELDS = ("taxable_total", "tax_total")


def _line_id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=help_text)


def _resolve(lines: list[dict], model: type, field: str) -> None:
    """Replace each line's id of a bill (or purchase) line by the line, one query for all."""
    found = rows.by_pk(model, {line[field] for line in lines})
    errors = {
        str(i): {field: [f'Invalid pk "{line[field]}" - object does not exist.']}
        for i, line in enumerate(lines)
        if line[field] not in found
    }
    if errors:
        raise serializers.ValidationError({"lines": errors})
    for line in lines:
        line[field] = found[line[field]]


# Sales returns -------------------------------------------------------------------------------


class SalesReturnLineOutSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = SalesReturnLine
        fields = (
            "id",
            "sale_line",
            "item",
            "sku",
            "quantity",
            "disposition",
            "reason",
            "scrap_item",
            "scrap_value",
            "discount",
            "amount",
            *LINE_TAX_FIELDS,
            "cost",
        )


class SalesReturnSerializer(CostFieldsMixin, DocumentOutMixin, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    sale_number = serializers.CharField(source="sale.number")
    sale_date = serializers.DateField(
        source="sale.date", help_text="the date of the bill the note is against"
    )
    lines = SalesReturnLineOutSerializer(many=True, read_only=True)

    class Meta:
        model = SalesReturn
        fields = (
            *DOCUMENT_FIELDS,
            "sale",
            "sale_number",
            "sale_date",
            "customer",
            "customer_name",
            "settlement",
            "refund_method",
            "refund",
            *NOTE_TAX_FIELDS,
            "cost",
            "lines",
        )


class SalesReturnLineInSerializer(InputSerializer):
    sale_line = _line_id("id of the bill line returned")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    disposition = serializers.ChoiceField(choices=Disposition.choices, default=Disposition.RESTOCK)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.OTHER)
    scrap_item = PrimaryKeyRelatedField(
        queryset=Item.objects.all(), required=False, allow_null=True, default=None
    )
    scrap_value = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))


class SalesReturnInSerializer(InputSerializer):
    sale = PrimaryKeyRelatedField(queryset=Sale.objects.all())
    settlement = serializers.ChoiceField(choices=Settlement.choices, default=Settlement.CREDIT)
    refund_method = serializers.ChoiceField(
        choices=[("", "none"), *[(m.value, m.label) for m in REFUND_METHODS]], required=False, default=""
    )
    date = serializers.DateField(required=False)
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = SalesReturnLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        _resolve(attrs["lines"], SaleLine, "sale_line")
        return attrs


class SalesReturnFilter(DocumentFilter):
    customer = IdFilter(field_name="customer_id")
    sale = IdFilter(field_name="sale_id")


class SalesReturnViewSet(DraftDocumentViewSet):
    """Goods back from customers against a posted bill; each posted one is a credit note."""

    model = SalesReturn
    queryset = SalesReturn.objects.select_related("customer", "sale", *DOCUMENT_USERS).prefetch_related(
        Prefetch("lines", queryset=SalesReturnLine.objects.select_related("item"))
    )
    serializer_class = SalesReturnSerializer
    input_serializer_class = SalesReturnInSerializer
    filterset_class = SalesReturnFilter
    search_fields = ["number", "notes", "customer__name", "sale__number"]

    def create_document(self, by: Any, data: dict) -> SalesReturn:
        return entry.create_sales_return(
            by=by, data=data, lines=data["lines"], request_key=self.document_key, submit=data["submit"]
        )

    def update_document(self, document: SalesReturn, by: Any, data: dict) -> SalesReturn:
        return entry.update_sales_return(sales_return=document, by=by, data=data, lines=data["lines"])


# Purchase returns ----------------------------------------------------------------------------


class PurchaseReturnLineOutSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = PurchaseReturnLine
        fields = ("id", "purchase_line", "item", "sku", "quantity", "reason", "amount", *LINE_TAX_FIELDS)


class PurchaseReturnSerializer(DocumentOutMixin, serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name")
    purchase_number = serializers.CharField(source="purchase.number")
    purchase_date = serializers.DateField(source="purchase.date", help_text="the date of the purchase")
    lines = PurchaseReturnLineOutSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseReturn
        fields = (
            *DOCUMENT_FIELDS,
            "purchase",
            "purchase_number",
            "purchase_date",
            "supplier",
            "supplier_name",
            *NOTE_TAX_FIELDS,
            "lines",
        )


class PurchaseReturnLineInSerializer(InputSerializer):
    purchase_line = _line_id("id of the purchase line sent back")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.OTHER)


class PurchaseReturnInSerializer(InputSerializer):
    purchase = PrimaryKeyRelatedField(queryset=Purchase.objects.all())
    date = serializers.DateField(required=False)
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = PurchaseReturnLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        _resolve(attrs["lines"], PurchaseLine, "purchase_line")
        return attrs


class PurchaseReturnFilter(DocumentFilter):
    supplier = IdFilter(field_name="supplier_id")
    purchase = IdFilter(field_name="purchase_id")


class PurchaseReturnViewSet(DraftDocumentViewSet):
    """Goods sent back to suppliers against a posted purchase; each posted one is a debit note."""

    model = PurchaseReturn
    queryset = PurchaseReturn.objects.select_related(
        "supplier", "purchase", *DOCUMENT_USERS
    ).prefetch_related(Prefetch("lines", queryset=PurchaseReturnLine.objects.select_related("item")))
    serializer_class = PurchaseReturnSerializer
    input_serializer_class = PurchaseReturnInSerializer
    filterset_class = PurchaseReturnFilter
    search_fields = ["number", "notes", "supplier__name", "purchase__number"]

    def create_document(self, by: Any, data: dict) -> PurchaseReturn:
        return entry.create_purchase_return(
            by=by, data=data, lines=data["lines"], request_key=self.document_key, submit=data["submit"]
        )

    def update_document(self, document: PurchaseReturn, by: Any, data: dict) -> PurchaseReturn:
        return entry.update_purchase_return(purchase_return=document, by=by, data=data, lines=data["lines"])


router = SimpleRouter()
router.register("sales-returns", SalesReturnViewSet, basename="api-sales-return")
router.register("purchase-returns", PurchaseReturnViewSet, basename="api-purchase-return")
urlpatterns = router.urls
