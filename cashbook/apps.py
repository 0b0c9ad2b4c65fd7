from django.apps import AppConfig


class CashbookConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cashbook"
    verbose_name = "cash book"

    def ready(self) -> None:
        # Registers the day-end closing's document rules with the shared lifecycle.
        from cashbook import book_start, closed_days, days, selectors, services, views  # noqa: F401
        from documents import lifecycle
        from inventory.verification import register_check

        register_check(selectors.differences)
        register_check(days.differences)
        # The daily sums of the money flows are kept in the transaction that posts or cancels.
        lifecycle.observe_postings(days.record_posting)
        lifecycle.observe_bulk_postings(days.record_postings)
        # Money may not be dated into a day its account has closed.
        lifecycle.guard_postings(closed_days.refuse_closed_day, many=closed_days.refuse_closed_days)
        # Nor dated before its account's book starts (the opening balance already holds it).
        lifecycle.guard_postings(book_start.refuse_before_opening, many=book_start.refuse_many_before_opening)
