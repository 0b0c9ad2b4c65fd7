"""Bounds on what one document may hold, read by the forms, the API and the services alike.

They keep every line amount and document total far inside the database's decimal columns
(totals are ``max_digits=14, decimal_places=2``, so below 10^12) and far above any real bill.
"""

from __future__ import annotations

from decimal import Decimal

# Units on one line (and a reorder level or a counted quantity).
MAX_LINE_QUANTITY = 100_000_000
# A line's unit price or discount, and a single amount typed on a document.
MAX_PRICE = Decimal("10000000")
# A document's total (Σ quantity × price), and any other amount a document adds up.
MAX_DOCUMENT_TOTAL = Decimal("10000000000")
# A payment settles whole documents, so it may be as large as one (and an account's opening
# balance as large as a payment).
MAX_PAYMENT = MAX_DOCUMENT_TOTAL
