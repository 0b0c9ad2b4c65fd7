"""Master data (items, recipes), stock counts and closed periods."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts import roles
from accounts.models import User
from core.errors import DomainError, InvalidDocument, NotAllowed
from core.money import CENT
from documents import approval, dates, lifecycle
from documents.drafts import check_items_once, replace_lines
from inventory import ledger, period_lock
from inventory.models import (
    ClosedPeriod,
    Item,
    ItemKind,
    MovementKind,
    PackSize,
    RecipeLine,
    StockBalance,
    StockCount,
    StockCountLine,
)

audit = logging.getLogger("bottleworks.audit")

ITEM_FIELDS = (
    "sku",
    "name",
    "kind",
    "unit",
    "reorder_level",
    "default_price",
    "volume_ml",
    "weight_g",
    "hsn_code",
    "tax_rate",
    "is_active",
    "is_sold",
    "is_bought",
    "is_made",
)


def _require_manager(by: User, what: str) -> None:
    if not roles.can_manage_master_data(by):
        raise NotAllowed(f"Only a Manager may {what}.")


@transaction.atomic
def save_item(*, by: User, item: Item | None = None, **fields: Any) -> Item:
    """Create or change an item (SKU, prices, reorder level…). Managers only."""
    _require_manager(by, "change items and prices")
    item = item or Item()
    for name, value in fields.items():
        if name not in ITEM_FIELDS:
            raise TypeError(f"unknown item field {name}")
        setattr(item, name, value)
    item.sku = (item.sku or "").strip()
    item.hsn_code = (item.hsn_code or "").replace(" ", "")  # "3923 30 90" as printed on a bill
    if item.sku and Item.objects.filter(sku__iexact=item.sku).exclude(pk=item.pk).exists():
        raise InvalidDocument(fields={"sku": [f"SKU {item.sku} is already used."]})
    try:
        item.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as invalid:
        raise InvalidDocument(fields=invalid.message_dict) from None
    created = item.pk is None
    lifecycle.save_as(item, by)
    if created:
        # The balance row exists from the start, so a first posting only has to lock it.
        StockBalance.objects.create(item=item)
    return item


@transaction.atomic
def save_pack(
    *, by: User, pack: PackSize | None = None, item: Item, name: str, quantity: int, plural: str = ""
) -> PackSize:
    """Create or change one of an item's pack sizes (carton = 24). Managers only.

    Lines already written keep their quantity in base units, so a changed pack size never changes
    what the ledger holds; only how new lines are counted.
    """
    _require_manager(by, "change pack sizes")
    name, plural = (name or "").strip(), (plural or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter the pack's name, e.g. carton."]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 2:
        errors["quantity"] = ["A pack holds at least 2 units."]
    if (
        name
        and PackSize.objects.filter(item=item, name__iexact=name)
        .exclude(pk=getattr(pack, "pk", None))
        .exists()
    ):
        errors["name"] = [f"{item.sku} already has a pack called {name}."]
    if errors:
        raise InvalidDocument(fields=errors)
    pack = pack or PackSize()
    pack.item, pack.name, pack.plural, pack.quantity = item, name, plural, quantity
    lifecycle.save_as(pack, by)
    return pack


@dataclass(frozen=True)
class RecipeInput:
    item: Item
    quantity: Decimal

    @property
    def component(self) -> Item:
        return self.item


@transaction.atomic
def set_recipe(*, by: User, bottle: Item, lines: Sequence[RecipeInput]) -> list[RecipeLine]:
    """Replace a bottle's recipe: the inputs used per good bottle."""
    _require_manager(by, "change recipes")
    if bottle.kind != ItemKind.BOTTLE:
        raise InvalidDocument(fields={"bottle": [f"{bottle.sku} is not a bottle."]})
    errors = {
        i: {"quantity": ["Enter a quantity above zero."]}
        for i, line in enumerate(lines)
        if line.quantity is None or Decimal(line.quantity) <= 0
    }
    errors.update(
        {
            i: {"item": ["A bottle cannot be its own input."]}
            for i, line in enumerate(lines)
            if line.item.pk == bottle.pk
        }
    )
    if errors:
        raise InvalidDocument(lines=errors)
    check_items_once(lines)
    return replace_lines(
        bottle.recipe_lines,
        RecipeLine,
        [RecipeLine(bottle=bottle, component=line.item, quantity=line.quantity) for line in lines],
        by,
    )


