"""The dashboard's figures: stock, today's bills, approvals waiting, recent documents, money owed.

Every figure is one small indexed query (or a read of a summary row), so the page stays fast however
long the history. Cost figures are only computed for users who may see them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import roles
from inventory import lifecycle
from inventory.documents import DocumentStatus
from inventory.models import Item, StockBalance
from reporting.models import CustomerBalance, SalesCustomerDay
from reporting.tables import money, percent

RECENT = 10
SHOWN = (DocumentStatus.POSTED, DocumentStatus.CANCELLED)
PARTY = {"purchasing.purchase": "supplier", "sales.sale": "customer", "sales.payment": "customer"}
# Documents whose amounts are what the plant paid (cost prices): hidden from those who see no costs.
COST_DOCUMENTS = {"purchasing.purchase", "production.productionrun", "inventory.stockcount"}


def approvals_url() -> str | None:
    try:
        return reverse("inventory:approvals")
    except NoReverseMatch:
        return None


def _recent(show_costs: bool) -> list[dict[str, Any]]:
    found = []
    for model in lifecycle.registered_models():
        label = model._meta.label_lower
        party = PARTY.get(label) or ("product" if label == "production.productionrun" else None)
        fields = ["number", "date", "status", "total", "posted_at", "cancelled_at"]
        if party:
            fields.append(f"{party}__name")
        # The newest rows by primary key (an index walk), drafts and pending ones left out here:
        # filtering on status in SQL can make the database sort every posted document instead.
        newest = [
            d for d in model.objects.order_by("-id").values(*fields)[: RECENT + 5] if d["status"] in SHOWN
        ]
        for document in newest[:RECENT]:
            found.append(
                {
                    "type": model._meta.verbose_name,
                    "number": document["number"],
                    "date": document["date"],
                    "status": document["status"],
                    "party": document.get(f"{party}__name", "") if party else "",
                    "total": document["total"] if show_costs or label not in COST_DOCUMENTS else None,
                    "when": document["cancelled_at"] or document["posted_at"],
                }
            )
    found.sort(key=lambda d: d["when"] or timezone.now(), reverse=True)
    return found[:RECENT]


def figures(user) -> dict[str, Any]:
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
    pending = sum(
        model.objects.filter(status=DocumentStatus.PENDING).count() for model in lifecycle.registered_models()
    )
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
