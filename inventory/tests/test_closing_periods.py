"""Closing a period (Managers: the page, the command) and reopening the latest close (the Owner)."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, InvalidDocument, NotAllowed, PeriodClosed
from inventory import ledger
from inventory.models import ClosedPeriod
from inventory.services import close_period, reopen_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_ends():
    """The last days of the month before last and of last month: two periods that can be closed."""
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    return last.replace(day=1) - timedelta(days=1), last


def test_the_owner_reopens_only_the_latest_close_with_a_reason_and_the_close_stays_on_record(
    manager_user, owner_user, month_ends, caplog
):
    earlier, later = month_ends
    first = close_period(by=manager_user, through=earlier, note="month end")
    second = close_period(by=manager_user, through=later)
    with pytest.raises(DomainError, match=f"reopen the close through {later:%d %b %Y} first"):
        reopen_period(by=owner_user, period=first, reason="late supplier bill")
    with pytest.raises(NotAllowed, match="Only the Owner may reopen a closed period."):
        reopen_period(by=manager_user, period=second, reason="late supplier bill")
    with pytest.raises(InvalidDocument) as no_reason:
        reopen_period(by=owner_user, period=second, reason="  ")
    assert no_reason.value.fields == {"reason": ["Give a reason."]}

    with caplog.at_level(logging.INFO, logger="bottleworks.audit"):
        reopen_period(by=owner_user, period=second, reason="late supplier bill")
    assert (
        f"reopened period through {later.isoformat()} user=olga_owner reason='late supplier bill'"
        in caplog.text
    )

    second.refresh_from_db()
    assert (second.reopened_by, second.reopen_reason) == (owner_user, "late supplier bill")
    assert [h.history_type for h in second.history.order_by("history_id")] == ["+", "~"]
    assert ClosedPeriod.objects.count() == 2
    # Last month is open again; the month before stays closed.
    with pytest.raises(PeriodClosed):
        ledger.check_period_open(earlier)
    ledger.check_period_open(later)
    # And it can be closed again later, beside the reopened record.
    assert close_period(by=manager_user, through=later).pk != second.pk
    with pytest.raises(DomainError, match="was reopened already"):
        reopen_period(by=owner_user, period=second, reason="again")


def test_a_close_through_a_day_already_closed_is_refused(manager_user, month_ends):
    earlier, later = month_ends
    close_period(by=manager_user, through=later)
    for day in (earlier, later):
        with pytest.raises(InvalidDocument) as refused:
            close_period(by=manager_user, through=day)
        assert refused.value.fields == {
            "through": [f"Everything through {later:%d %b %Y} is closed already; choose a later date."]
        }
    assert ClosedPeriod.objects.count() == 1


def test_a_close_is_logged_to_the_audit_trail(manager_user, month_ends, caplog):
    with caplog.at_level(logging.INFO, logger="bottleworks.audit"):
        close_period(by=manager_user, through=month_ends[1])
    assert f"closed period through {month_ends[1].isoformat()} user=mia_manager" in caplog.text


# The page ---------------------------------------------------------------------------------------


def test_a_manager_closes_a_period_on_its_page(manager_client, manager_user, month_ends):
    url = reverse("inventory:period-list")
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"through": month_ends[1].isoformat(), "note": "November"})
    assert response.status_code == 302
    period = ClosedPeriod.objects.get()
    assert (period.closed_through, period.closed_by, period.note) == (month_ends[1], manager_user, "November")
    page = manager_client.get(url).content.decode()
    assert f"{month_ends[1]:%d %b %Y}" in page and "November" in page


def test_a_refused_close_on_the_page_shows_the_error_and_keeps_the_input(manager_client):
    today = timezone.localdate().isoformat()
    response = manager_client.post(reverse("inventory:period-list"), {"through": today, "note": "too soon"})
    assert response.status_code == 400
    assert response.context["close_form"].errors["through"] == ["Only a period that has ended can be closed."]
    assert 'value="too soon"' in response.content.decode()
    assert not ClosedPeriod.objects.exists()


def test_staff_never_see_the_periods_page_and_the_owner_cannot_close(staff_client, owner_client, month_ends):
    url = reverse("inventory:period-list")
    assert staff_client.get(url).status_code == 403
    assert owner_client.get(url).status_code == 200
    assert owner_client.post(url, {"through": month_ends[1].isoformat()}).status_code == 403
    assert not ClosedPeriod.objects.exists()


def test_the_owner_reopens_the_latest_close_on_the_page(owner_client, manager_user, owner_user, month_ends):
    period = close_period(by=manager_user, through=month_ends[1])
    page = owner_client.get(reverse("inventory:period-list")).content.decode()
    assert reverse("inventory:period-reopen", args=[period.pk]) in page
    url = reverse("inventory:period-reopen", args=[period.pk])
    assert owner_client.post(url, {"reason": ""}).status_code == 400
    assert owner_client.post(url, {"reason": "late supplier bill"}).status_code == 302
    period.refresh_from_db()
    assert (period.reopened_by, period.reopen_reason) == (owner_user, "late supplier bill")


# The command ------------------------------------------------------------------------------------


def test_the_close_period_command_closes_as_the_named_manager(manager_user, month_ends, capsys):
    call_command("close_period", "--through", month_ends[1].isoformat(), "--as", "mia_manager")
    assert ClosedPeriod.objects.get().closed_by == manager_user
    assert f"on or before {month_ends[1].isoformat()}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--through", "2026-13-01", "--as", "mia_manager"], "--through must be a date as YYYY-MM-DD"),
        (["--through", "2026-01-31", "--as", "nobody"], "No active user 'nobody'."),
        (["--through", "2026-01-31", "--as", "sam_staff"], "Only a Manager may close a period."),
        (["--through", "2999-01-31", "--as", "mia_manager"], "Only a period that has ended can be closed."),
    ],
)
def test_the_close_period_command_exits_non_zero_with_the_reason(manager_user, staff_user, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("close_period", *args)
    assert not ClosedPeriod.objects.exists()


# The lock -------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_bill_takes_the_period_lock_once_and_before_any_stock_lock(plant, staff_user, manager_user):
    plant.buy(manager_user, (plant.bottle, 10, "3.00"), (plant.cap, 10, "0.50"))
    with CaptureQueriesContext(connection) as captured:
        plant.sell(staff_user, (plant.bottle, 1, "5.00"), (plant.cap, 1, "1.00"))
    statements = [query["sql"] for query in captured.captured_queries]
    shared = [i for i, sql in enumerate(statements) if "pg_advisory_xact_lock_shared" in sql]
    stock_locks = [i for i, sql in enumerate(statements) if "stockbalance" in sql and "FOR UPDATE" in sql]
    assert len(shared) == 1 and stock_locks
    assert shared[0] < stock_locks[0]
    # The period is read after the lock is granted, in a statement of its own (a fresh snapshot).
    assert "closed_through" in statements[shared[0] + 1]