@transaction.atomic
def save_item_with_recipe(
    *, by: User, item: Item | None = None, recipe: Sequence[RecipeInput] | None = None, **fields: Any
) -> Item:
    """Save an item and, for a bottle, its recipe, in one transaction (``recipe`` None: keep it).

    Only a bottle has a recipe: a recipe sent for another kind is refused, and an item that holds
    one cannot become another kind until its recipe is emptied.
    """
    saved = save_item(by=by, item=item, **fields)
    bottle = saved.kind == ItemKind.BOTTLE
    if recipe and not bottle:
        raise InvalidDocument(fields={"kind": ["Only a bottle has a recipe."]})
    if bottle and recipe is not None:
        set_recipe(by=by, bottle=saved, lines=recipe)
    elif not bottle and saved.recipe_lines.exists():
        raise InvalidDocument(
            fields={"kind": [f"{saved.sku} has a recipe, and only a bottle has one: empty it first."]}
        )
    return saved


@transaction.atomic
def delete_item(*, by: User, item: Item) -> None:
    """Delete an item nobody has used; an item in use can only be deactivated."""
    _require_manager(by, "delete items")
    refusal = DomainError(f"{item.sku} is in use; deactivate it instead of deleting it.")
    if item.movements.exists():
        raise refusal
    try:
        with transaction.atomic():
            StockBalance.objects.filter(item=item).delete()
            item._history_user = by
            item.delete()
    except ProtectedError:
        raise refusal from None


@transaction.atomic
def close_period(*, by: User, through: date, note: str = "") -> ClosedPeriod:
    """Freeze everything dated on or before ``through``: no posting or cancelling there again.

    Takes the period lock exclusively first, so postings already past their period check commit
    before the close, and later ones read the new boundary and are refused (``period_lock``).
    """
    if not roles.can_close_periods(by):
        raise NotAllowed("Only a Manager may close a period.")
    if not isinstance(through, date) or isinstance(through, datetime):
        raise InvalidDocument(fields={"through": ["Enter a date."]})
    if through >= timezone.localdate():
        raise InvalidDocument(fields={"through": ["Only a period that has ended can be closed."]})
    earliest = dates.earliest()
    if through < earliest:
        problem = f"No document can be dated before {earliest:%d %b %Y}; choose a later date."
        raise InvalidDocument(fields={"through": [problem]})
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidDocument(fields={"note": ["Keep the note to 200 characters."]})
    period_lock.hold_exclusively()
    latest = dates.closed_through()
    if latest is not None and through <= latest:
        problem = f"Everything through {latest:%d %b %Y} is closed already; choose a later date."
        raise InvalidDocument(fields={"through": [problem]})
    open_docs = [
        model.objects.filter(date__lte=through, status__in=["draft", "pending"]).count()
        for model in lifecycle.registered_models()
    ]
    if sum(open_docs):
        raise DomainError(
            f"{sum(open_docs)} draft or pending documents are dated on or before {through}; "
            "post, reject or delete them first."
        )
    period = ClosedPeriod(closed_through=through, closed_by=by, note=note)
    lifecycle.save_as(period, by)
    audit.info("closed period through %s user=%s", through.isoformat(), by.username)
    return period


