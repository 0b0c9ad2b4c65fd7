from django.apps import AppConfig


class InventoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle.
        from inventory import services  # noqa: F401
