from django.contrib import admin

from core.admin import ServiceSavedAdmin
from tax.models import TaxRate
from tax.services import save_tax_rate


@admin.register(TaxRate)
class TaxRateAdmin(ServiceSavedAdmin):
    list_display = ("name", "rate", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    service_fields = ("name", "rate", "is_active")

    def save(self, request, instance, fields):
        return save_tax_rate(by=request.user, tax_rate=instance, **fields)
