"""The bill-line checks read only the lines they mark (through indexes on ``SaleLine``), and find
exactly what a pass over every line of the period finds, whatever the limits and default prices."""

from datetime import timedelta
from decimal import Decimal

import pytest

from documents import lifecycle
from reporting.reports import exceptions
from reporting.tests.test_exceptions import clean, planted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = Decimal
LINE_CHECKS = (exceptions.below_cost, exceptions.big_discounts, exceptions.price_deviations)


def _line_results(period) -> list:
    cache: dict = {}
    return [check(period, cache) for check in LINE_CHECKS]


def _every_line_results(period, monkeypatch) -> list:
    """The same checks reading every line of the period, as before the indexes (the path taken when
    more bills are marked than the cap)."""
    with monkeypatch.context() as patch:
        patch.setattr(exceptions, "MARKED_SALES_CAP", -1)
        assert exceptions.marked_sales({}) is None
        return _line_results(period)


@pytest.fixture
def priced(planted, plant, staff_user, manager_user):  # noqa: F811 (the imported fixture)
    """The planted month with lines at many discount shares and prices around the default 5.00,
    one cancelled bill with such lines and one such bill before the period."""
    today = planted["period"].end
    day = today - timedelta(days=3)
    lines = [
        (plant.bottle, 100, "5.00", "50.00"),  # 10 % exactly: not above a 10 % limit
        (plant.bottle, 100, "5.00", "50.01"),
        (plant.bottle, 30, "5.00", "5.00"),  # 3.33… %: a share that does not end
        (plant.bottle, 7, "5.00", "0.35"),
        (plant.bottle, 10, "6.00"),  # 20 % above
        (plant.bottle, 10, "6.01"),
        (plant.bottle, 10, "4.00"),  # 20 % below
        (plant.bottle, 10, "3.99"),
        (plant.bottle, 10, "5.25"),
    ]
    for n, line in enumerate(lines):
        plant.sell(staff_user, line, date=day - timedelta(days=n % 3))
    dropped = plant.sell(
        staff_user, (plant.bottle, 40, "2.00"), (plant.bottle, 100, "5.00", "80.00"), date=day
    )
    lifecycle.cancel(document=dropped, by=manager_user, reason="entered twice")
    plant.sell(
        staff_user, (plant.bottle, 40, "9.00", "30.00"), date=planted["period"].start - timedelta(days=5)
    )
    return planted


@pytest.mark.parametrize(
    ("discount", "price"),
    [("10", "20"), ("1", "5"), ("3.3333", "0"), ("0", "100"), ("50", "0.01")],
)
def test_line_checks_find_what_every_line_shows_at_any_limit(priced, settings, monkeypatch, discount, price):
    settings.EXCEPTION_DISCOUNT_PERCENT = D(discount)
    settings.EXCEPTION_PRICE_PERCENT = D(price)
    period = priced["period"]
    assert exceptions.marked_sales({}) is not None
    assert _line_results(period) == _every_line_results(period, monkeypatch)
    for sub in (
        exceptions.Period(period.end - timedelta(days=3), period.end),
        exceptions.Period(period.end, period.end),
    ):
        assert _line_results(sub) == _every_line_results(sub, monkeypatch)


def test_a_changed_default_price_moves_the_price_check_at_once(priced, plant, monkeypatch):
    period = priced["period"]
    before = exceptions.price_deviations(period)
    assert before.total
    plant.bottle.default_price = D("6.00")
    plant.bottle.save(update_fields=["default_price"])
    after = exceptions.price_deviations(period)
    assert after != before
    assert _line_results(period) == _every_line_results(period, monkeypatch)
    plant.bottle.default_price = D("0")
    plant.bottle.save(update_fields=["default_price"])
    assert exceptions.price_deviations(period).total == _every_line_results(period, monkeypatch)[2].total


def test_a_cancelled_bill_and_bills_outside_the_period_are_not_counted(priced, monkeypatch):
    period = priced["period"]
    below, big, far = _line_results(period)
    assert below.total == 1  # the planted bill; the cancelled one sold below cost too
    assert {f.documents[0][0] for f in below.findings} == priced["below-cost"]
    assert _line_results(period) == _every_line_results(period, monkeypatch)
