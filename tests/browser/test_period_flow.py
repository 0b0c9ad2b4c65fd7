"""Closing a month in a real browser: a Manager closes it, a back-dated bill is refused on its date,
and the Owner reopens the close with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import ClosedPeriod

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_closes_last_month_and_the_owner_reopens_it(open_session, stocked_plant):
    last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    manager = open_session("mia_manager")
    manager.go("/inventory/periods/")
    manager.page.fill("#id_through", last_month_end.isoformat())
    manager.page.fill("#id_note", "month end")
    manager.page.click("button:has-text('Close the period')")
    expect(manager.page.locator("table")).to_contain_text(f"{last_month_end:%d/%m/%Y}")
    manager.shot("periods-closed-manager")

    manager.go("/sales/bills/new/")
    manager.page.fill("#id_date", last_month_end.isoformat())
    manager.page.select_option("#id_customer", str(stocked_plant.customer.pk))
    manager.page.select_option("#id_lines-0-item", str(stocked_plant.bottle.pk))
    manager.page.fill("#id_lines-0-quantity", "1")
    manager.page.fill("#id_lines-0-unit_price", "5.00")
    manager.page.click("button[name=submit]")
    expect(manager.page.locator("#id_date_error")).to_contain_text("is in a closed period")
    expect(manager.page.locator("#id_date")).to_have_value(last_month_end.isoformat())

    owner = open_session("olga_owner")
    owner.go("/inventory/periods/")
    owner.page.fill("#id_reason", "late supplier bill")
    owner.page.click("button:has-text('Reopen')")
    expect(owner.page.locator("table")).to_contain_text("late supplier bill")
    owner.shot("periods-reopened-owner")
    assert ClosedPeriod.objects.get().reopen_reason == "late supplier bill"
    # The refused bill answers 400, which the browser reports; nothing else may go wrong.
    assert [e for e in manager.errors + owner.errors if "status of 400" not in e] == []
