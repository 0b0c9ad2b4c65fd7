"""The outbox: mails written with the change that causes them, sent later with retries.

``enqueue`` is one INSERT in the caller's transaction. After the commit a background thread tries
to send at once (``send_soon``), so the request never waits on the mail server; ``manage.py
send_mail_queue``, run by cron every minute, sends whatever is still due. A failed attempt is
logged and retried with a growing delay; after ``MAX_ATTEMPTS`` the mail is marked failed (and
logged as an error) but kept, so ``send_mail_queue --retry-failed`` can send it again.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from notifications.models import MailStatus, OutboxMail

log = logging.getLogger("bottleworks.mail")

MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
# Errors that say the server (not this mail) is unreachable: stop the round, the rest waits.
SERVER_DOWN = (ConnectionError, socket.timeout, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def delay_after(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after each failed attempt, at most an hour."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), LONGEST_DELAY)


def enqueue(
    *,
    kind: str,
    recipients: list[str],
    subject: str,
    text: str,
    html: str = "",
    key: str | None = None,
    send: bool = True,
) -> None:
    """Queue one mail (one INSERT); with a ``key`` already queued, nothing is written. ``send``:
    try the queue right after the commit (callers that send the queue themselves pass False)."""
    if not recipients:
        return
    row = OutboxMail(
        kind=kind,
        key=key,
        recipients=sorted(set(recipients)),
        subject=subject[:200],
        text=text,
        html=html,
        next_attempt_at=timezone.now(),
    )
    if key is None:
        row.save()
    else:
        OutboxMail.objects.bulk_create([row], ignore_conflicts=True)
    if send:
        send_soon()


# Send-after-commit ------------------------------------------------------------------------------


def send_soon() -> None:
    """Try the queue in a background thread once the current transaction commits (once per
    transaction); a rolled-back transaction queued nothing and starts nothing."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _start_sender()
    elif not any(callback is _start_sender for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_start_sender, using=DEFAULT_DB_ALIAS)


def _start_sender() -> None:
    if settings.MAIL_QUEUE_SEND_AFTER_COMMIT:
        threading.Thread(target=_send_in_background, name="outbox-sender", daemon=True).start()


def _send_in_background() -> None:
    try:
        send_due()
    except Exception:
        log.exception("sending the mail queue after a commit failed; cron retries it")
    finally:
        connections.close_all()  # this thread's own connections


# Sending ----------------------------------------------------------------------------------------


@dataclass
class Round:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    server_down: bool = False


def send_due(*, now: datetime | None = None, limit: int = 200) -> Round:
    """Send every mail that is due, oldest first. Each mail is claimed under a row lock (skipped
    when another sender holds it), so the cron job and a background attempt never send one twice
    on PostgreSQL."""
    now = now or timezone.now()
    due = list(
        OutboxMail.objects.filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    result = Round()
    if not due:
        return result
    smtp = mail.get_connection()
    try:
        for pk in due:
            if not _send_one(pk, smtp, result):
                break
    finally:
        try:
            smtp.close()
        except Exception:  # closing a connection that never opened, to a server that is gone
            log.debug("closing the mail connection failed", exc_info=True)
    return result


def _send_one(pk: int, smtp, result: Round) -> bool:
    """Send one mail; False when the server is down and the round should stop."""
    with transaction.atomic():
        row = (
            OutboxMail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=MailStatus.PENDING)
            .first()
        )
        if row is None:
            return True
        message = mail.EmailMultiAlternatives(
            subject=row.subject, body=row.text, to=row.recipients, connection=smtp
        )
        if row.html:
            message.attach_alternative(row.html, "text/html")
        try:
            message.send()
        except Exception as error:  # every failure is recorded on the row and retried
            _failed(row, error, result)
            return not isinstance(error, SERVER_DOWN)
        row.status = MailStatus.SENT
        row.attempts += 1
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["status", "attempts", "sent_at", "last_error"])
        result.sent += 1
        return True


def _failed(row: OutboxMail, error: Exception, result: Round) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = MailStatus.FAILED
        result.failed += 1
        log.error("mail %s gave up after %s attempts: %s", row.pk, row.attempts, row.last_error)
    else:
        row.next_attempt_at = timezone.now() + delay_after(row.attempts)
        result.retried += 1
        log.warning(
            "mail %s not sent (attempt %s), retried at %s: %s",
            row.pk,
            row.attempts,
            row.next_attempt_at.isoformat(timespec="seconds"),
            row.last_error,
        )
    result.server_down = result.server_down or isinstance(error, SERVER_DOWN)
    row.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def retry_failed() -> int:
    """Put every mail that gave up back in the queue, due now."""
    failed = list(OutboxMail.objects.filter(status=MailStatus.FAILED))
    for row in failed:
        row.status, row.attempts, row.next_attempt_at = MailStatus.PENDING, 0, timezone.now()
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
    return len(failed)
