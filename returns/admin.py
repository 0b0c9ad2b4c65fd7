"""Returns in Django admin: read-only, as the ledger rules; cancelling goes through the lifecycle."""

from django.contrib import admin

from core.admin import ReadOnlyInline
from documents.admin import DocumentAdmin
from returns.models import PurchaseReturn, PurchaseReturnLine, SalesReturn, SalesReturnLine

# The tax each returned line reverses, as the bill line it returns carries it.
TAX_FIELDS = (
    "tax_rate",
    "taxable_value",
    "cgst_amount",
    "sgst_amount",
    "igst_amount",
    "tax_amount",
    "line_total",
)


class SalesReturnLineInline(ReadOnlyInline):
    model = SalesReturnLine
    fields = (
        "sale_line",
        "item",
        "quantity",
        "disposition",
        "reason",
        "scrap_item",
        "scrap_value",
        "discount",
        "amount",
        *TAX_FIELDS,
        "cost",
    )
    readonly_fields = fields


@admin.register(SalesReturn)
class SalesReturnAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "customer", "sale", "settlement", "status", "total", "created_by")
    list_filter = ("status", "date", "settlement")
    search_fields = ("number", "customer__name", "sale__number")
    list_select_related = ("created_by", "customer", "sale")
    inlines = [SalesReturnLineInline]


class PurchaseReturnLineInline(ReadOnlyInline):
    model = PurchaseReturnLine
    fields = ("purchase_line", "item", "quantity", "reason", "amount", *TAX_FIELDS)
    readonly_fields = fields


@admin.register(PurchaseReturn)
class PurchaseReturnAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "supplier", "purchase", "status", "total", "created_by")
    list_filter = ("status", "date")
    search_fields = ("number", "supplier__name", "purchase__number")
    list_select_related = ("created_by", "supplier", "purchase")
    inlines = [PurchaseReturnLineInline]
