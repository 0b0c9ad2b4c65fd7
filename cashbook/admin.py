from django.contrib import admin

from cashbook import services
from cashbook.models import Account, CashClosing
from core.admin import ServiceSavedAdmin
from documents.admin import DocumentAdmin


@admin.register(Account)
class AccountAdmin(ServiceSavedAdmin):
    list_display = ("name", "kind", "opening_balance", "opening_date", "default_for", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    service_fields = services.ACCOUNT_FIELDS

    def save(self, request, instance, fields):
        return services.save_account(by=request.user, account=instance, **fields)


@admin.register(CashClosing)
class CashClosingAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "account", "status", "expected", "counted", "difference", "created_by")
    list_filter = ("status", "date", "account")
    search_fields = ("number", "account__name", "notes")
    list_select_related = ("created_by", "account")
