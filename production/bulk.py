"""Many production runs of one day posted at once: the bulk path of ``create_run(submit=True)``,
for loads such as ``seed_demo``'s thousands of runs a year.

Each run keeps every rule ``create_run`` keeps, through the same functions of
``production.services``: who may enter it, its date, its inputs (typed, or the recipe for good +
rejected bottles: ``inputs_or_recipe``) and its figures (``check_run``); the approval rule by value
and by cost per bottle (``approval_reason_at``, against the balances as the batch's earlier runs
left them); its stock and costs (``cost_run``: inputs leave at moving-average cost, the bottles and
the scrap enter at the run's cost). All runs are priced in the order given against one set of
locked balances (``ledger.Batch``), exactly as posting them one after another would price them.

A bulk posting takes only runs that post at once: one that would wait for approval is refused,
with the rest. Runs, their inputs and rejects are stored once, already posted, each with one
"created" history row by ``by`` at its ``entered_at`` (default now); the movements go in one COPY
and the report summaries are told once (``lifecycle.notify_posted_many``). Everything runs in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.bulk_copy import copy_with_history, take_ids
from core.errors import DomainError
from core.money import money
from documents import lifecycle
from documents.dates import check_date
from documents.models import DocumentStatus
from documents.numbering import next_numbers
from inventory import ledger
from inventory.models import Item, RecipeLine
from production.models import ProductionRun, RunInput, RunReject
from production.services import (
    InputLine,
    RejectLine,
    approval_reason_at,
    check_run,
    cost_run,
    inputs_or_recipe,
)


@dataclass(frozen=True)
class BulkRun:
    product: Item
    good_quantity: int
    machine: str
    shift: str
    rejects: Sequence[RejectLine] = ()
    inputs: Sequence[InputLine] | None = None  # None: the product's recipe, as on create_run
    conversion_cost: Decimal = Decimal("0")
    scrap_item: Item | None = None
    scrap_quantity: int = 0
    scrap_value: Decimal = Decimal("0")
    notes: str = ""
    entered_at: datetime | None = None  # when it was entered (a load of past business); None: now


class NeedsApproval(DomainError):
    code = "needs_approval"


def _recipes(runs: Sequence[BulkRun]) -> dict[int, list[RecipeLine]]:
    """The recipes of the products made from their recipe, read once (in ``recipe_of``'s order)."""
    ids = {run.product.pk for run in runs if run.inputs is None and isinstance(run.product, Item)}
    recipes: dict[int, list[RecipeLine]] = {pk: [] for pk in ids}
    lines = RecipeLine.objects.filter(bottle_id__in=ids).select_related("component")
    for line in lines.order_by("bottle_id", "component__sku"):
        recipes[line.bottle_id].append(line)
    return recipes


def post_runs(*, by: User, date: date, runs: Sequence[BulkRun]) -> list[ProductionRun]:
    """Post these runs of ``date``, in the order given, or refuse them all (see the module)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("production.bulk.post_runs must run inside transaction.atomic()")
    if not runs:
        return []
    lifecycle.require_may_enter(ProductionRun, by)
    check_date(date, model=ProductionRun)
    now = timezone.now()
    recipes = _recipes(runs)
    documents, inputs, rejects = [], [], []
    for given in runs:
        recipe = recipes.get(getattr(given.product, "pk", None))
        used = inputs_or_recipe(given.inputs, given.product, given.good_quantity, given.rejects, recipe)
        check_run(
            given.product,
            given.good_quantity,
            used,
            given.rejects,
            given.conversion_cost,
            given.scrap_item,
            given.scrap_quantity,
            given.scrap_value,
        )
        at = given.entered_at or now
        run = ProductionRun(
            product=given.product,
            good_quantity=given.good_quantity,
            machine=given.machine,
            shift=given.shift,
            date=date,
            conversion_cost=money(given.conversion_cost),
            scrap_item=given.scrap_item,
            scrap_quantity=given.scrap_quantity or 0,
            scrap_value=money(given.scrap_value or 0),
            notes=given.notes,
            status=DocumentStatus.POSTED,
            created_by=by,
            created_at=at,
            submitted_at=at,
            posted_at=at,
        )
        documents.append(run)
        inputs.append([RunInput(item=line.item, quantity=line.quantity) for line in used])
        rejects.append([RunReject(reason=r.reason, quantity=r.quantity) for r in given.rejects])
    touched = [line.item_id for rows in inputs for line in rows]
    touched += [run.product_id for run in documents] + [r.scrap_item_id for r in documents if r.scrap_item_id]
    lifecycle.guard_posted_many(ProductionRun, documents, by)  # the rules other apps hold over runs
    # The period lock, then the stock locks, then the numbers: the order every posting keeps.
    batch = ledger.Batch(item_ids=touched, date=date, by=by)
    numbers = next_numbers(ProductionRun.NUMBER_PREFIX, date, len(documents))
    ids = take_ids(ProductionRun, len(documents))
    for run, used, made, number, pk in zip(documents, inputs, rejects, numbers, ids, strict=True):
        run.number, run.pk = number, pk
        for row in (*used, *made):
            row.run_id = pk
        reason = approval_reason_at(run, used, batch.balances)
        if reason:
            raise NeedsApproval(
                f"A production run of {run.good_quantity} {run.product} would wait for approval "
                f"({reason}); a bulk posting takes only runs that post at once."
            )
        source = ledger.Source.of(run)
        cost_run(
            run,
            used,
            lambda changes, kind, source=source: batch.price(changes=changes, kind=kind, source=source),
        )
    copy_with_history(ProductionRun, documents, by=by, at=[run.created_at for run in documents])
    entered = [run.created_at for run, rows in zip(documents, inputs, strict=True) for _row in rows]
    copy_with_history(RunInput, [row for rows in inputs for row in rows], by=by, at=entered)
    entered = [run.created_at for run, rows in zip(documents, rejects, strict=True) for _row in rows]
    copy_with_history(RunReject, [row for rows in rejects for row in rows], by=by, at=entered)
    batch.write()
    lifecycle.notify_posted_many(ProductionRun, [run.pk for run in documents])
    return documents
