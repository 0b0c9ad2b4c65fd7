from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"

    def ready(self) -> None:
        # The summaries follow every posting and cancellation, in the same transaction.
        from inventory import lifecycle
        from reporting import summaries

        lifecycle.observe_postings(summaries.record_posting)
