from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cashbook.services import save_account

D = Decimal


@pytest.fixture
def books(manager_user):
    start = timezone.localdate() - timedelta(days=10)
    cash = save_account(
        by=manager_user,
        name="Cash box",
        kind="cash",
        opening_balance=D("1000.00"),
        opening_date=start,
        default_for="cash",
    )
    bank = save_account(
        by=manager_user,
        name="State Bank",
        kind="bank",
        opening_balance=D("50000.00"),
        opening_date=start,
        default_for="bank",
    )
    upi = save_account(
        by=manager_user, name="UPI", kind="upi", opening_balance=D("0"), opening_date=start, default_for="upi"
    )
    return {"cash": cash, "bank": bank, "upi": upi, "start": start}
