"""The fields every business document shares: status, number, who did what and when.

Purchases, production runs, sales, payments and stock counts all follow one lifecycle (DESIGN §5),
run by ``documents.lifecycle``; this abstract model holds its state.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

# The most lines one document takes, typed on its page or sent to the API.
MAX_LINES = 200


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class Document(models.Model):
    NUMBER_PREFIX: ClassVar[str] = ""

    number = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    date = models.DateField(default=timezone.localdate)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, editable=False
    )
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    notes = models.TextField(blank=True)
    # A one-time key sent with the entry form or API call: a repeat returns the first document.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        help_text="who approved or rejected it",
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejection_reason = models.CharField(max_length=300, blank=True, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Who changed the draft's content (header, lines, prices) besides its creator. Neither they nor
    # the creator may approve or reject it (``roles.can_approve``). A set, not a "last edited by":
    # A edits, B edits, A approves must be refused too. Added once per person, never removed.
    edited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        editable=False,
        help_text="who changed its content after its creator; none of them may approve it",
    )

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["date", "status"], name="%(class)s_date_idx"),
            models.Index(fields=["status", "date"], name="%(class)s_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self._meta.verbose_name} draft #{self.pk}"

    @property
    def display_number(self) -> str:
        return self.number or f"Draft #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def is_editable(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    def author_ids(self) -> set[int]:
        """Everyone who created or changed the content: the people who may not approve it.

        Reads ``edited_by`` from a ``prefetch_related("edited_by")`` when the caller made one.
        """
        if self.pk is None:
            return {self.created_by_id}
        return {self.created_by_id, *(user.pk for user in self.edited_by.all())}
