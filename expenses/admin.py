from django.contrib import admin

from core.admin import ServiceSavedAdmin
from documents.admin import DocumentAdmin
from expenses import services
from expenses.models import Expense, ExpenseCategory


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(ServiceSavedAdmin):
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    service_fields = services.CATEGORY_FIELDS

    def save(self, request, instance, fields):
        return services.save_category(by=request.user, category=instance, **fields)


@admin.register(Expense)
class ExpenseAdmin(DocumentAdmin):
    list_display = ("__str__", "date", "category", "status", "amount", "input_tax", "method", "created_by")
    list_filter = ("status", "date", "category", "method")
    search_fields = ("number", "reference", "supplier__name", "notes")
    list_select_related = ("created_by", "category", "supplier")
