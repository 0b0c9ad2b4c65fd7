"""Posted documents are numbered per financial year (April–March by default), gapless."""

from datetime import date

import pytest

from documents.numbering import financial_year_label, next_number
from inventory.tests.test_concurrency import race, unexpected
from sales.models import Sale


def test_numbers_start_again_at_one_on_the_first_of_april(plant, manager_user, staff_user):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"), date=date(2026, 3, 1))
    march = [plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=date(2026, 3, 31)) for _ in range(2)]
    april = plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=date(2026, 4, 1))
    late_march = plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=date(2026, 3, 31))
    assert [s.number for s in march] == ["S/25-26/00001", "S/25-26/00002"]
    assert april.number == "S/26-27/00001"
    assert late_march.number == "S/25-26/00003"  # a bill dated back joins its own year's series
    assert all(len(s.number) <= 16 for s in [*march, april, late_march])


def test_the_financial_year_start_is_a_setting(db, settings):
    settings.FINANCIAL_YEAR_START_MONTH = 1
    assert financial_year_label(date(2027, 3, 31)) == "27"
    assert next_number("Q", date(2027, 3, 31)) == "Q/27/00001"
    settings.FINANCIAL_YEAR_START_MONTH = 7
    assert financial_year_label(date(2027, 6, 30)) == "26-27"
    assert financial_year_label(date(2027, 7, 1)) == "27-28"


def test_numbers_issued_before_stay_and_do_not_start_the_new_series_late(plant, manager_user, staff_user):
    from inventory.models import DocumentSequence

    # An old calendar-year sequence (S-2026-00041 was the last number issued that way).
    DocumentSequence.objects.create(prefix="S", year=2026, last=41)
    plant.buy(manager_user, (plant.bottle, 1, "3.00"), date=date(2026, 5, 1))
    sale = plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=date(2026, 5, 2))
    assert sale.number == "S/26-27/00001"
    assert DocumentSequence.objects.get(prefix="S", year=2026).last == 41


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bills_either_side_of_the_year_end_are_gapless_in_each_year(
    plant, roles_exist, staff_user
):
    plant.buy(staff_user, (plant.bottle, 40, "3.00"), date=date(2026, 3, 1))
    days = [date(2026, 3, 31), date(2026, 4, 1)]
    results = race(
        [lambda i=i: plant.sell(staff_user, (plant.bottle, 1, "5.00"), date=days[i % 2]) for i in range(30)]
    )
    assert unexpected(results) == []
    numbers = sorted(Sale.objects.values_list("number", flat=True))
    assert numbers == sorted(
        [f"S/25-26/{n:05d}" for n in range(1, 16)] + [f"S/26-27/{n:05d}" for n in range(1, 16)]
    )
