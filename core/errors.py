"""Domain errors: each carries the facts a person needs to act, and a readable message.

Every interface translates them once: a form or line error in the web app, a message in admin,
a 400/403/409 JSON body in the API, a non-zero exit in a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


class DomainError(Exception):
    """A refused business action. ``str(error)`` is the message to show."""

    code = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Shortage:
    item_id: int
    sku: str
    available: int
    requested: int

    def __str__(self) -> str:
        return self.describe()

    def describe(self, wanted: str = "requested") -> str:
        return f"{self.sku}: {self.available} in stock, {self.requested} {wanted}"


class InsufficientStock(DomainError):
    """Refuses a whole posting, naming every short item: "PF-500: 120 in stock, 150 requested"."""

    code = "insufficient_stock"

    def __init__(
        self, shortages: list[Shortage], *, lead: str = "Not enough stock", wanted: str = "requested"
    ):
        self.shortages = shortages
        super().__init__(f"{lead} — " + "; ".join(s.describe(wanted) for s in shortages) + ".")


class NotAllowed(DomainError):
    code = "not_allowed"

    def __init__(self, message: str):
        super().__init__(message)


class WrongState(DomainError):
    code = "wrong_state"

    def __init__(self, document: Any, expected: str, action: str):
        self.document = document
        self.expected = expected
        super().__init__(
            f"Cannot {action} {document}: it is {document.get_status_display().lower()}, not {expected}."
        )


class PeriodClosed(DomainError):
    code = "period_closed"

    def __init__(self, when: date, closed_through: date):
        self.date = when
        self.closed_through = closed_through
        super().__init__(
            f"{when:%d %b %Y} is in a closed period (closed through {closed_through:%d %b %Y}). "
            "Date the correction in an open period instead."
        )


class LedgerConflict(DomainError):
    """A reversal that the ledger cannot take without breaking a balance."""

    code = "ledger_conflict"


class InvalidDocument(DomainError):
    """Input a form or serializer should have caught, refused by the service as the final word.

    ``fields`` maps a header field to its messages; ``lines`` maps a line's index to its messages.
    """

    code = "invalid"

    def __init__(
        self,
        message: str = "Please correct the errors below.",
        *,
        fields: dict[str, list[str]] | None = None,
        lines: dict[int, dict[str, list[str]]] | None = None,
    ):
        self.fields = fields or {}
        self.lines = lines or {}
        details = [f"{k}: {' '.join(v)}" for k, v in self.fields.items()]
        details += [
            f"line {i + 1} {k}: {' '.join(v)}"
            for i, errs in sorted(self.lines.items())
            for k, v in errs.items()
        ]
        super().__init__(message if not details else f"{message} ({'; '.join(details)})")
