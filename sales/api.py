"""Customers, bills and payments over the REST API: input serializer → service → output serializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.urls import path
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from accounts import roles
from accounts.api.costs import API_FILTERS, CostFieldsMixin
from accounts.api.idempotency import IdempotentCreateMixin
from company import taxation
from core.api.fields import (
    MODEL_FIELD_MAPPING,
    BooleanField,
    CharField,
    DecimalField,
    InputSerializer,
    PrimaryKeyRelatedField,
    RowList,
    key_of,
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
    HeldLines,
    HistoryMixin,
    RoleRulesMixin,
    check_amount_fits,
    item_field,
    require_flag,
    resolve_items,
)
from documents.payment_state import PaymentState
from inventory.models import PackSize
from parties.services import PARTY_FIELDS
from sales import entry, pickers, pricing_api, selectors, services
from sales.models import MAX_CREDIT_DAYS, Customer, Payment, PaymentMethod, Sale, SaleLine

MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class CustomerSerializer(serializers.ModelSerializer):
    serializer_field_mapping = MODEL_FIELD_MAPPING  # credit_limit: digits only, as the schema says
    billed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY, help_text="negative: the customer has a credit")

    class Meta:
        model = Customer
        fields = (
            "id",
            *PARTY_FIELDS,
            "credit_limit",
            "credit_days",
            "created_at",
            "billed",
            "paid",
            "outstanding",
        )
        extra_kwargs = {
            "notes": {"max_length": 2000},
            "address": {"max_length": 1000},
            "credit_limit": {"max_digits": 12},
            # The model's bounds, stated in the schema (minimum, maximum) and checked here.
            "credit_days": {"min_value": 0, "max_value": MAX_CREDIT_DAYS},
        }


class CustomerViewSet(
    IdempotentCreateMixin,
    RoleRulesMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers, with what they were billed, paid and still owe. Staff and Managers keep them."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    write_rule = staticmethod(roles.can_enter_data)
    filter_backends = API_FILTERS
    filterset_class = ActiveFilter
    search_fields = ["name", "contact_person", "phone", "email", "tax_number"]
    ordering_fields = ["name", "created_at", "id", "outstanding"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.customers_with_balances(Customer.objects.all())

    def _answer(self, serializer: Any, customer: Customer) -> None:
        serializer.instance = self.get_queryset().get(pk=customer.pk)

    def perform_create(self, serializer: Any) -> None:
        self._answer(serializer, services.save_customer(by=self.request.user, **serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        customer = services.save_customer(
            by=self.request.user, customer=serializer.instance, **serializer.validated_data
        )
        self._answer(serializer, customer)


class SaleLineOutSerializer(CostFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")

    class Meta:
        model = SaleLine
        fields = (
            "id",
            "item",
            "sku",
            "quantity",
            "unit_price",
            "discount",
            "amount",
            *taxation.LINE_TAX_FIELDS,
            "unit_cost",
            "cost",
        )


class SaleSerializer(CostFieldsMixin, DocumentOutMixin, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    payment_state = serializers.ChoiceField(
        choices=[PaymentState.UNPAID, PaymentState.PARTLY_PAID, PaymentState.PAID], read_only=True
    )
    lines = HeldLines(child=SaleLineOutSerializer(), read_only=True)

    class Meta:
        model = Sale
        fields = (
            *DOCUMENT_FIELDS,
            "customer",
            "customer_name",
            *taxation.DOCUMENT_TAX_FIELDS,
            "cost",
            "paid",
            "outstanding",
            "payment_state",
            "lines",
        )


class SaleLineInSerializer(InputSerializer):
    item = item_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    discount = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    # Optional, as counted: ``packs`` of ``pack`` are part of ``quantity`` (always base units).
    pack = key_of(PackSize, required=False, allow_null=True, default=None)
    packs = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, required=False, allow_null=True)


class SaleInSerializer(InputSerializer):
    customer = key_of(Customer)
    date = serializers.DateField(required=False)
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = RowList(child=SaleLineInSerializer(), min_length=1, max_length=MAX_LINES)
    submit = BooleanField(default=False, help_text="post at once instead of saving a draft")

    def validate(self, attrs: dict) -> dict:
        resolve_items(attrs["lines"], "lines")
        require_flag(attrs["lines"], "lines", "is_sold", "sold")
        check_amount_fits(sum((x["quantity"] * x["unit_price"] for x in attrs["lines"]), Decimal("0")))
        return attrs


class SaleFilter(DocumentFilter):
    customer = IdFilter(field_name="customer_id")
    item = IdFilter(field_name="lines__item", distinct=True)


class SaleViewSet(DraftDocumentViewSet):
    """Customer bills. Posting issues the stock; Staff never see a bill's cost."""

    model = Sale
    serializer_class = SaleSerializer
    input_serializer_class = SaleInSerializer
    filterset_class = SaleFilter
    search_fields = ["number", "notes", "customer__name"]

    def get_queryset(self):
        queryset = Sale.objects.select_related("customer", *DOCUMENT_USERS).prefetch_related(
            Prefetch("lines", queryset=SaleLine.objects.select_related("item"))
        )
        return selectors.bills_with_payments(queryset)

    def as_created(self, made: services.CreatedBill) -> tuple[Sale, dict[str, list[SaleLine]]]:
        if made.lines is None:  # e.g. the first answer to a repeated request key: read it back
            return super().as_created(made.sale)
        return selectors.with_nothing_paid(made.sale), {"lines": made.lines}

    def create_document(self, by: Any, data: dict) -> services.CreatedBill:
        return entry.create_bill(
            by=by, data=data, lines=data["lines"], request_key=self.document_key, submit=data["submit"]
        )

    def update_document(self, document: Sale, by: Any, data: dict) -> Sale:
        return entry.update_bill(sale=document, by=by, data=data, lines=data["lines"])


