"""Opening balances in admin: to read and audit; they are entered through the import or the services."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from inventory.models import OpeningStock
from purchasing.models import SupplierOpeningDue
from sales.models import CustomerOpeningDue


@admin.register(OpeningStock)
class OpeningStockAdmin(ReadOnlyAdmin):
    list_display = ("item", "quantity", "unit_cost", "value", "date", "entered_by")
    search_fields = ("item__sku", "item__name")


@admin.register(CustomerOpeningDue)
class CustomerOpeningDueAdmin(ReadOnlyAdmin):
    list_display = ("customer", "amount", "date", "entered_by")
    fields = list_display  # the party first, as before its fields came from a shared base
    search_fields = ("customer__name",)


@admin.register(SupplierOpeningDue)
class SupplierOpeningDueAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "amount", "date", "entered_by")
    fields = list_display  # the party first, as before its fields came from a shared base
    search_fields = ("supplier__name",)
