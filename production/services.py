"""Blow-moulding runs: inputs leave stock at average cost, good bottles enter at the run's cost.

Bottle cost = (value of inputs consumed + conversion cost − scrap credit) ÷ good bottles. The whole
value enters stock on the bottles' movement, so no cent is lost to rounding the unit cost.

A run waits for approval when its inputs at average cost + conversion cost are over
RUN_APPROVAL_THRESHOLD, or when its cost per good bottle is more than RUN_COST_RATIO_LIMIT times
the bottle's average cost, or less than its inverse: a typo in the conversion cost would otherwise
re-value every bottle in stock.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core.errors import InsufficientStock, InvalidDocument, LedgerConflict
from core.money import money
from documents import approval, lifecycle
from documents.dates import check_date
from documents.drafts import check_items_once, check_lines, money_problem, replace_lines
from inventory import ledger
from inventory.models import Item, ItemKind, MovementKind, RecipeLine, StockBalance, StockMovement
from production.models import ProductionRun, RejectReason, RunInput, RunReject


@dataclass(frozen=True)
class InputLine:
    item: Item
    quantity: int


@dataclass(frozen=True)
class RejectLine:
    reason: str
    quantity: int


def recipe_of(product: Item) -> list[RecipeLine]:
    """The product's recipe lines (with their components), in the order a run lists its inputs."""
    return list(product.recipe_lines.select_related("component").order_by("component__sku"))


def recipe_inputs(product: Item, bottles: int, recipe: Sequence[RecipeLine] | None = None) -> list[InputLine]:
    """What the recipe says a run of ``bottles`` (good + rejected) consumes, rounded up to units.

    ``recipe``: the product's lines from ``recipe_of``, read once by a caller making many runs.
    """
    lines = recipe_of(product) if recipe is None else recipe
    return [InputLine(item=line.component, quantity=math.ceil(line.quantity * bottles)) for line in lines]


def check_run(
    product: Item,
    good_quantity: int,
    inputs: Sequence[InputLine],
    rejects: Sequence[RejectLine],
    conversion_cost: Decimal,
    scrap_item: Item | None,
    scrap_quantity: int,
    scrap_value: Decimal,
) -> None:
    fields: dict[str, list[str]] = {}
    if product is None or product.kind != ItemKind.BOTTLE or not product.is_active:
        fields["product"] = ["Choose an active bottle item."]
    if not isinstance(good_quantity, int) or good_quantity <= 0:
        fields["good_quantity"] = ["Enter the good bottles made (above zero)."]
    for name, amount in (("conversion_cost", conversion_cost), ("scrap_value", scrap_value)):
        problem = money_problem(amount)
        if problem:
            fields[name] = [problem]
    if not isinstance(scrap_quantity, int) or scrap_quantity < 0:
        fields["scrap_quantity"] = ["Enter a whole number of rejects (zero or more)."]
        scrap_quantity = 0
    elif scrap_item is not None and scrap_quantity <= 0:
        fields["scrap_quantity"] = ["Enter how many rejects go to scrap."]
    if scrap_item is None and (scrap_quantity or "scrap_value" not in fields and Decimal(scrap_value)):
        fields["scrap_item"] = ["Choose the scrap item the rejects are received as."]
    reject_total = sum(r.quantity for r in rejects if isinstance(r.quantity, int))
    if scrap_item is not None and scrap_quantity and scrap_quantity > reject_total:
        fields["scrap_quantity"] = [f"Only {reject_total} bottles were rejected."]
    for reject in rejects:
        if reject.reason not in RejectReason.values:
            fields["rejects"] = [f"Unknown reject reason '{reject.reason}'."]
        elif not isinstance(reject.quantity, int) or reject.quantity <= 0:
            fields["rejects"] = ["Each reject count must be a whole number above zero."]
    if len({r.reason for r in rejects}) != len(rejects):
        fields["rejects"] = ["Give each reject reason once."]
    if fields:
        raise InvalidDocument(fields=fields)
    check_lines(inputs, what="input")
    check_items_once(inputs)
    if any(line.item.pk == product.pk for line in inputs):
        raise InvalidDocument(fields={"inputs": ["A run cannot consume the bottle it makes."]})


def _write(run: ProductionRun, inputs: Sequence[InputLine], rejects: Sequence[RejectLine], by: User):
    lifecycle.save_as(run, by)
    replace_lines(
        run.inputs, RunInput, [RunInput(run=run, item=i.item, quantity=i.quantity) for i in inputs], by
    )
    for old in run.rejects.all():
        old._history_user = by
        old.delete()
    bulk_create_with_history(
        [RunReject(run=run, reason=r.reason, quantity=r.quantity) for r in rejects],
        RunReject,
        default_user=by,
    )
    return run


