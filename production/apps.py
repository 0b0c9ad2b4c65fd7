from django.apps import AppConfig


class ProductionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "production"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle.
        from production import services  # noqa: F401
