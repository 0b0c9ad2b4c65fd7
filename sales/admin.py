from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceSavedAdmin
from documents.admin import DocumentAdmin
from parties.services import PARTY_FIELDS
from sales import services
from sales.models import Customer, InvoiceDispatch, Payment, Sale, SaleLine


@admin.register(Customer)
class CustomerAdmin(ServiceSavedAdmin):
    list_display = ("name", "contact_person", "phone", "credit_limit", "credit_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_person", "phone", "email", "tax_number")
    service_fields = (*PARTY_FIELDS, "credit_limit", "credit_days")

    def save(self, request, instance, fields):
        return services.save_customer(by=request.user, customer=instance, **fields)


class SaleLineInline(ReadOnlyInline):
    model = SaleLine
    fields = (
        "item",
        "quantity",
        "unit_price",
        "discount",
        "amount",
        "hsn_code",
        "tax_rate",
        "taxable_value",
        "tax_amount",
        "unit_cost",
        "cost",
    )
    readonly_fields = fields


@admin.register(Sale)
class SaleAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "customer", "status", "total", "cost", "created_by")
    list_filter = ("status", "date", "customer")
    search_fields = ("number", "customer__name")
    list_select_related = ("created_by", "customer")
    inlines = [SaleLineInline]


@admin.register(SaleLine)
class SaleLineAdmin(ReadOnlyAdmin):
    list_display = ("sale", "item", "quantity", "unit_price", "discount", "amount")
    list_filter = ("sale__status", "item")
    search_fields = ("sale__number", "item__sku")


@admin.register(Payment)
class PaymentAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "customer", "sale", "amount", "method", "status", "created_by")
    list_filter = ("status", "date", "method")
    search_fields = ("number", "customer__name", "reference")
    list_select_related = ("created_by", "customer", "sale")
    actions = ["cancel_documents"]


@admin.register(InvoiceDispatch)
class InvoiceDispatchAdmin(ReadOnlyAdmin):
    list_display = ("sale", "kind", "recipient", "status", "sent_by", "sent_at", "link_expires_at")
    list_filter = ("kind", "status", "sent_at")
    search_fields = ("sale__number", "recipient")
    list_select_related = ("sale", "sent_by")
