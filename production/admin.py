from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from documents.admin import DocumentAdmin
from production.models import ProductionRun, RunInput, RunReject


class RunInputInline(ReadOnlyInline):
    model = RunInput
    fields = ("item", "quantity", "value")
    readonly_fields = fields


class RunRejectInline(ReadOnlyInline):
    model = RunReject
    fields = ("reason", "quantity")
    readonly_fields = fields


@admin.register(ProductionRun)
class ProductionRunAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "product", "machine", "shift", "good_quantity", "status", "created_by")
    list_filter = ("status", "date", "shift", "machine", "product")
    search_fields = ("number", "machine", "product__sku")
    list_select_related = ("created_by", "product")
    inlines = [RunInputInline, RunRejectInline]


@admin.register(RunInput)
class RunInputAdmin(ReadOnlyAdmin):
    list_display = ("run", "item", "quantity", "value")
    list_filter = ("run__status", "item")
    search_fields = ("run__number", "item__sku")


@admin.register(RunReject)
class RunRejectAdmin(ReadOnlyAdmin):
    list_display = ("run", "reason", "quantity")
    list_filter = ("reason",)
    search_fields = ("run__number",)
