from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "returns"
    verbose_name = "Returns (credit and debit notes)"

    def ready(self) -> None:
        # Registers the return documents' rules with the shared lifecycle, and their figures with
        # the customer balance.
        from returns import services  # noqa: F401
