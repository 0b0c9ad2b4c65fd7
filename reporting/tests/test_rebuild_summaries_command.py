"""``manage.py rebuild_summaries``: every summary recomputed from the documents, checked, and left
as it was if the check fails."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from reporting import summaries
from reporting.models import SalesCustomerDay

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_drifted_summary_and_a_changed_split_band_are_rebuilt(plant, staff_user, manager_user, settings):
    plant.buy(manager_user, (plant.bottle, 50, "3.00"))
    plant.sell(staff_user, (plant.bottle, 10, "10.00"))
    SalesCustomerDay.objects.update(revenue=F("revenue") + 1)  # drift, behind the services' back
    settings.APPROVAL_THRESHOLD = D("4000")  # the split facts were summed with another band
    assert summaries.differences()
    assert summaries.kept_split_band() != summaries.split_band()

    call_command("rebuild_summaries")

    assert summaries.differences() == []
    assert summaries.kept_split_band() == summaries.split_band()


def test_a_rebuild_that_still_differs_changes_nothing(plant, staff_user, manager_user, monkeypatch):
    plant.buy(manager_user, (plant.bottle, 50, "3.00"))
    plant.sell(staff_user, (plant.bottle, 10, "10.00"))
    SalesCustomerDay.objects.update(revenue=F("revenue") + 1)
    drifted = list(SalesCustomerDay.objects.values_list("revenue", flat=True))
    monkeypatch.setattr(summaries, "differences", lambda: ["reporting_salescustomerday: still off"])

    with pytest.raises(CommandError, match="nothing was changed; first: reporting_salescustomerday"):
        call_command("rebuild_summaries")

    assert list(SalesCustomerDay.objects.values_list("revenue", flat=True)) == drifted
