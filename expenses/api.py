"""Expenses over the REST API: input serializer → service → output serializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from cashbook.models import Account, Method
from core.api.fields import CharField, DecimalField, InputSerializer, PrimaryKeyRelatedField
from core.api.filters import IdFilter
from documents.api import (
    DOCUMENT_FIELDS,
    DOCUMENT_USERS,
    CreateDocumentViewSet,
    DocumentFilter,
    DocumentOutMixin,
)
from expenses import services
from expenses.models import Expense, ExpenseCategory
from purchasing.models import Supplier


class ExpenseSerializer(DocumentOutMixin, serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name")

    class Meta:
        model = Expense
        fields = (
            *DOCUMENT_FIELDS,
            "category",
            "category_name",
            "amount",
            "input_tax",
            "supplier",
            "method",
            "account",
            "reference",
        )


class ExpenseInSerializer(InputSerializer):
    category = PrimaryKeyRelatedField(queryset=ExpenseCategory.objects.all())
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    input_tax = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    supplier = PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(), required=False, allow_null=True, default=None
    )
    method = serializers.ChoiceField(choices=Method.choices, default=Method.CASH)
    account = PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True, default=None
    )
    date = serializers.DateField(required=False)
    reference = CharField(max_length=80, required=False, allow_blank=True, default="")
    notes = CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExpenseFilter(DocumentFilter):
    category = IdFilter(field_name="category_id")
    supplier = IdFilter(field_name="supplier_id")
    method = filters.ChoiceFilter(choices=Method.choices)


class ExpenseViewSet(CreateDocumentViewSet):
    """Money spent on running the plant; posted at once (or, over EXPENSE_APPROVAL_THRESHOLD,
    sent for approval), cancelled by a Manager."""

    model = Expense
    queryset = Expense.objects.select_related("category", *DOCUMENT_USERS)
    serializer_class = ExpenseSerializer
    input_serializer_class = ExpenseInSerializer
    filterset_class = ExpenseFilter
    search_fields = ["number", "notes", "reference", "category__name"]

    def create_document(self, by: Any, data: dict) -> Expense:
        return services.record_expense(
            by=by,
            category=data["category"],
            amount=data["amount"],
            input_tax=data["input_tax"],
            supplier=data["supplier"],
            method=data["method"],
            account=data["account"],
            date=data.get("date"),
            reference=data["reference"],
            notes=data["notes"],
            request_key=self.document_key,
        )


router = SimpleRouter()
router.register("expenses", ExpenseViewSet, basename="api-expense")
urlpatterns = router.urls
