"""The dashboard's figures: stock, today's bills, approvals waiting, recent documents, money owed.

Every figure is one small indexed query (or a read of a summary row), so the page stays fast however
long the history. Cost figures are only computed for users who may see them.

The figures are served from the shared cache, keyed by the data version (``reporting.freshness``),
the day and what the user may see, so a request after any committed change computes them afresh and
every other request costs one read of the version.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Count, F, Sum, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import costs, roles
from documents import lifecycle
from documents.models import DocumentStatus
from inventory.models import Item, StockBalance
from reporting import freshness
from reporting.models import CustomerBalance, SalesCustomerDay
from reporting.tables import money, percent

T = TypeVar("T")

# Stale entries are never served (a newer version misses them); the timeout only frees memory and
# covers a bump lost to a crash between a commit and its bump.
CACHE_SECONDS = 60
RECENT = 10
SHOWN = (DocumentStatus.POSTED, DocumentStatus.CANCELLED)
PARTY = {"purchasing.purchase": "supplier", "sales.sale": "customer", "sales.payment": "customer"}


def approvals_url() -> str | None:
    try:
        return reverse("documents:approvals")
    except NoReverseMatch:
        return None


def _newest(model: type) -> Any:
    """The model's newest documents by primary key, as (label, id, number, date, status, total,
    posted_at, cancelled_at, party name) rows."""
    label = model._meta.label_lower
    party = PARTY.get(label) or ("product" if label == "production.productionrun" else None)
    # The newest rows by primary key (an index walk), drafts and pending ones left out later:
    # filtering on status in SQL can make the database sort every posted document instead.
    newest_ids = model.objects.order_by("-id").values("id")[: RECENT + 5]
    return (
        model.objects.filter(id__in=newest_ids)
        .order_by()
        .values_list(
            Value(label),
            "id",
            "number",
            "date",
            "status",
            "total",
            "posted_at",
            "cancelled_at",
            F(f"{party}__name") if party else Value(""),
        )
    )


@functools.cache
def _newest_of_every_type() -> Any:
    """The newest documents of every type in one statement.

    Built once per process, as composing it costs more than running it; each use runs a clone.
    """
    parts = [_newest(model) for model in lifecycle.registered_models()]
    return parts[0].union(*parts[1:], all=True)


def _recent(show_costs: bool) -> list[dict[str, Any]]:
    models = lifecycle.registered_models()
    by_label: dict[str, list[tuple]] = {model._meta.label_lower: [] for model in models}
    for row in _newest_of_every_type().all():
        by_label[row[0]].append(row)
    found = []
    for model in models:
        label = model._meta.label_lower
        newest = sorted(by_label[label], key=lambda row: row[1], reverse=True)
        shown = [row for row in newest if row[4] in SHOWN]
        for _label, _id, number, day, status, total, posted_at, cancelled_at, party in shown[:RECENT]:
            found.append(
                {
                    "type": model._meta.verbose_name,
                    "number": number,
                    "date": day,
                    "status": status,
                    "party": party or "",
                    # A run's or a count's amount is a cost; a purchase's is the prices Staff typed.
                    "total": total if show_costs or not costs.is_cost(model, "total") else None,
                    "when": cancelled_at or posted_at,
                }
            )
    found.sort(key=lambda d: d["when"] or timezone.now(), reverse=True)
    return found[:RECENT]


@functools.cache
def _pending_counts() -> Any:
    """The number of pending documents of each type, in one statement (built once, as above)."""
    counts = [
        model.objects.filter(status=DocumentStatus.PENDING)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
        .order_by()
        for model in lifecycle.registered_models()
    ]
    return counts[0].union(*counts[1:], all=True)


def _pending() -> int:
    return sum(_pending_counts().all())


def cached(user, kind: str, build: Callable[[], T]) -> T:
    """``build()``, served from the shared cache while the data version, day and audience stand."""
    key = _cache_key(user, kind)
    if key is None:
        return build()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _cache_key(user, kind: str) -> str | None:
    # Figures computed inside a transaction that changed data include what is not committed: they
    # are neither taken from nor put into the shared cache.
    if freshness.changes_pending():
        return None
    # The version is read before the figures are computed, so an entry never holds figures older
    # than its version (a change committed in between makes them newer, never staler).
    version = freshness.current_version()
    if version is None:
        return None
    audience = f"costs={int(roles.can_see_costs(user))},approve={int(roles.can_approve(user))}"
    return f"dashboard:{kind}:v{version}:{timezone.localdate().isoformat()}:{audience}"


def figures(user) -> dict[str, Any]:
    """The dashboard for this user: from the cache when nothing changed since it was computed."""
    return cached(user, "figures", lambda: compute(user))


def compute(user) -> dict[str, Any]:
    """The figures, read from the database."""
    show_costs = roles.can_see_costs(user)
    today = timezone.localdate()
    stock = []
    for row in (
        Item.objects.filter(is_active=True)
        .values("pk", "sku", "name", "unit", "reorder_level", "balance__quantity", "balance__value")
        .order_by("sku")
    ):
        quantity = row["balance__quantity"] or 0
        entry = {
            "sku": row["sku"],
            "name": row["name"],
            "unit": row["unit"],
            "quantity": quantity,
            "reorder_level": row["reorder_level"],
            "low": quantity < row["reorder_level"],
        }
        if show_costs:
            entry["value"] = money(row["balance__value"])
        stock.append(entry)
    sold = SalesCustomerDay.objects.filter(date=today).aggregate(
        bills=Sum("bills"), revenue=Sum("revenue"), cogs=Sum("cogs")
    )
    pending = _pending()
    owed = CustomerBalance.objects.aggregate(owed=Sum(F("billed") - F("paid")))["owed"]
    data: dict[str, Any] = {
        "date": today,
        "stock": stock,
        "low_stock": [s["sku"] for s in stock if s["low"]],
        "bills_today": int(sold["bills"] or 0),
        "revenue_today": money(sold["revenue"]),
        "pending_approvals": pending,
        "approvals_url": approvals_url() if roles.can_approve(user) else None,
        "recent": _recent(show_costs),
        "outstanding": money(owed),
    }
    if show_costs:
        revenue, cogs = money(sold["revenue"]), money(sold["cogs"])
        data["gross_profit_today"] = revenue - cogs
        data["margin_today"] = percent(revenue - cogs, revenue)
        data["stock_value"] = money(StockBalance.objects.aggregate(v=Sum("value"))["v"])
    return data
