from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expenses"

    def ready(self) -> None:
        # Registers the expense's document rules with the shared lifecycle.
        from expenses import services  # noqa: F401