@transaction.atomic
def reopen_period(*, by: User, period: ClosedPeriod, reason: str) -> ClosedPeriod:
    """Reopen the latest closed period (the Owner, with a reason); the close stays on record."""
    if not roles.can_reopen_periods(by):
        raise NotAllowed("Only the Owner may reopen a closed period.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidDocument("A reason is needed to reopen.", fields={"reason": ["Give a reason."]})
    period_lock.hold_exclusively()
    period = ClosedPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_reopened:
        raise DomainError(f"The close through {period.closed_through:%d %b %Y} was reopened already.")
    latest = dates.closed_through()
    if period.closed_through != latest:
        raise DomainError(
            "Only the latest closed period can be reopened: "
            f"reopen the close through {latest:%d %b %Y} first."
        )
    period.reopened_by, period.reopened_at, period.reopen_reason = by, timezone.now(), reason[:300]
    lifecycle.save_as(period, by)
    audit.warning(
        "reopened period through %s user=%s reason=%r", period.closed_through.isoformat(), by.username, reason
    )
    return period


# Stock counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountLineInput:
    item: Item
    quantity: int


def _write_count(count: StockCount, lines: Sequence[CountLineInput], by: User) -> StockCount:
    lifecycle.save_as(count, by)
    replace_lines(
        count.lines,
        StockCountLine,
        [StockCountLine(count=count, item=line.item, counted_quantity=line.quantity) for line in lines],
        by,
    )
    return count


def _check_count(lines: Sequence[CountLineInput]) -> None:
    if not lines:
        raise InvalidDocument(fields={"lines": ["Count at least one item."]})
    errors = {
        i: {"quantity": ["Enter the counted quantity (zero or more)."]}
        for i, line in enumerate(lines)
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity < 0
    }
    if errors:
        raise InvalidDocument(lines=errors)
    check_items_once(lines)


def create_stock_count(
    *,
    by: User,
    lines: Sequence[CountLineInput],
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> StockCount:
    lifecycle.require_may_enter(StockCount, by)
    dates.check_date(date, model=StockCount, optional=True)
    _check_count(lines)

    def create() -> StockCount:
        count = StockCount(created_by=by, notes=notes, request_key=request_key)
        if date is not None:
            count.date = date
        _write_count(count, lines, by)
        return lifecycle.submit(document=count, by=by, locked=True) if submit else count

    return lifecycle.create_once(StockCount, request_key, create)


@transaction.atomic
def update_stock_count(
    *,
    count: StockCount,
    by: User,
    lines: Sequence[CountLineInput],
    date: date,
    notes: str = "",
    submit: bool = False,
) -> StockCount:
    """Change a draft count; ``submit`` then submits it in the same transaction."""
    count = lifecycle.edit_draft(document=count, by=by)
    dates.check_date(date, model=StockCount)
    _check_count(lines)
    count.date, count.notes = date, notes
    _write_count(count, lines, by)
    return lifecycle.submit(document=count, by=by, locked=True) if submit else count


def _post_count(posting: lifecycle.PostingContext) -> None:
    count, lines, by, balances = posting.document, posting.lines, posting.by, posting.balances
    changes = []
    for line in lines:
        balance = balances[line.item_id]
        line.system_quantity = balance.quantity
        line.difference = line.counted_quantity - balance.quantity
        if line.difference > 0:
            unit_cost = ledger.current_unit_cost(line.item_id, balance)
            changes.append(
                ledger.StockChange(
                    item_id=line.item_id,
                    quantity=line.difference,
                    value=(unit_cost * line.difference).quantize(CENT),
                )
            )
        elif line.difference < 0:
            changes.append(ledger.StockChange(item_id=line.item_id, quantity=line.difference))
    movements = ledger.post(
        changes=changes,
        kind=MovementKind.ADJUSTMENT,
        date=count.date,
        source=ledger.Source.of(count),
        by=by,
        balances=balances,
    )
    by_item = {m.item_id: m.value for m in movements}
    for line in lines:
        line.variance_value = by_item.get(line.item_id, Decimal("0.00"))
    bulk_update_with_history(
        lines, StockCountLine, ["system_quantity", "difference", "variance_value"], default_user=by
    )
    count.total = sum((line.variance_value for line in lines), Decimal("0"))


def _count_approval_reason(count: StockCount) -> str | None:
    """A count waits when its variance — each line's gain or loss at average cost, added up without
    sign, so that a large gain cannot hide a large loss — is over COUNT_APPROVAL_THRESHOLD."""
    lines = list(count.lines.all())
    balances = {
        b.item_id: b for b in StockBalance.objects.filter(item_id__in=[line.item_id for line in lines])
    }
    variance = Decimal("0")
    for line in lines:
        balance = balances.get(line.item_id) or StockBalance(item_id=line.item_id)
        difference = line.counted_quantity - balance.quantity
        if difference > 0:
            variance += (ledger.current_unit_cost(line.item_id, balance) * difference).quantize(CENT)
        elif difference < 0:
            variance += ledger.outflow_value(balance, -difference)
    return approval.over_limit(
        "count variance",
        variance,
        settings.COUNT_APPROVAL_THRESHOLD,
        detail=" (gains and losses at average cost, without sign)",
    )


lifecycle.register(
    StockCount,
    lifecycle.DocumentRules(
        verbose="stock count",
        post=_post_count,
        lines=lambda count: list(count.lines.all()),
        touched_items=lambda posting: [line.item_id for line in posting.lines],
        approval_reason=_count_approval_reason,
        may_enter=roles.can_count_stock,
        expected_quantities=lambda: (
            StockCountLine.objects.filter(count__status="posted")
            .exclude(difference=0)
            .values_list("count_id", "item_id", "difference")
        ),
    ),
)
