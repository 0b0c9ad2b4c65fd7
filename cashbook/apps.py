from django.apps import AppConfig


class CashbookConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cashbook"
    verbose_name = "cash book"

    def ready(self) -> None:
        # Registers the day-end closing's document rules with the shared lifecycle.
        from cashbook import selectors, services, views  # noqa: F401
        from inventory.verification import register_check

        register_check(selectors.differences)
