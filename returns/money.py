"""What returns add to the money kept elsewhere: refunds paid out are money out of the cash book, and
debit notes lower what the plant owes the supplier. Registered here, because this app sits above the
cash book and purchasing and may point at them; they may not point back."""

from __future__ import annotations

from datetime import date
from typing import Any

from cashbook import flows
from purchasing import selectors as purchasing_selectors
from returns import selectors
from returns.models import SalesReturn


def _refund_rows(start: date, end: date) -> list[dict[str, Any]]:
    return [
        {
            "date": refund.date,
            "number": refund.document,
            "party": refund.customer,
            "method": refund.method,
            "account_id": None,  # the account kept for the refund's method
            "amount": refund.amount,
        }
        for refund in selectors.refunds_between(start, end)
    ]


flows.register(
    flows.MoneyFlow(
        name="refund",
        label="Refund",
        direction=flows.OUT,
        documents=lambda start, end: SalesReturn.objects.none(),  # its rows come from _refund_rows
        rows=_refund_rows,
    )
)
purchasing_selectors.count_owed_back(lambda supplier, upto: selectors.debit_notes_total(supplier, upto=upto))
