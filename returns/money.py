"""What returns add to the money kept elsewhere: refunds paid out are money out of the cash book, and
debit notes lower what the plant owes the supplier. Registered here, because this app sits above the
cash book and purchasing and may point at them; they may not point back."""

from __future__ import annotations

from datetime import date

from cashbook import flows
from documents.models import DocumentStatus
from purchasing import selectors as purchasing_selectors
from returns import selectors
from returns.models import SalesReturn


def _refunded(start: date | None, end: date | None):
    """Posted credit notes that paid money back (a credit on account moves none)."""
    docs = SalesReturn.objects.filter(status=DocumentStatus.POSTED, refund__gt=0)
    if start is not None:
        docs = docs.filter(date__gte=start)
    if end is not None:
        docs = docs.filter(date__lte=end)
    return docs


flows.register(
    flows.MoneyFlow(
        name="refund",
        label="Refund",
        direction=flows.OUT,
        documents=_refunded,
        amount="refund",
        party="customer__name",
        method="refund_method",
        account="",  # a refund names no account: the one kept for its method takes it
        model=SalesReturn,
    )
)
purchasing_selectors.count_owed_back(lambda supplier, upto: selectors.debit_notes_total(supplier, upto=upto))
purchasing_selectors.count_owed_back_by_supplier(selectors.debit_notes_by_supplier)
