from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "purchasing"

    def ready(self) -> None:
        # Registers this app's document rules with the shared lifecycle, and its document pages with
        # the kernel's registry (the approvals page reads it); its payment checks join verify_ledger.
        from inventory.verification import register_check
        from purchasing import selectors, services, views  # noqa: F401

        register_check(selectors.allocation_breaches)
