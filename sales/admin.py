from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceSavedAdmin
from documents.admin import DocumentAdmin
from parties.services import PARTY_FIELDS
from sales import pricing, services
from sales.models import Customer, InvoiceDispatch, Payment, PriceList, PriceListEntry, Sale, SaleLine


@admin.register(Customer)
class CustomerAdmin(ServiceSavedAdmin):
    list_display = ("name", "contact_person", "phone", "credit_limit", "credit_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_person", "phone", "email", "tax_number")
    service_fields = (*PARTY_FIELDS, "credit_limit", "credit_days", "price_list")

    def save(self, request, instance, fields):
        return services.save_customer(by=request.user, customer=instance, **fields)


class PriceListEntryInline(ReadOnlyInline):
    model = PriceListEntry
    fields = ("item", "price", "valid_from")
    readonly_fields = fields


@admin.register(PriceList)
class PriceListAdmin(ServiceSavedAdmin):
    list_display = ("name", "is_default", "is_active")
    search_fields = ("name",)
    service_fields = ("name", "is_default", "is_active", "notes")
    inlines = [PriceListEntryInline]

    def save(self, request, instance, fields):
        return pricing.save_price_list(by=request.user, price_list=instance, **fields)


@admin.register(PriceListEntry)
class PriceListEntryAdmin(ServiceSavedAdmin):
    """A new price is a new entry from its date on; an entry for the same list, item and day replaces it."""

    list_display = ("price_list", "item", "price", "valid_from")
    list_filter = ("price_list",)
    search_fields = ("item__sku", "item__name", "price_list__name")
    list_select_related = ("price_list", "item")
    service_fields = ("price_list", "item", "price", "valid_from")

    def save(self, request, instance, fields):
        return pricing.set_price(by=request.user, **fields)


class SaleLineInline(ReadOnlyInline):
    model = SaleLine
    fields = (
        "item",
        "quantity",
        "pack",
        "packs",
        "unit_price",
        "list_price",
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
