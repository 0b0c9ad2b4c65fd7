"""The posting engine: the only code that writes stock movements and balances (DESIGN §4).

Callers run inside ``transaction.atomic()``. A posting locks the balances it touches in item-id
order (so two postings never wait on each other in a cycle), checks availability for the whole
posting before writing anything, prices outflows at the moving-average cost, inserts the movements
and updates the balances.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from accounts.models import User
from core import bulk_copy, rows
from core.errors import InsufficientStock, LedgerConflict, PeriodClosed, Shortage
from core.money import CENT
from inventory import period_lock
from inventory.models import ClosedPeriod, Item, MovementKind, StockBalance, StockMovement

UNIT_COST_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class StockChange:
    """One line of a posting. Inflows carry their value; outflows are priced by the ledger.

    An outflow may carry an explicit value only when it undoes an earlier inflow exactly.
    """

    item_id: int
    quantity: int
    value: Decimal | None = None
    reverses: StockMovement | None = None


@dataclass(frozen=True)
class Source:
    """The document a posting belongs to; the ledger stores the reference, not the document."""

    type: str
    id: int
    number: str

    @classmethod
    def of(cls, document) -> Source:
        return cls(type=document._meta.label_lower, id=document.pk, number=document.number or "")


_LAST_CLOSED = (
    f"SELECT MAX(closed_through) FROM {ClosedPeriod._meta.db_table} "
    "WHERE closed_through >= %s AND reopened_at IS NULL"
)


def check_period_open(when: date) -> None:
    """Refuse a posting or cancellation dated in a closed period.

    Takes the period lock first (``period_lock``), so a close cannot commit between this check
    and the caller's commit; the caller's transaction holds it until then.
    """
    period_lock.share()
    # Plain SQL: every posting asks, and the ORM's query building would cost more than the query.
    with connection.cursor() as cursor:
        cursor.execute(_LAST_CLOSED, [when])
        closed_through = cursor.fetchone()[0]
    if closed_through is not None:
        if isinstance(closed_through, str):  # SQLite hands back an aggregate of dates as text
            closed_through = date.fromisoformat(closed_through)
        raise PeriodClosed(when, closed_through)


def lock_balances(item_ids: Iterable[int]) -> dict[int, StockBalance]:
    """Lock (creating if needed) the balance rows of these items, always in item-id order.

    ``save_item`` creates an item's balance row with the item, so the create-then-lock path below
    only runs for items made some other way (fixtures, imports) on their first posting.
    """
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    locked = rows.by_pk(StockBalance, ids, for_update=True)
    missing = [i for i in ids if i not in locked]
    if missing:
        StockBalance.objects.bulk_create([StockBalance(item_id=i) for i in missing], ignore_conflicts=True)
        # Re-lock everything in order: the new rows sort among the ones already held.
        locked = rows.by_pk(StockBalance, ids, for_update=True)
    return locked


def outflow_value(balance: StockBalance, quantity: int) -> Decimal:
    """Moving-average cost of taking ``quantity`` out; the last unit takes all remaining value."""
    if quantity >= balance.quantity:
        return balance.value
    return (balance.value * quantity / balance.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def current_unit_cost(item_id: int, balance: StockBalance | None = None) -> Decimal:
    """The average cost now, or the last known cost when the item is out of stock."""
    if balance is not None and balance.quantity > 0:
        return (balance.value / balance.quantity).quantize(UNIT_COST_PLACES)
    last = (
        StockMovement.objects.filter(item_id=item_id, quantity__gt=0)
        .exclude(kind=MovementKind.REVERSAL)
        .order_by("-id")
        .values_list("unit_cost", flat=True)
        .first()
    )
    return last if last is not None else Decimal("0")


def _shortages(changes: Sequence[StockChange], balances: dict[int, StockBalance]) -> list[Shortage]:
    requested: dict[int, int] = defaultdict(int)
    for change in changes:
        if change.quantity < 0:
            requested[change.item_id] += -change.quantity
    short = [
        (item_id, balances[item_id].quantity, wanted)
        for item_id, wanted in requested.items()
        if wanted > balances[item_id].quantity
    ]
    if not short:
        return []
    skus = dict(Item.objects.filter(pk__in=[s[0] for s in short]).values_list("pk", "sku"))
    return [Shortage(item_id=i, sku=skus[i], available=a, requested=r) for i, a, r in short]


def check_available(changes: Sequence[StockChange]) -> None:
    """Refuse changes the stock cannot cover right now, without locking anything.

    For a document that waits for approval: it is checked again, under locks, when it posts.
    """
    ids = {c.item_id for c in changes if c.quantity < 0}
    balances = {b.item_id: b for b in StockBalance.objects.filter(item_id__in=ids)}
    for item_id in ids:
        balances.setdefault(item_id, StockBalance(item_id=item_id))
    shortages = _shortages(changes, balances)
    if shortages:
        raise InsufficientStock(shortages)


def _price(
    changes: Sequence[StockChange],
    balances: dict[int, StockBalance],
    *,
    kind: str,
    date: date,
    by: User,
    source: Source | None = None,
) -> list[StockMovement]:
    """Check availability, price each change and move the (locked) balances in memory.

    Returns the unsaved movements; the caller inserts them and writes the balances. Without a
    ``source`` the movements get theirs when they are recorded (``PricedPosting.record``).
    """
    shortages = _shortages(changes, balances)
    if shortages:
        raise InsufficientStock(shortages)
    movements = []
    for change in changes:
        if change.quantity == 0:
            continue
        balance = balances[change.item_id]
        if change.quantity > 0:
            if change.value is None or change.value < 0:
                raise ValueError("an inflow needs a value of zero or more")
            value = change.value
        elif change.value is not None:
            value = change.value  # an exact undo of an earlier inflow
        else:
            value = -outflow_value(balance, -change.quantity)
        new_quantity = balance.quantity + change.quantity
        new_value = balance.value + value
        if new_value < 0 or (new_quantity == 0 and new_value != 0):
            raise LedgerConflict(
                f"{balance.item.sku}: undoing this would leave {new_quantity} in stock valued at "
                f"{new_value}; its cost has moved since. Post a stock count adjustment instead."
            )
        balance.quantity, balance.value = new_quantity, new_value
        movements.append(
            StockMovement(
                item_id=change.item_id,
                kind=kind,
                quantity=change.quantity,
                value=value,
                unit_cost=(abs(value) / abs(change.quantity)).quantize(UNIT_COST_PLACES),
                date=date,
                source_type=source.type if source else "",
                source_id=source.id if source else None,
                source_number=source.number if source else "",
                reverses=change.reverses,
                posted_by=by,
            )
        )
    return movements


@dataclass(frozen=True)
class PricedPosting:
    """A posting checked and priced against locked balances, not written yet (see ``price``)."""

    movements: list[StockMovement]
    balances: dict[int, StockBalance]

    def record(self, source: Source, *, keys: bool = True) -> list[StockMovement]:
        """Write the movements, now that their document is stored, and the balances they moved.

        ``keys=False``: the caller reads no movement's key, so none is sent back (see ``rows.insert``).
        """
        for movement in self.movements:
            movement.source_type, movement.source_id = source.type, source.id
            movement.source_number = source.number
        rows.insert(self.movements, keys=keys)
        write_balances(self.balances, {m.item_id for m in self.movements})
        return self.movements


def price(
    *,
    changes: Sequence[StockChange],
    kind: str,
    date: date,
    by: User,
    balances: dict[int, StockBalance] | None = None,
) -> PricedPosting:
    """Check and price one posting, or refuse it whole; nothing is written until ``record``.

    This lets a document that is created and posted at once learn its line costs before it is
    stored, so it is written once, in its final state. ``balances``: rows this transaction already
    locked with ``lock_balances`` after checking that ``date`` is in an open period (the lifecycle
    does both before taking a document's number, so the locks are held as briefly as can be); any
    item they lack is locked here.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger postings must run inside transaction.atomic()")
    wanted = {c.item_id for c in changes}
    if balances is None:
        check_period_open(date)
    if balances is None or not wanted <= balances.keys():
        balances = lock_balances(wanted)
    return PricedPosting(_price(changes, balances, kind=kind, date=date, by=by), balances)


def post(
    *,
    changes: Sequence[StockChange],
    kind: str,
    date: date,
    source: Source,
    by: User,
    balances: dict[int, StockBalance] | None = None,
) -> list[StockMovement]:
    """Write one posting's movements and balances, or refuse it whole (``price`` + ``record``)."""
    return price(changes=changes, kind=kind, date=date, by=by, balances=balances).record(source)


_WRITE_BALANCES = (
    f"UPDATE {StockBalance._meta.db_table} SET quantity = v.column2, value = v.column3 "
    "FROM (VALUES {rows}) AS v WHERE item_id = v.column1"
)


def write_balances(balances: dict[int, StockBalance], item_ids: Iterable[int]) -> None:
    """Store the new quantity and value of these (locked) balances in one UPDATE.

    Plain SQL: the ORM's ``bulk_update`` builds a CASE expression per column, which costs more
    Python time than the statement itself, and this runs while the stock locks are held.
    """
    changed = [(i, balances[i].quantity, balances[i].value) for i in sorted(item_ids)]
    if not changed:
        return
    sql = _WRITE_BALANCES.format(rows=", ".join(["(%s, %s, %s)"] * len(changed)))
    if connection.vendor == "postgresql":
        # VALUES parameters carry no column types; give them the columns' own.
        sql = sql.replace("(%s, %s, %s)", "(%s::bigint, %s::bigint, %s::numeric)")
    rows.execute(sql, [value for row in changed for value in row])  # may run in a pipeline


def reverse(*, source: Source, date: date, by: User) -> list[StockMovement]:
    """Undo every movement of a document with its exact negation (a cancelled one nets to zero)."""
    originals = list(
        StockMovement.objects.filter(source_type=source.type, source_id=source.id, reversed_by__isnull=True)
        .exclude(kind=MovementKind.REVERSAL)
        .select_related("item")
        .order_by("id")
    )
    # Inflows undone first would be wrong when a document consumed what it also produced; undo
    # inflows (which can fail for lack of stock) and outflows together, refused whole if short.
    changes = [
        StockChange(item_id=m.item_id, quantity=-m.quantity, value=-m.value, reverses=m) for m in originals
    ]
    return post(changes=changes, kind=MovementKind.REVERSAL, date=date, source=source, by=by)


@dataclass(frozen=True)
class Posting:
    """One document's changes, for ``post_many``."""

    source: Source
    changes: Sequence[StockChange]


def post_many(*, postings: Sequence[Posting], kind: str, date: date, by: User) -> list[list[StockMovement]]:
    """Post many documents of one kind and date at once (bulk loads such as ``seed_demo``).

    Each posting is checked and priced exactly as ``post`` would, in the order given; a shortage in
    any of them refuses them all. One lock, one COPY of the movements (ids set, in posting order)
    and one balance update for the lot.
    """
    batch = Batch(item_ids=(c.item_id for p in postings for c in p.changes), date=date, by=by)
    per_posting = [batch.price(changes=p.changes, kind=kind, source=p.source) for p in postings]
    batch.write()
    return per_posting


class Batch:
    """Many postings of one date priced one after another against one set of locked balances, and
    written at once (``write``): the bulk path of documents whose second posting depends on the
    first (a run's bottles take the value its inputs left at), see ``post_many``.

    Each ``price`` checks and prices its changes exactly as ``post`` would at that point of the
    sequence; a refusal refuses the lot (the caller's transaction takes the locks with it).
    """

    def __init__(self, *, item_ids: Iterable[int], date: date, by: User) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("ledger postings in bulk must run inside transaction.atomic()")
        check_period_open(date)
        self.date, self.by = date, by
        self.balances = lock_balances(item_ids)
        self.movements: list[StockMovement] = []

    def price(self, *, changes: Sequence[StockChange], kind: str, source: Source) -> list[StockMovement]:
        """The movements of one posting (not written yet), the balances moved in memory."""
        if not {c.item_id for c in changes} <= self.balances.keys():
            raise RuntimeError("a bulk posting may touch only the items it locked")
        made = _price(changes, self.balances, kind=kind, date=self.date, source=source, by=self.by)
        self.movements.extend(made)
        return made

    def write(self) -> None:
        """One COPY of every movement (ids set, in posting order) and one balance update."""
        bulk_copy.insert_new(StockMovement, self.movements)
        write_balances(self.balances, {m.item_id for m in self.movements})
