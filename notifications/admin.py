from django.contrib import admin

from notifications.models import AlertPreferences, OutboxMail


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    """Read-only: what was sent, what waits, and what failed and why."""

    list_display = ("id", "kind", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("subject",)
    readonly_fields = [f.name for f in OutboxMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertPreferences)
class AlertPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "approvals", "low_stock", "digest", "updated_at")
