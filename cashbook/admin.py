from django.contrib import admin

from cashbook import services
from cashbook.models import Account, CashClosing, FlowDay
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


@admin.register(FlowDay)
class FlowDayAdmin(admin.ModelAdmin):
    """Read-only: the daily sums postings keep; only ``cashbook.days`` writes them."""

    list_display = ("date", "flow", "named_account", "method", "amount", "entries")
    list_filter = ("flow", "method")
    date_hierarchy = "date"
    readonly_fields = [f.name for f in FlowDay._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
