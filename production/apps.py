from django.apps import AppConfig


class ProductionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "production"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle, and its document pages with
        # the kernel's registry (the approvals page reads it).
        from production import services, views  # noqa: F401
