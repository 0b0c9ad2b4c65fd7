"""Alerts reach people through a real SMTP server: approvers of a pending document (never its
creator or an editor), Managers when stock falls below its reorder level; a mail server that
refuses or is down never loses a mail and never fails a posting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import lifecycle
from notifications import outbox
from notifications.models import AlertPreferences, MailKind, MailStatus, OutboxMail
from notifications.tests.conftest import join_background_senders
from production.services import create_run
from sales.models import Sale
from sales.services import SaleLineInput, update_sale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(plant, manager_user, settings):
    plant.buy(
        manager_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"), (plant.bottle, 500, "3.00")
    )
    settings.APPROVAL_THRESHOLD = D("100")
    return plant


def _envelope(message) -> set[str]:
    return set(message["X-Envelope-To"].split(", "))


def _recipients() -> list[set[str]]:
    return [set(row.recipients) for row in OutboxMail.objects.order_by("id")]


def test_pending_bill_mails_those_who_may_approve_it_and_not_its_creator(stocked, addresses, smtp):
    sale = stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))  # 200 > 100: waits
    assert sale.status == "pending"
    assert outbox.send_due().sent == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert _envelope(message) == {"max_manager@plant.example", "olga_owner@plant.example"}
    assert not smtp.to("mia_manager@plant.example")  # the creator
    assert not smtp.to("sam_staff@plant.example")  # Staff approve nothing
    assert "Waiting for your approval" in message["Subject"]
    body = smtp.text(message)
    assert "https://plant.example/inventory/approvals/" in body
    assert "Aqua Traders" in body and "200.00" in body
    assert "https://plant.example/inventory/approvals/" in smtp.html(message)
    assert OutboxMail.objects.get().status == MailStatus.SENT


def test_pending_bill_is_not_mailed_to_a_manager_who_changed_it(stocked, addresses, smtp):
    draft = stocked.sell(addresses["staff"], (stocked.bottle, 1, "5.00"), submit=False)
    update_sale(
        sale=draft,
        by=addresses["max"],
        customer=stocked.customer,
        lines=[SaleLineInput(item=stocked.bottle, quantity=30, unit_price=D("5.00"))],
        date=draft.date,
    )
    lifecycle.submit(document=Sale.objects.get(pk=draft.pk), by=addresses["staff"])
    outbox.send_due()
    assert [_envelope(m) for m in smtp.messages] == [
        {"mia_manager@plant.example", "olga_owner@plant.example"}
    ]


def test_an_approver_who_turned_approval_alerts_off_gets_none(stocked, addresses, smtp):
    AlertPreferences.objects.create(user=addresses["owner"], approvals=False, digest=True)
    stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))
    outbox.send_due()
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["max_manager@plant.example"]


def test_a_refusing_mail_server_is_retried_later_and_nothing_is_lost(stocked, addresses, smtp, caplog):
    stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))
    smtp.refuse = True
    first = outbox.send_due()
    assert (first.sent, first.retried) == (0, 1)
    row = OutboxMail.objects.get()
    assert row.status == MailStatus.PENDING and row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert "not sent (attempt 1)" in caplog.text
    # Not due yet: the next minute's run leaves it alone.
    assert outbox.send_due().sent == 0 and OutboxMail.objects.get().attempts == 1
    smtp.refuse = False
    later = outbox.send_due(now=timezone.now() + timedelta(minutes=2))
    assert later.sent == 1
    assert OutboxMail.objects.get().status == MailStatus.SENT
    assert len(smtp.messages) == 1


def test_a_mail_that_keeps_failing_is_kept_as_failed_logged_and_can_be_sent_again(
    stocked, addresses, smtp, caplog
):
    stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))
    smtp.refuse = True
    when = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.send_due(now=when)
        when += outbox.LONGEST_DELAY + timedelta(seconds=1)
    row = OutboxMail.objects.get()
    assert row.status == MailStatus.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    assert "gave up" in caplog.text
    smtp.refuse = False
    assert outbox.retry_failed() == 1
    assert outbox.send_due().sent == 1 and len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_posting_commits_with_the_mail_server_down(plant, addresses, smtp_down, settings):
    plant.buy(addresses["mia"], (plant.bottle, 500, "3.00"))
    settings.APPROVAL_THRESHOLD = D("100")
    settings.MAIL_QUEUE_SEND_AFTER_COMMIT = True  # the attempt right after the commit, as in production
    sale = plant.sell(addresses["mia"], (plant.bottle, 40, "5.00"))  # commits, then tries to send
    join_background_senders()
    assert Sale.objects.get(pk=sale.pk).status == "pending"
    row = OutboxMail.objects.get(kind=MailKind.APPROVAL)
    assert row.status == MailStatus.PENDING and row.attempts == 1 and row.last_error
    assert set(row.recipients) == {"max_manager@plant.example", "olga_owner@plant.example"}
    # A bill that posts at once commits too, with the server still down.
    posted = plant.sell(addresses["mia"], (plant.bottle, 2, "5.00"))
    join_background_senders()
    assert Sale.objects.get(pk=posted.pk).status == "posted"


@pytest.mark.django_db(transaction=True)
def test_a_sale_that_takes_an_item_below_its_reorder_level_mails_managers_once_a_day(
    plant, addresses, smtp, settings
):
    settings.MAIL_QUEUE_SEND_AFTER_COMMIT = True
    plant.buy(addresses["mia"], (plant.bottle, 150, "3.00"))  # reorder level 100
    plant.sell(addresses["staff"], (plant.bottle, 40, "5.00"))  # 110 left: above
    join_background_senders()
    assert not smtp.messages
    plant.sell(addresses["staff"], (plant.bottle, 20, "5.00"))  # 90 left: below
    join_background_senders()
    plant.sell(addresses["staff"], (plant.bottle, 5, "5.00"))  # still below: no second mail today
    join_background_senders()
    from django.core.management import call_command

    call_command("send_mail_queue")  # the minute job's own check finds the mail already queued
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert _envelope(message) == {"mia_manager@plant.example", "max_manager@plant.example"}
    assert "BTL-500" in message["Subject"]
    text = smtp.text(message)
    assert "In stock:        90 pcs" in text
    # 60 sold in the last 30 days + reorder level 100 − 90 in stock
    assert "Suggested to buy: 70 pcs" in text
    assert "3.00" not in text and "3.00" not in smtp.html(message)  # no cost in the mail


def test_the_minute_job_queues_low_stock_that_a_stopped_process_left(stocked, addresses, smtp, settings):
    settings.APPROVAL_THRESHOLD = D("100000")
    # No background attempt (as when a process stops right after its commit).
    stocked.sell(addresses["staff"], (stocked.bottle, 450, "5.00"))  # 50 left, reorder level 100
    assert not OutboxMail.objects.exists()
    from django.core.management import call_command

    call_command("send_mail_queue")
    call_command("send_mail_queue")
    low = [m for m in smtp.messages if "BTL-500" in m["Subject"]]
    assert len(low) == 1
    assert "Suggested to buy: 500 pcs" in smtp.text(low[0])  # 450 used + 100 − 50


def test_the_posting_path_writes_nothing_for_alerts_unless_something_is_to_send(stocked, addresses):
    with CaptureQueriesContext(connection) as posting:
        stocked.sell(addresses["staff"], (stocked.bottle, 4, "5.00"))  # posts, stock stays above
    assert not [q for q in posting.captured_queries if "notifications_" in q["sql"]]
    with CaptureQueriesContext(connection) as pending:
        stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))  # waits: one mail queued
    writes = [q["sql"] for q in pending.captured_queries if q["sql"].startswith("INSERT")]
    assert len([sql for sql in writes if "notifications_outboxmail" in sql]) == 1


def test_staff_are_sent_nothing_even_when_they_ask_for_every_alert(stocked, addresses, smtp, settings):
    AlertPreferences.objects.create(user=addresses["staff"], approvals=True, low_stock=True, digest=True)
    settings.RUN_APPROVAL_THRESHOLD = D("100")
    run = create_run(
        by=addresses["mia"],
        product=stocked.bottle,
        good_quantity=300,
        machine="BM-1",
        shift="day",
        conversion_cost=D("60.00"),
        submit=True,
    )
    assert run.status == "pending"  # its cost is over the limit
    stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))
    from django.core.management import call_command

    call_command("send_digest")
    call_command("send_mail_queue")
    assert smtp.messages
    assert not smtp.to("sam_staff@plant.example")
    assert all("sam_staff@plant.example" not in r for r in _recipients())


def test_a_fault_in_the_approval_mail_is_logged_and_the_bill_still_waits(
    stocked, addresses, monkeypatch, caplog
):
    from notifications import alerts

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(alerts.outbox, "enqueue", broken)
    sale = stocked.sell(addresses["mia"], (stocked.bottle, 40, "5.00"))
    assert Sale.objects.get(pk=sale.pk).status == "pending"
    assert "could not queue the approval mail" in caplog.text
