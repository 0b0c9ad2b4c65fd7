"""Checks of the ledger's invariants (DESIGN §4, 1–3), run by ``manage.py verify_ledger``.

Each check aggregates in the database; it returns human-readable breaches, empty when all is well.
One pass reads the movement sums per document and item, shared by every document type's check.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from documents import lifecycle
from documents.models import DocumentStatus
from inventory.models import Item, StockBalance, StockMovement

UNPOSTED = (DocumentStatus.DRAFT, DocumentStatus.PENDING, DocumentStatus.REJECTED)


def _cents(value) -> Decimal:
    # SQLite adds decimals in floating point; rounded to the cent the sums are exact again.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _skus(item_ids) -> dict[int, str]:
    item_ids = set(item_ids)
    return dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "sku")) if item_ids else {}


def balance_breaches() -> list[str]:
    """Invariants 1 and 2: each balance equals the sum of its movements, and none is negative."""
    sums = {
        row["item_id"]: (row["q"], _cents(row["v"]))
        for row in StockMovement.objects.values("item_id").annotate(q=Sum("quantity"), v=Sum("value"))
    }
    balances = {b.item_id: (b.quantity, b.value) for b in StockBalance.objects.all()}
    wrong = []
    for item_id in sorted(set(sums) | set(balances)):
        moved_q, moved_v = sums.get(item_id, (0, Decimal("0")))
        held_q, held_v = balances.get(item_id, (0, Decimal("0")))
        if held_q != moved_q or held_v != moved_v:
            wrong.append((item_id, f"balance {held_q} / {held_v} but movements sum to {moved_q} / {moved_v}"))
        if held_q < 0 or held_v < 0:
            wrong.append((item_id, f"negative balance {held_q} / {held_v}"))
    skus = _skus(item_id for item_id, _ in wrong)
    return [f"{skus.get(item_id, f'item #{item_id}')}: {problem}" for item_id, problem in wrong]


def _movements_by_document() -> dict[str, dict[int, dict[int, tuple[int, int, Decimal]]]]:
    """{source type: {document id: {item id: (movements, quantity, value)}}} in one query."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    rows = StockMovement.objects.values("source_type", "source_id", "item_id").annotate(
        n=Count("id"), q=Sum("quantity"), v=Sum("value")
    )
    for row in rows.order_by():
        found[row["source_type"]][row["source_id"]][row["item_id"]] = (row["n"], row["q"], _cents(row["v"]))
    return found


def document_breaches() -> list[str]:
    """Invariant 3: posted documents move what their lines say, unposted ones nothing, cancelled ones
    net to zero."""
    problems = []
    moved_by_type = _movements_by_document()
    for model in lifecycle.registered_models():
        if not lifecycle.rules_for(model).moves_stock:
            continue
        label = model._meta.label_lower
        moved = moved_by_type.get(label, {})
        statuses, numbers = {}, {}
        for pk, status, number in model.objects.values_list("pk", "status", "number"):
            statuses[pk] = status
            numbers[pk] = number or f"{model._meta.verbose_name} #{pk}"
        for doc_id, status in statuses.items():
            items = moved.get(doc_id)
            if not items:
                continue
            if status in UNPOSTED:
                count = sum(n for n, _, _ in items.values())
                problems.append(f"{numbers[doc_id]} is {status} but has {count} stock movements")
            if status == DocumentStatus.CANCELLED:
                q = sum(q for _, q, _ in items.values())
                v = sum((v for _, _, v in items.values()), Decimal("0.00"))
                if q != 0 or v != 0:
                    problems.append(f"{numbers[doc_id]} is cancelled but its movements net to {q} / {v}")
        problems += [f"movements point at missing {label} #{i}" for i in sorted(set(moved) - set(statuses))]
        problems += _posted_quantity_breaches(model, moved, statuses, numbers)
    return problems


def _posted_quantity_breaches(model, moved, statuses, numbers) -> list[str]:
    """A posted document's movements, item by item, are exactly what its lines say."""
    expected_for = lifecycle.rules_for(model).expected_quantities
    if expected_for is None:
        return []
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for doc_id, item_id, quantity in expected_for():
        expected[(doc_id, item_id)] += quantity
    posted_ids = {pk for pk, status in statuses.items() if status == DocumentStatus.POSTED}
    actual = {
        (doc_id, item_id): q for doc_id in posted_ids for item_id, (_, q, _) in moved.get(doc_id, {}).items()
    }
    wrong = [
        key
        for key in sorted(set(expected) | set(actual))
        if key[0] in posted_ids and expected.get(key, 0) != actual.get(key, 0)
    ]
    skus = _skus(k[1] for k in wrong)
    return [
        f"{numbers[doc]}: {skus.get(item, f'item #{item}')} moved {actual.get((doc, item), 0)}, "
        f"its lines say {expected.get((doc, item), 0)}"
        for doc, item in wrong
    ]


def verify_ledger() -> list[str]:
    return balance_breaches() + document_breaches()
