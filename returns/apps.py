from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "returns"
    verbose_name = "Returns (credit and debit notes)"

    def ready(self) -> None:
        # Registers the return documents' rules with the shared lifecycle, their figures with the
        # customer balance, and their pages with the kernel's registry (the approvals page reads it);
        # refunds with the cash book and debit notes with what the plant owes its suppliers.
        from returns import money, services, views  # noqa: F401