def inputs_or_recipe(
    inputs: Sequence[InputLine] | None,
    product: Item | None,
    good_quantity: Any,
    rejects: Sequence[RejectLine],
    recipe: Sequence[RecipeLine] | None = None,
) -> Sequence[InputLine]:
    """The inputs typed, or (None) the product's recipe for good + rejected bottles."""
    if inputs is None and product is not None and isinstance(good_quantity, int):
        rejected = sum(r.quantity for r in rejects if isinstance(r.quantity, int) and r.quantity > 0)
        inputs = recipe_inputs(product, good_quantity + rejected, recipe)
    return inputs or []


def create_run(
    *,
    by: User,
    product: Item,
    good_quantity: int,
    machine: str,
    shift: str,
    date: date | None = None,
    rejects: Sequence[RejectLine] = (),
    inputs: Sequence[InputLine] | None = None,
    conversion_cost: Decimal = Decimal("0"),
    scrap_item: Item | None = None,
    scrap_quantity: int = 0,
    scrap_value: Decimal = Decimal("0"),
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> ProductionRun:
    """Record a run; inputs default to the recipe for good + rejected bottles."""
    lifecycle.require_may_enter(ProductionRun, by)
    check_date(date, model=ProductionRun, optional=True)
    inputs = inputs_or_recipe(inputs, product, good_quantity, rejects)
    check_run(
        product, good_quantity, inputs, rejects, conversion_cost, scrap_item, scrap_quantity, scrap_value
    )

    def create() -> ProductionRun:
        run = ProductionRun(
            product=product,
            good_quantity=good_quantity,
            machine=machine,
            shift=shift,
            conversion_cost=money(conversion_cost),
            scrap_item=scrap_item,
            scrap_quantity=scrap_quantity or 0,
            scrap_value=money(scrap_value or 0),
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        if date is not None:
            run.date = date
        _write(run, inputs, rejects, by)
        return lifecycle.submit(document=run, by=by, locked=True) if submit else run

    return lifecycle.create_once(ProductionRun, request_key, create)


@transaction.atomic
def update_run(
    *,
    run: ProductionRun,
    by: User,
    product: Item,
    good_quantity: int,
    machine: str,
    shift: str,
    date: date,
    rejects: Sequence[RejectLine],
    inputs: Sequence[InputLine] | None = None,
    conversion_cost: Decimal = Decimal("0"),
    scrap_item: Item | None = None,
    scrap_quantity: int = 0,
    scrap_value: Decimal = Decimal("0"),
    notes: str = "",
    submit: bool = False,
) -> ProductionRun:
    """Change a draft run (inputs None: the recipe's, as on ``create_run``); ``submit`` then
    submits it in the same transaction, so a refused submit leaves the draft as it was."""
    run = lifecycle.edit_draft(document=run, by=by)
    inputs = inputs_or_recipe(inputs, product, good_quantity, rejects)
    check_date(date, model=ProductionRun)
    check_run(
        product, good_quantity, inputs, rejects, conversion_cost, scrap_item, scrap_quantity, scrap_value
    )
    run.product, run.good_quantity, run.machine, run.shift, run.date = (
        product,
        good_quantity,
        machine,
        shift,
        date,
    )
    run.conversion_cost, run.notes = money(conversion_cost), notes
    run.scrap_item, run.scrap_quantity, run.scrap_value = (
        scrap_item,
        scrap_quantity or 0,
        money(scrap_value or 0),
    )
    _write(run, inputs, rejects, by)
    return lifecycle.submit(document=run, by=by, locked=True) if submit else run


def _touched(posting: lifecycle.PostingContext) -> list[int]:
    run = posting.document
    ids = [line.item_id for line in posting.lines] + [run.product_id]
    if run.scrap_item_id:
        ids.append(run.scrap_item_id)
    return ids


# How a run's stock is posted: (changes, movement kind) → the movements, in change order.
PostStock = Callable[[Sequence[ledger.StockChange], str], Sequence[StockMovement]]


def cost_run(run: ProductionRun, inputs: Sequence[RunInput], post: PostStock) -> None:
    """Post a run's stock through ``post`` and fix its costs: the inputs leave at average cost
    (each input line takes its value), then the good bottles (and the scrap) enter at the run's
    cost. The one-at-a-time path posts through ``ledger.post``, the bulk path (``production.bulk``)
    through a ``ledger.Batch``."""
    try:
        consumed = post(
            [ledger.StockChange(item_id=i.item_id, quantity=-i.quantity) for i in inputs],
            MovementKind.PRODUCTION_OUT,
        )
    except InsufficientStock as short:
        raise InsufficientStock(
            short.shortages, lead="Not enough stock for this run", wanted="needed"
        ) from None
    for line, movement in zip(inputs, consumed, strict=True):
        line.value = -movement.value
    run.input_value = sum((i.value for i in inputs), Decimal("0"))
    bottles_value = run.input_value + run.conversion_cost - run.scrap_value
    if bottles_value < 0:
        raise LedgerConflict(
            f"The scrap credit ({run.scrap_value}) is more than the run's cost "
            f"({run.input_value + run.conversion_cost})."
        )
    run.unit_cost = (bottles_value / run.good_quantity).quantize(Decimal("0.0001"))
    # The run's amount is the value of the good bottles it made (a cost: hidden from Staff).
    run.total = bottles_value
    made = [ledger.StockChange(item_id=run.product_id, quantity=run.good_quantity, value=bottles_value)]
    if run.scrap_item_id:
        made.append(
            ledger.StockChange(item_id=run.scrap_item_id, quantity=run.scrap_quantity, value=run.scrap_value)
        )
    post(made, MovementKind.PRODUCTION_IN)


def _post(posting: lifecycle.PostingContext) -> None:
    run, inputs, by = posting.document, posting.lines, posting.by
    source = ledger.Source.of(run)

    def post(changes: Sequence[ledger.StockChange], kind: str) -> list[StockMovement]:
        return ledger.post(
            changes=changes, kind=kind, date=run.date, source=source, by=by, balances=posting.balances
        )

    cost_run(run, inputs, post)
    bulk_update_with_history(inputs, RunInput, ["value"], default_user=by)


def _approval_reason(run: ProductionRun) -> str | None:
    """Why the run needs a second person: its value, or a cost per bottle far off the average.

    Inputs are valued as posting them now would (moving average); checked again under the stock
    locks when the run posts.
    """
    inputs = list(run.inputs.all())
    balances = {
        b.item_id: b
        for b in StockBalance.objects.filter(item_id__in=[i.item_id for i in inputs] + [run.product_id])
    }
    return approval_reason_at(run, inputs, balances)


def approval_reason_at(
    run: ProductionRun, inputs: Sequence[RunInput], balances: dict[int, StockBalance]
) -> str | None:
    """``_approval_reason`` against these balances (a bulk posting's, as its earlier runs left them)."""
    input_value = sum(
        (ledger.outflow_value(balances[i.item_id], i.quantity) for i in inputs if i.item_id in balances),
        Decimal("0"),
    )
    conversion = run.conversion_cost
    value = input_value + conversion
    by_value = approval.over_limit(
        "run value",
        value,
        settings.RUN_APPROVAL_THRESHOLD,
        detail=f" (inputs {approval.amount(input_value)} + conversion {approval.amount(conversion)})",
    )
    by_ratio = None
    bottles = balances.get(run.product_id)
    limit = settings.RUN_COST_RATIO_LIMIT
    if limit > 0 and bottles is not None and bottles.quantity > 0 and bottles.value > 0:
        average = bottles.value / bottles.quantity
        per_bottle = (value - run.scrap_value) / run.good_quantity
        ratio = per_bottle / average
        if ratio > limit or ratio < 1 / limit:
            by_ratio = (
                f"run cost per bottle {approval.amount(per_bottle)} is {approval.times(ratio)} "
                f"the average {approval.amount(average)}"
            )
    return approval.reasons(by_value, by_ratio)


def _before_pending(posting: lifecycle.PostingContext) -> None:
    """A run that waits must be one that could post today: its inputs are in stock."""
    try:
        ledger.check_available(
            [ledger.StockChange(item_id=i.item_id, quantity=-i.quantity) for i in posting.lines]
        )
    except InsufficientStock as short:
        raise InsufficientStock(
            short.shortages, lead="Not enough stock for this run", wanted="needed"
        ) from None


def _expected_quantities():
    for run_id, item_id, quantity in RunInput.objects.filter(run__status="posted").values_list(
        "run_id", "item_id", "quantity"
    ):
        yield run_id, item_id, -quantity
    made = ProductionRun.objects.filter(status="posted").values_list(
        "id", "product_id", "good_quantity", "scrap_item_id", "scrap_quantity"
    )
    for run_id, product_id, good, scrap_id, scrap in made:
        yield run_id, product_id, good
        if scrap_id is not None:
            yield run_id, scrap_id, scrap


lifecycle.register(
    ProductionRun,
    lifecycle.DocumentRules(
        verbose="production run",
        post=_post,
        lines=lambda run: list(run.inputs.select_related("item")),
        touched_items=_touched,
        approval_reason=_approval_reason,
        before_pending=_before_pending,
        expected_quantities=lambda: _expected_quantities(),
    ),
)
