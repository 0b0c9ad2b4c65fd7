"""The alerts: a document waiting for approval, an item below its reorder level.

Both observe the document lifecycle and queue mails in the outbox; neither decides anything
about the document. Approval mails go to those who may approve the document (never its creator
or an editor: ``accounts.roles.can_approve``); low-stock mails to Managers, one a day per item.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from documents import lifecycle
from inventory.models import Item, MovementKind
from notifications import outbox, preferences
from notifications.models import MailKind
from reporting.models import StockDay

log = logging.getLogger("bottleworks.mail")

USE_DAYS = 30
USES = (MovementKind.SALE, MovementKind.PRODUCTION_OUT)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# Waiting for approval ---------------------------------------------------------------------------


def document_went_pending(document) -> None:
    """Queue one mail to everyone who may approve ``document`` and chose these alerts.

    Runs in the submitting transaction: the mail exists exactly when the pending document does. A
    fault in the alert itself is logged and never refuses the document (a savepoint keeps the
    transaction usable; documents go pending seldom, so it costs little).
    """
    try:
        with transaction.atomic():
            _queue_approval_mail(document)
    except Exception:
        log.exception("could not queue the approval mail of %s %s", type(document).__name__, document.pk)


def _queue_approval_mail(document) -> None:
    authors = document.author_ids()
    approvers = [
        user
        for user in preferences.recipients("approvals", exclude_ids=authors)
        if roles.can_approve(user, document)
    ]
    if not approvers:
        return
    party = getattr(document, "customer", None) or getattr(document, "supplier", None)
    context = {
        "document": document,
        "kind": document._meta.verbose_name,
        "party": party,
        # Approvers may see costs; the reason names the figures that decided it.
        "reason": lifecycle.waiting_reason(document, approvers[0]),
        "created_by": document.created_by,
        "url": absolute(reverse("documents:approvals")),
    }
    subject = f"Waiting for your approval: {context['kind']} {document.display_number}"
    outbox.enqueue(
        kind=MailKind.APPROVAL,
        recipients=[user.email for user in approvers],
        subject=subject,
        text=render_to_string("notifications/mail/approval.txt", context),
        html=render_to_string("notifications/mail/approval.html", context),
    )


# Below reorder level ----------------------------------------------------------------------------

# Reorder levels change seldom; each process reads them at most once a minute, after a commit.
LEVELS_SECONDS = 60
_levels: dict[int, int] = {}
_levels_read_at = 0.0
# (item id, date) already queued by this process: later postings of the day cost nothing.
_queued: set[tuple[int, date]] = set()
_lock = threading.Lock()


def posting_moved_stock(document, sign: int) -> None:
    """After a posting commits, check the items it moved against their reorder levels.

    Inside the posting's transaction this only keeps the new quantities of the balances the
    lifecycle already holds (no query); the check, and any mail, follow the commit. A process that
    dies in between loses nothing: ``send_mail_queue`` checks every item moved today.
    """
    if sign <= 0:
        return  # a cancellation: the minute job's check covers it
    balances = lifecycle.held_balances(document)
    if not balances:
        return
    quantities = {item_id: balance.quantity for item_id, balance in balances.items()}
    transaction.on_commit(lambda: _after_posting(quantities))


def _reorder_levels() -> dict[int, int]:
    global _levels, _levels_read_at
    with _lock:
        if time.monotonic() - _levels_read_at > LEVELS_SECONDS:
            _levels = dict(
                Item.objects.filter(is_active=True, reorder_level__gt=0).values_list("pk", "reorder_level")
            )
            _levels_read_at = time.monotonic()
        return _levels


def forget_cached_levels() -> None:
    """For tests and for a process that just changed reorder levels."""
    global _levels_read_at
    with _lock:
        _levels_read_at = 0.0
        _queued.clear()


def _after_posting(quantities: dict[int, int]) -> None:
    try:
        today = timezone.localdate()
        levels = _reorder_levels()
        low = [i for i, q in quantities.items() if q < levels.get(i, 0) and (i, today) not in _queued]
        if not low:
            return
        if settings.MAIL_QUEUE_SEND_AFTER_COMMIT:
            _queued.update((i, today) for i in low)
            threading.Thread(target=_queue_and_send, args=(low,), name="low-stock", daemon=True).start()
    except Exception:  # an alert never fails the request whose posting already committed
        log.exception("checking reorder levels after a posting failed; send_mail_queue checks again")


def _queue_and_send(item_ids: list[int]) -> None:
    from django.db import connections

    try:
        queue_low_stock(item_ids=item_ids)
        outbox.send_due()
    except Exception:
        log.exception("queueing low-stock mails failed; send_mail_queue checks again")
    finally:
        connections.close_all()


def used_in_last_days(item_ids: list[int], day: date, days: int = USE_DAYS) -> dict[int, int]:
    """Units of each item sold or consumed by production in the ``days`` up to ``day``."""
    rows = (
        StockDay.objects.filter(
            item_id__in=item_ids, kind__in=USES, date__gt=day - timedelta(days=days), date__lte=day
        )
        .values("item_id")
        .annotate(q=Sum("quantity"))
    )
    return {row["item_id"]: -int(row["q"] or 0) for row in rows}


def suggested_quantity(*, on_hand: int, reorder_level: int, used: int) -> int:
    """Enough for the next 30 days at the last 30 days' rate, and back up to the reorder level."""
    return max(used + reorder_level - on_hand, reorder_level - on_hand, 0)


def below_reorder_level(item_ids: list[int] | None = None):
    """Active items whose stock is below their reorder level (all of them, or of ``item_ids``)."""
    items = Item.objects.filter(is_active=True, reorder_level__gt=0)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    # An item never posted has no balance row yet: it holds nothing (as on the dashboard).
    return (
        items.annotate(on_hand=Coalesce(F("balance__quantity"), 0))
        .filter(on_hand__lt=F("reorder_level"))
        .values("pk", "sku", "name", "unit", "reorder_level", "on_hand")
        .order_by("sku")
    )


def moved_today(day: date) -> list[int]:
    return list(StockDay.objects.filter(date=day).values_list("item_id", flat=True).distinct())


def queue_low_stock(*, item_ids: list[int] | None = None, day: date | None = None) -> int:
    """Queue one mail to the Managers for each of these items below its reorder level, once a day
    per item (the outbox key). Returns how many items were below."""
    day = day or timezone.localdate()
    low = list(below_reorder_level(item_ids))
    if not low:
        return 0
    managers = preferences.recipients("low_stock")
    if not managers:
        return len(low)
    used = used_in_last_days([row["pk"] for row in low], day)
    url = absolute(reverse("reporting:dashboard"))
    for row in low:
        context = {
            **row,
            "used": used.get(row["pk"], 0),
            "days": USE_DAYS,
            "suggested": suggested_quantity(
                on_hand=row["on_hand"], reorder_level=row["reorder_level"], used=used.get(row["pk"], 0)
            ),
            "url": url,
            "day": day,
        }
        outbox.enqueue(
            kind=MailKind.LOW_STOCK,
            key=f"low-stock:{row['pk']}:{day.isoformat()}",
            recipients=[user.email for user in managers],
            subject=f"Below reorder level: {row['sku']} {row['name']} ({row['on_hand']} left)",
            text=render_to_string("notifications/mail/low_stock.txt", context),
            html=render_to_string("notifications/mail/low_stock.html", context),
            send=False,  # every caller sends the queue next
        )
    return len(low)
