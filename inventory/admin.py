"""Django admin for Managers: browse everything, change master data through the services.

The ledger and documents are read-only here (documents change only through their lifecycle);
the approve and cancel actions call ``documents.lifecycle`` and report refusals as messages.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ReadOnlyPlainAdmin, ServiceSavedAdmin
from documents.admin import DocumentAdmin
from inventory import services
from inventory.models import (
    ClosedPeriod,
    DocumentSequence,
    Item,
    RecipeLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
)


class RecipeInline(ReadOnlyInline):
    model = RecipeLine
    fk_name = "bottle"
    fields = ("component", "quantity")
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(ServiceSavedAdmin):
    list_display = ("sku", "name", "kind", "unit", "reorder_level", "default_price", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("sku", "name")
    service_fields = services.ITEM_FIELDS
    inlines = [RecipeInline]

    def save(self, request, instance, fields):
        return services.save_item(by=request.user, item=instance, **fields)


@admin.register(RecipeLine)
class RecipeLineAdmin(ReadOnlyAdmin):
    list_display = ("bottle", "component", "quantity")
    list_filter = ("bottle",)
    search_fields = ("bottle__sku", "component__sku")


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyPlainAdmin):
    list_display = ("item", "quantity", "value")
    search_fields = ("item__sku", "item__name")
    list_filter = ("item__kind",)
    list_select_related = ("item",)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyPlainAdmin):
    list_display = (
        "id",
        "date",
        "item",
        "kind",
        "quantity",
        "value",
        "unit_cost",
        "source_number",
        "posted_by",
    )
    list_filter = ("kind", "date", "item")
    search_fields = ("source_number", "item__sku")
    date_hierarchy = "date"
    list_select_related = ("item", "posted_by")
    actions = None


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    list_display = (
        "closed_through",
        "closed_by",
        "closed_at",
        "note",
        "reopened_by",
        "reopened_at",
        "reopen_reason",
    )


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyPlainAdmin):
    list_display = ("prefix", "year", "last")
    list_filter = ("prefix", "year")


class StockCountLineInline(ReadOnlyInline):
    model = StockCountLine
    fields = ("item", "counted_quantity", "system_quantity", "difference", "variance_value")
    readonly_fields = fields


@admin.register(StockCount)
class StockCountAdmin(DocumentAdmin):
    inlines = [StockCountLineInline]


@admin.register(StockCountLine)
class StockCountLineAdmin(ReadOnlyAdmin):
    list_display = ("count", "item", "counted_quantity", "difference")
    list_filter = ("count__status",)
    search_fields = ("count__number", "item__sku")
