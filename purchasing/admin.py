from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceSavedAdmin
from documents.admin import DocumentAdmin
from purchasing import services
from purchasing.models import Purchase, PurchaseLine, Supplier, SupplierPayment, SupplierPaymentLine


@admin.register(Supplier)
class SupplierAdmin(ServiceSavedAdmin):
    list_display = ("name", "contact_person", "phone", "email", "credit_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_person", "phone", "email", "tax_number")
    service_fields = (*services.PARTY_FIELDS, "credit_days")

    def save(self, request, instance, fields):
        return services.save_supplier(by=request.user, supplier=instance, **fields)


class PurchaseLineInline(ReadOnlyInline):
    model = PurchaseLine
    fields = (
        "item",
        "quantity",
        "unit_price",
        "amount",
        "hsn_code",
        "tax_rate",
        "taxable_value",
        "tax_amount",
    )
    readonly_fields = fields


@admin.register(Purchase)
class PurchaseAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "supplier", "status", "total", "created_by")
    list_filter = ("status", "date", "supplier")
    search_fields = ("number", "supplier__name", "supplier_bill_number")
    list_select_related = ("created_by", "supplier")
    inlines = [PurchaseLineInline]


@admin.register(PurchaseLine)
class PurchaseLineAdmin(ReadOnlyAdmin):
    list_display = ("purchase", "item", "quantity", "unit_price", "amount")
    list_filter = ("purchase__status", "item")
    search_fields = ("purchase__number", "item__sku")


class SupplierPaymentLineInline(ReadOnlyInline):
    model = SupplierPaymentLine
    fields = ("purchase", "amount")
    readonly_fields = fields


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "supplier", "status", "amount", "method", "created_by")
    list_filter = ("status", "date", "method")
    search_fields = ("number", "supplier__name", "reference")
    list_select_related = ("created_by", "supplier")
    inlines = [SupplierPaymentLineInline]


@admin.register(SupplierPaymentLine)
class SupplierPaymentLineAdmin(ReadOnlyAdmin):
    list_display = ("payment", "purchase", "amount")
    list_filter = ("payment__status",)
    search_fields = ("payment__number", "purchase__number")
