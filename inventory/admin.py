"""Django admin for Managers: browse everything, change master data through the services.

The ledger and documents are read-only here (documents change only through their lifecycle);
the approve and cancel actions call ``inventory.lifecycle`` and report refusals as messages.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from config.search import LimitedSearchAdmin
from inventory import lifecycle, services
from inventory.errors import DomainError
from inventory.models import (
    ClosedPeriod,
    DocumentSequence,
    Item,
    PackSize,
    RecipeLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
)


class ReadOnlyAdmin(LimitedSearchAdmin, SimpleHistoryAdmin):
    """Viewable with history, never added, changed or deleted from admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # simple-history's "revert to this version" would write around the services.
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied


class ReadOnlyPlainAdmin(LimitedSearchAdmin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentAdmin(ReadOnlyAdmin):
    """A document type: read-only, with approve and cancel (with a reason) as admin actions."""

    list_display = ("__str__", "date", "status", "total", "created_by")
    list_filter = ("status", "date")
    search_fields = ("number",)
    date_hierarchy = "date"
    actions = ["approve_documents", "cancel_documents"]
    list_select_related = ("created_by",)

    def has_change_permission(self, request, obj=None):
        # Actions need the change permission; every object form stays read-only (see below).
        return obj is None and request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.opts.fields]

    @admin.action(description="Approve selected pending documents")
    def approve_documents(self, request, queryset):
        done = 0
        for document in queryset.order_by("id"):
            try:
                lifecycle.approve(document=document, by=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} approved and posted.", messages.SUCCESS)

    @admin.action(description="Cancel selected posted documents (asks for a reason)")
    def cancel_documents(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirmed") != "yes" or not reason:
            if request.POST.get("confirmed") == "yes":
                self.message_user(request, "Give a reason to cancel.", messages.ERROR)
            return TemplateResponse(
                request,
                "admin/cancel_with_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "queryset": queryset,
                    "count": queryset.count(),
                    "title": f"Cancel {queryset.count()} {self.opts.verbose_name_plural}",
                },
            )
        done = 0
        for document in queryset.order_by("id"):
            try:
                lifecycle.cancel(document=document, by=request.user, reason=reason)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} cancelled; their movements are reversed.", messages.SUCCESS)
        return None


class ServiceSavedAdmin(LimitedSearchAdmin, SimpleHistoryAdmin):
    """Master data saved through its service (who may, what is valid); never deleted here."""

    service_fields: tuple[str, ...] = ()

    def save(self, request, obj, fields):  # pragma: no cover - overridden
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in self.service_fields if name in form.cleaned_data}
        instance = type(obj).objects.get(pk=obj.pk) if change else None
        try:
            saved = self.save(request, instance, fields)
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied


class RecipeInline(ReadOnlyInline):
    model = RecipeLine
    fk_name = "bottle"
    fields = ("component", "quantity")
    readonly_fields = fields


@admin.register(PackSize)
class PackSizeAdmin(ServiceSavedAdmin):
    list_display = ("item", "name", "quantity")
    search_fields = ("item__sku", "item__name", "name")
    list_select_related = ("item",)
    service_fields = ("item", "name", "plural", "quantity")

    def save(self, request, instance, fields):
        return services.save_pack(by=request.user, pack=instance, **fields)


@admin.register(Item)
class ItemAdmin(ServiceSavedAdmin):
    list_display = (
        "sku",
        "name",
        "kind",
        "unit",
        "reorder_level",
        "default_price",
        "is_sold",
        "is_bought",
        "is_made",
        "is_active",
    )
    list_filter = ("kind", "is_active", "is_sold", "is_bought", "is_made")
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
