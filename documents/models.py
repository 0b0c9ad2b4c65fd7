"""The fields every business document shares: status, number, who did what and when.

Purchases, production runs, sales, payments and stock counts all follow one lifecycle (DESIGN §5),
run by ``documents.lifecycle``; this abstract model holds its state.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import TruncDate, TruncTime
from django.utils import timezone

# The most lines one document takes, typed on its page or sent to the API.
MAX_LINES = 200


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


# How an unposted document is named, so no page shows it with a number that looks like a posted
# one: posted documents alone carry numbers (gapless, per type).
UNPOSTED_NAMES = {
    DocumentStatus.DRAFT: "Draft {noun}",
    DocumentStatus.PENDING: "{Noun} awaiting approval",
    DocumentStatus.REJECTED: "Rejected {noun}",
}


def document_name(*, noun: str, status: str, number: str | None, pk: int | None) -> str:
    """ "Bill S-00042" once posted; "Bill awaiting approval, ref. 627" before, with the internal
    reference (its id) a person can quote. Also for rows read with ``values()``."""
    if number:
        return f"{noun[:1].upper()}{noun[1:]} {number}"
    pattern = UNPOSTED_NAMES.get(status, "{Noun} ({status})")
    name = pattern.format(noun=noun, Noun=f"{noun[:1].upper()}{noun[1:]}", status=status)
    return f"{name}, ref. {pk}" if pk else name


def entered_time() -> models.Expression:
    """The plant's time of day a document was entered at (any document: it reads ``created_at``)."""
    return TruncTime("created_at")


def entry_lag() -> models.Expression:
    """How long after its date a document was entered (the days between, as a duration)."""
    return models.ExpressionWrapper(TruncDate("created_at") - F("date"), output_field=models.DurationField())


def entry_indexes(prefix: str) -> list[models.Index]:
    """The entry time and lag of a document type's rows, indexed (on PostgreSQL: each type's
    migration builds them there only). The exceptions report counts entries outside working hours
    and entries made days late: these hold the time and the lag themselves (both limits are
    settings), so it reads only those entries, not every document of the year. For the types that
    grow with the business: bills, payments, production runs."""
    return [
        models.Index(entered_time(), name=f"{prefix}_entered_time"),
        models.Index(entry_lag(), name=f"{prefix}_entry_lag"),
    ]


class Document(models.Model):
    NUMBER_PREFIX: ClassVar[str] = ""
    # What people call one ("bill" for a sale); the model's verbose name when not set.
    NOUN: ClassVar[str] = ""

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
        return self.number or self.display_name

    @classmethod
    def noun(cls) -> str:
        return cls.NOUN or str(cls._meta.verbose_name)

    @property
    def display_name(self) -> str:
        """The one name pages, lists, the approvals queue and mails show: see ``document_name``."""
        return document_name(noun=self.noun(), status=self.status, number=self.number, pk=self.pk)

    @property
    def display_number(self) -> str:
        """Its number once it has one, else its state name ("Draft bill, ref. 627")."""
        return self.number or self.display_name

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
