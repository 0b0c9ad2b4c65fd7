"""A bill's payment state has one definition, read by customers' and suppliers' bills alike."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from documents.payment_state import PaymentState, payment_state

PROJECT = Path(__file__).resolve().parents[2]
D = Decimal


def test_the_payment_states_and_their_rule_are_defined_once():
    twins = []
    for path in PROJECT.rglob("*.py"):
        relative = path.relative_to(PROJECT).as_posix()
        if relative.split("/")[0] in {".venv", "bench"} or "/tests/" in f"/{relative}":
            continue
        if relative == "documents/payment_state.py":
            continue
        text = path.read_text()
        if re.search(r"^class PaymentState\b", text, re.M) or '"partly paid"' in text:
            twins.append(relative)
    assert twins == []


@pytest.mark.parametrize(
    ("paid", "due", "state"),
    [
        (D("0.00"), D("100.00"), PaymentState.UNPAID),
        (D("0.01"), D("100.00"), PaymentState.PARTLY_PAID),
        (D("100.00"), D("100.00"), PaymentState.PAID),
        (D("0.00"), D("0.00"), PaymentState.PAID),  # a bill returned in full on credit owes nothing
    ],
)
def test_a_bill_is_paid_once_its_payments_cover_what_it_asks_for(paid, due, state):
    assert payment_state(paid, due) == state
