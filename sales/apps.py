from django.apps import AppConfig


class SalesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sales"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle.
        from sales import services  # noqa: F401
