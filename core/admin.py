"""Admin bases shared by every app: read-only with history, and master data saved through a service."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from core.errors import DomainError
from core.search import LimitedSearchAdmin


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