class PaymentSerializer(DocumentOutMixin, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    sale_number = serializers.CharField(source="sale.number", allow_null=True, read_only=True)

    class Meta:
        model = Payment
        fields = (
            *DOCUMENT_FIELDS,
            "customer",
            "customer_name",
            "sale",
            "sale_number",
            "amount",
            "method",
            "reference",
        )


class PaymentInSerializer(InputSerializer):
    customer = PrimaryKeyRelatedField(queryset=Customer.objects.all())
    sale = PrimaryKeyRelatedField(queryset=Sale.objects.all(), required=False, allow_null=True, default=None)
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.CASH)
    date = serializers.DateField(required=False)
    reference = CharField(max_length=80, required=False, allow_blank=True, default="")
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")


class PaymentFilter(DocumentFilter):
    customer = IdFilter(field_name="customer_id")
    sale = IdFilter(field_name="sale_id")
    method = filters.ChoiceFilter(choices=PaymentMethod.choices)


class PaymentViewSet(CreateDocumentViewSet):
    """Money received, against a bill or on account; posted at once (or, over
    PAYMENT_APPROVAL_THRESHOLD, sent for approval), cancelled by a Manager."""

    model = Payment
    queryset = Payment.objects.select_related("customer", "sale", *DOCUMENT_USERS)
    serializer_class = PaymentSerializer
    input_serializer_class = PaymentInSerializer
    filterset_class = PaymentFilter
    search_fields = ["number", "notes", "reference", "customer__name"]

    def create_document(self, by: Any, data: dict) -> Payment:
        return entry.record_payment(by=by, data=data, request_key=self.document_key)


router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="api-customer")
router.register("sales", SaleViewSet, basename="api-sale")
router.register("payments", PaymentViewSet, basename="api-payment")
router.register("price-lists", pricing_api.PriceListViewSet, basename="api-pricelist")
router.register("price-list-entries", pricing_api.PriceListEntryViewSet, basename="api-pricelist-entry")
urlpatterns = [
    path("search/customers/", pickers.CustomerSearchView.as_view(), name="api-search-customers"),
    path("search/bill-items/", pickers.BillItemSearchView.as_view(), name="api-search-bill-items"),
    *router.urls,
]
