"""Checks of the ledger's invariants (DESIGN §4, 1–3), run by ``manage.py verify_ledger``.

Every check is one aggregate query; it returns human-readable breaches, empty when all is well.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from inventory import lifecycle
from inventory.documents import DocumentStatus
from inventory.models import Item, StockBalance, StockMovement


def _cents(value) -> Decimal:
    # SQLite adds decimals in floating point; rounded to the cent the sums are exact again.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def balance_breaches() -> list[str]:
    """Invariants 1 and 2: each balance equals the sum of its movements, and none is negative."""
    sums = {
        row["item_id"]: (row["q"], _cents(row["v"]))
        for row in StockMovement.objects.values("item_id").annotate(q=Sum("quantity"), v=Sum("value"))
    }
    balances = {b.item_id: (b.quantity, b.value) for b in StockBalance.objects.all()}
    skus = dict(Item.objects.values_list("pk", "sku"))
    problems = []
    for item_id in sorted(set(sums) | set(balances)):
        moved_q, moved_v = sums.get(item_id, (0, Decimal("0")))
        held_q, held_v = balances.get(item_id, (0, Decimal("0")))
        sku = skus.get(item_id, f"item #{item_id}")
        if held_q != moved_q or held_v != moved_v:
            problems.append(f"{sku}: balance {held_q} / {held_v} but movements sum to {moved_q} / {moved_v}")
        if held_q < 0 or held_v < 0:
            problems.append(f"{sku}: negative balance {held_q} / {held_v}")
    return problems


def document_breaches() -> list[str]:
    """Invariant 3: posted documents have movements, unposted ones none, cancelled ones net zero."""
    problems = []
    for model in lifecycle.registered_models():
        if not lifecycle.rules_for(model).moves_stock:
            continue
        label = model._meta.label_lower
        per_doc = {
            row["source_id"]: row
            for row in StockMovement.objects.filter(source_type=label)
            .values("source_id")
            .annotate(
                n=Count("id"),
                q=Sum("quantity"),
                v=Sum("value"),
                out=Sum("quantity", filter=Q(quantity__lt=0)),
            )
        }
        statuses = dict(model.objects.values_list("pk", "status"))
        numbers = dict(model.objects.exclude(number=None).values_list("pk", "number"))
        for doc_id, status in statuses.items():
            name = numbers.get(doc_id) or f"{model._meta.verbose_name} #{doc_id}"
            moved = per_doc.get(doc_id)
            if status in (DocumentStatus.DRAFT, DocumentStatus.PENDING, DocumentStatus.REJECTED) and moved:
                problems.append(f"{name} is {status} but has {moved['n']} stock movements")
            if status == DocumentStatus.CANCELLED and moved and (moved["q"] != 0 or _cents(moved["v"]) != 0):
                problems.append(f"{name} is cancelled but its movements net to {moved['q']} / {moved['v']}")
        orphans = set(per_doc) - set(statuses)
        problems += [f"movements point at missing {label} #{i}" for i in sorted(orphans)]
        problems += _posted_quantity_breaches(model, label, statuses, numbers)
    return problems


def _posted_quantity_breaches(model, label, statuses, numbers) -> list[str]:
    """A posted document's movements, item by item, are exactly what its lines say."""
    expected_for = lifecycle.rules_for(model).expected_quantities
    if expected_for is None:
        return []
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for doc_id, item_id, quantity in expected_for():
        expected[(doc_id, item_id)] += quantity
    actual: dict[tuple[int, int], int] = defaultdict(int)
    posted_ids = {pk for pk, status in statuses.items() if status == DocumentStatus.POSTED}
    for row in (
        StockMovement.objects.filter(source_type=label, source_id__in=posted_ids)
        .values("source_id", "item_id")
        .annotate(q=Sum("quantity"))
    ):
        actual[(row["source_id"], row["item_id"])] = row["q"]
    problems = []
    wrong = [
        key
        for key in sorted(set(expected) | set(actual))
        if key[0] in posted_ids and expected.get(key, 0) != actual.get(key, 0)
    ]
    skus = dict(Item.objects.filter(pk__in={k[1] for k in wrong}).values_list("pk", "sku")) if wrong else {}
    for key in wrong:
        problems.append(
            f"{numbers.get(key[0], key[0])}: {skus.get(key[1], f'item #{key[1]}')} moved "
            f"{actual.get(key, 0)}, its lines say {expected.get(key, 0)}"
        )
    return problems


def verify_ledger() -> list[str]:
    return balance_breaches() + document_breaches()
