"""A bill's payment state, one rule for customers' bills and suppliers' bills alike: paid once what
is paid covers what the bill asks for, partly paid once anything is paid, unpaid before that.

``payment_state_case`` says it in SQL for an annotated queryset, ``payment_state`` for figures
already in memory; the tests of both apps hold the two equal.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, Value, When


class PaymentState:
    UNPAID = "unpaid"
    PARTLY_PAID = "partly paid"
    PAID = "paid"


def payment_state_case(*, paid: str, due: str) -> Case:
    """The state of each row from its annotations (or fields) named ``paid`` and ``due``."""
    return Case(
        When(**{f"{paid}__gte": F(due)}, then=Value(PaymentState.PAID)),
        When(**{f"{paid}__gt": 0}, then=Value(PaymentState.PARTLY_PAID)),
        default=Value(PaymentState.UNPAID),
    )


def payment_state(paid: Decimal, due: Decimal) -> str:
    """The same rule for figures in memory."""
    if paid >= due:
        return PaymentState.PAID
    return PaymentState.PARTLY_PAID if paid > 0 else PaymentState.UNPAID
