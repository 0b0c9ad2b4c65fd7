from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expenses"

    def ready(self) -> None:
        # Registers the expense's document rules with the lifecycle and its pages with the registry.
        from expenses import services, views  # noqa: F401
