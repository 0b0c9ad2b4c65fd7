"""What waits for a user, for the header: documents they may decide, and low-stock alerts.

Counted once per user and data version (``reporting.freshness``) and kept in the shared cache, so
a page costs one read of the version unless something changed.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Q

from accounts import roles
from documents import lifecycle
from documents.models import DocumentStatus
from notifications import alerts, preferences
from reporting import freshness

CACHE_SECONDS = 60


def may_decide(user) -> int:
    """Pending documents ``user`` may approve or reject: not created or changed by them."""
    if not roles.can_approve(user):
        return 0
    counts = [
        model.objects.filter(status=DocumentStatus.PENDING)
        .exclude(pk__in=model.objects.filter(Q(created_by=user) | Q(edited_by=user)).values("pk"))
        .values("status")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
        .order_by()
        for model in lifecycle.registered_models()
    ]
    return sum(counts[0].union(*counts[1:], all=True))  # one statement for every type


def _count(user) -> dict[str, int]:
    low = alerts.below_reorder_level().count() if "low_stock" in preferences.offered(user) else 0
    return {"approvals": may_decide(user), "low_stock": low}


def for_user(user) -> dict[str, int]:
    """{"approvals": n, "low_stock": n, "total": n} for the header."""
    if not (roles.can_approve(user) or "low_stock" in preferences.offered(user)):
        return {"approvals": 0, "low_stock": 0, "total": 0}
    version = None if freshness.changes_pending() else freshness.current_version()
    key = None if version is None else f"waiting:{user.pk}:v{version}:r{roles.role_of(user)}"
    counts = cache.get(key) if key else None
    if counts is None:
        counts = _count(user)
        if key:
            cache.set(key, counts, CACHE_SECONDS)
    return {**counts, "total": counts["approvals"] + counts["low_stock"]}
