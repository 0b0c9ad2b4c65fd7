from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Digest and alerts"

    def ready(self) -> None:
        # Alerts observe the lifecycle; they never decide anything about the document itself.
        from documents import lifecycle
        from notifications import alerts

        lifecycle.observe_pending(alerts.document_went_pending)
        lifecycle.observe_postings(alerts.posting_moved_stock)
