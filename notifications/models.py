"""Who wants which alert, and the outbox of mails waiting to be sent.

Mails are written to the outbox in the transaction that causes them (or just after it commits)
and sent by ``notifications.outbox``, so a mail server that is down never slows or fails a posting
and a mail that could not be sent is retried, never dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AlertPreferences(models.Model):
    """One user's choice of alerts. Without a row, ``notifications.preferences.DEFAULTS`` apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preferences"
    )
    approvals = models.BooleanField(
        "documents waiting for my approval", default=True, help_text="A mail when a document goes pending."
    )
    low_stock = models.BooleanField(
        "items below their reorder level",
        default=True,
        help_text="At most one mail a day per item, with a suggested quantity to buy.",
    )
    digest = models.BooleanField(
        "the daily digest", default=False, help_text="Yesterday's figures, each morning."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert preferences"

    def __str__(self) -> str:
        return f"alerts of {self.user_id}"


class MailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up retrying)"


class MailKind(models.TextChoices):
    APPROVAL = "approval", "Waiting for approval"
    LOW_STOCK = "low_stock", "Below reorder level"
    DIGEST = "digest", "Daily digest"


class OutboxMail(models.Model):
    """One mail to send, with its delivery state. Rows are kept after sending as a record."""

    kind = models.CharField(max_length=20, choices=MailKind.choices)
    # Makes a mail once-only where it must be (one low-stock mail per item and day, one digest per
    # person and day); empty for mails that may repeat.
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    recipients = models.JSONField(help_text="e-mail addresses")
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}: {self.subject} ({self.status})"
