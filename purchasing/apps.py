from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "purchasing"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle, and its document pages with
        # the kernel's registry (the approvals page reads it).
        from purchasing import services, views  # noqa: F401
