"""Suppliers and purchases over the REST API: input serializer → service → output serializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.urls import path
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from accounts.api.costs import API_FILTERS
from accounts.api.idempotency import IdempotentCreateMixin
from cashbook.models import Account, Method
from company import taxation
from core.api.fields import (
    MODEL_FIELD_MAPPING,
    BooleanField,
    CharField,
    DecimalField,
    InputSerializer,
    PrimaryKeyRelatedField,
)
from core.api.filters import ActiveFilter, IdFilter
from documents.api import (
    DOCUMENT_FIELDS,
    DOCUMENT_USERS,
    MAX_LINES,
    MAX_QUANTITY,
    CreateDocumentViewSet,
    DocumentFilter,
    DocumentOutMixin,
    DraftDocumentViewSet,
    HistoryMixin,
    RoleRulesMixin,
    check_amount_fits,
    item_field,
    require_flag,
    resolve_items,
)
from purchasing import entry, services
from purchasing.models import Purchase, PurchaseLine, Supplier, SupplierPayment, SupplierPaymentLine
from purchasing.pickers import SupplierSearchView

PARTY_FIELDS = ("id", *services.PARTY_FIELDS, "created_at")


class SupplierSerializer(serializers.ModelSerializer):
    serializer_field_mapping = MODEL_FIELD_MAPPING  # text: strings only, no longer than the schema says

    class Meta:
        model = Supplier
        fields = (*PARTY_FIELDS, "credit_days")
        extra_kwargs = {"notes": {"max_length": 2000}, "address": {"max_length": 1000}}


class SupplierViewSet(
    IdempotentCreateMixin,
    RoleRulesMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Suppliers: everyone reads; Managers keep them (deactivate instead of deleting)."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filter_backends = API_FILTERS
    filterset_class = ActiveFilter
    search_fields = ["name", "contact_person", "phone", "email", "tax_number"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.save_supplier(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.save_supplier(
            by=self.request.user, supplier=serializer.instance, **serializer.validated_data
        )


class PurchaseLineOutSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = PurchaseLine
        fields = ("id", "item", "sku", "quantity", "unit_price", "amount", *taxation.LINE_TAX_FIELDS)


class PurchaseSerializer(DocumentOutMixin, serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name")
    lines = PurchaseLineOutSerializer(many=True, read_only=True)

    class Meta:
        model = Purchase
        fields = (
            *DOCUMENT_FIELDS,
            "supplier",
            "supplier_name",
            "supplier_bill_number",
            *taxation.DOCUMENT_TAX_FIELDS,
            "lines",
        )


class PurchaseLineInSerializer(InputSerializer):
    item = item_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = DecimalField(max_digits=12, decimal_places=4, min_value=Decimal("0"))
    tax_rate = DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        default=None,
        help_text="the supplier's tax rate (%) on this line; empty: the item's rate",
    )
    hsn_code = CharField(max_length=8, required=False, allow_blank=True, default="")


class PurchaseInSerializer(InputSerializer):
    supplier = PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    date = serializers.DateField(required=False)
    supplier_bill_number = CharField(max_length=60, required=False, allow_blank=True, default="")
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = PurchaseLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        resolve_items(attrs["lines"], "lines")
        require_flag(attrs["lines"], "lines", "is_bought", "bought")
        check_amount_fits(sum((x["quantity"] * x["unit_price"] for x in attrs["lines"]), Decimal("0")))
        return attrs


class PurchaseFilter(DocumentFilter):
    supplier = IdFilter(field_name="supplier_id")
    item = IdFilter(field_name="lines__item", distinct=True)


class PurchaseViewSet(DraftDocumentViewSet):
    """Suppliers' bills received into stock."""

    model = Purchase
    queryset = Purchase.objects.select_related("supplier", *DOCUMENT_USERS).prefetch_related(
        Prefetch("lines", queryset=PurchaseLine.objects.select_related("item"))
    )
    serializer_class = PurchaseSerializer
    input_serializer_class = PurchaseInSerializer
    filterset_class = PurchaseFilter
    search_fields = ["number", "notes", "supplier__name", "supplier_bill_number"]

    def create_document(self, by: Any, data: dict) -> Purchase:
        return entry.create_purchase(
            by=by, data=data, lines=data["lines"], request_key=self.document_key, submit=data["submit"]
        )

    def update_document(self, document: Purchase, by: Any, data: dict) -> Purchase:
        return entry.update_purchase(purchase=document, by=by, data=data, lines=data["lines"])


class AllocationOutSerializer(serializers.ModelSerializer):
    purchase_number = serializers.CharField(source="purchase.number", read_only=True)

    class Meta:
        model = SupplierPaymentLine
        fields = ("id", "purchase", "purchase_number", "amount")


class SupplierPaymentSerializer(DocumentOutMixin, serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name")
    lines = AllocationOutSerializer(many=True, read_only=True)

    class Meta:
        model = SupplierPayment
        fields = (
            *DOCUMENT_FIELDS,
            "supplier",
            "supplier_name",
            "amount",
            "method",
            "account",
            "reference",
            "lines",
        )


class AllocationInSerializer(InputSerializer):
    purchase = PrimaryKeyRelatedField(queryset=Purchase.objects.all())
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class SupplierPaymentInSerializer(InputSerializer):
    supplier = PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=Method.choices, default=Method.CASH)
    account = PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True, default=None
    )
    date = serializers.DateField(required=False)
    reference = CharField(max_length=80, required=False, allow_blank=True, default="")
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    allocations = AllocationInSerializer(many=True, required=False, default=list, max_length=MAX_LINES)


class SupplierPaymentFilter(DocumentFilter):
    supplier = IdFilter(field_name="supplier_id")


class SupplierPaymentViewSet(CreateDocumentViewSet):
    """Money paid to suppliers, against bills or on account; posted at once (or, over
    SUPPLIER_PAYMENT_APPROVAL_THRESHOLD, sent for approval), cancelled by a Manager."""

    model = SupplierPayment
    queryset = SupplierPayment.objects.select_related("supplier", *DOCUMENT_USERS).prefetch_related(
        Prefetch("lines", queryset=SupplierPaymentLine.objects.select_related("purchase"))
    )
    serializer_class = SupplierPaymentSerializer
    input_serializer_class = SupplierPaymentInSerializer
    filterset_class = SupplierPaymentFilter
    search_fields = ["number", "notes", "reference", "supplier__name"]

    def create_document(self, by: Any, data: dict) -> SupplierPayment:
        return services.record_supplier_payment(
            by=by,
            supplier=data["supplier"],
            amount=data["amount"],
            method=data["method"],
            account=data["account"],
            allocations=[
                services.AllocationInput(purchase=a["purchase"], amount=a["amount"])
                for a in data["allocations"]
            ],
            date=data.get("date"),
            reference=data["reference"],
            notes=data["notes"],
            request_key=self.document_key,
        )


router = SimpleRouter()
router.register("suppliers", SupplierViewSet, basename="api-supplier")
router.register("purchases", PurchaseViewSet, basename="api-purchase")
router.register("supplier-payments", SupplierPaymentViewSet, basename="api-supplier-payment")
urlpatterns = [
    path("search/suppliers/", SupplierSearchView.as_view(), name="api-search-suppliers"),
    *router.urls,
]
