from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"

    def ready(self) -> None:
        # The summaries follow every posting and cancellation, in the same transaction.
        from documents import lifecycle
        from reporting import freshness, summaries

        lifecycle.observe_postings(summaries.record_posting)
        lifecycle.observe_bulk_postings(summaries.record_postings)
        # A drift of the kept output tax from the bills is a ledger breach: the tax returns read it.
        from inventory.verification import register_check

        register_check(summaries.outward_tax_differences)
        register_check(summaries.exception_fact_differences)
        # The cached dashboard is current only while the data version stands still: every posting
        # or cancellation raises it (a posting may write its document with plain SQL), and so does
        # every saved or deleted row the dashboard reads. The document apps come earlier in
        # INSTALLED_APPS, so every document type is registered by now.
        lifecycle.observe_postings(freshness.mark_changed)
        lifecycle.observe_bulk_postings(freshness.mark_changed)
        for model in self.dashboard_sources():
            uid = f"reporting.freshness.{model._meta.label_lower}"
            post_save.connect(freshness.mark_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(freshness.mark_changed, sender=model, dispatch_uid=uid)

    @staticmethod
    def dashboard_sources() -> list[type]:
        """The models whose rows the dashboard shows (documents of every status, items, parties)."""
        from documents import lifecycle
        from inventory.models import Item, StockBalance
        from purchasing.models import Supplier
        from reporting.models import CustomerBalance, SalesCustomerDay
        from sales.models import Customer

        return [
            *lifecycle.registered_models(),
            Item,
            StockBalance,
            Customer,
            Supplier,
            SalesCustomerDay,
            CustomerBalance,
        ]
