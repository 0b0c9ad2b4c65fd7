"""Sales returns (credit notes) and purchase returns (debit notes), through the one lifecycle.

A sales return takes goods back against a posted bill: each line back into stock at the cost it
left with (so COGS is reversed exactly), or written off as scrap (received as a scrap item at its
scrap value, or into nothing). The customer gets the credit note's amount back as a refund or as
a credit on account; either way the credit note lowers what they owe and a refund raises it back.

A purchase return sends goods back to the supplier at the price they were bought at; the ledger
refuses it where that would leave an item's value negative or stranded, exactly as it refuses
cancelling the purchase. The supplier then owes the plant the debit note's amount.

Never more than was sold (or bought) less what posted returns already took back: checked when a
return is entered, and again when it posts, with the bill (or purchase) row locked so that two
returns racing against one bill cannot both take the last units.

Tax is reversed in proportion: each returned line takes back its share of the source line's taxable
value and of each tax head (``returns.shares.tax_shares``), and the note's total is taxable value +
tax. A bill or purchase without tax gives notes without tax.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects

from accounts.models import User
from core.bounds import MAX_LINE_QUANTITY
from core.errors import InsufficientStock, InvalidDocument, LedgerConflict
from core.money import money
from documents import lifecycle
from documents.dates import check_date
from documents.drafts import money_problem, replace_lines, update_with_history
from documents.models import DocumentStatus
from inventory import ledger
from inventory.models import Item, ItemKind, MovementKind
from purchasing.models import Purchase, PurchaseLine
from returns import selectors
from returns.models import (
    REFUND_METHODS,
    Disposition,
    PurchaseReturn,
    PurchaseReturnLine,
    ReturnReason,
    SalesReturn,
    SalesReturnLine,
    Settlement,
)
from returns.shares import share, tax_shares
from sales import selectors as sales_selectors
from sales.models import Sale, SaleLine

ZERO = Decimal("0.00")
LINE_TAX_FIELDS = [
    "tax_rate",
    "taxable_value",
    "cgst_amount",
    "sgst_amount",
    "igst_amount",
    "tax_amount",
    "line_total",
]


@dataclass(frozen=True)
class SalesReturnLineInput:
    sale_line: SaleLine
    quantity: int
    disposition: str = Disposition.RESTOCK
    reason: str = ReturnReason.OTHER
    scrap_item: Item | None = None
    scrap_value: Decimal = Decimal("0")


@dataclass(frozen=True)
class PurchaseReturnLineInput:
    purchase_line: PurchaseLine
    quantity: int
    reason: str = ReturnReason.OTHER


# Checks shared by both kinds ------------------------------------------------------------------


def _quantity_problem(quantity) -> str | None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        return "Enter a whole number above zero."
    if quantity > MAX_LINE_QUANTITY:
        return f"Enter at most {MAX_LINE_QUANTITY:,} per line."
    return None


def _check_against(document, noun: str, when: date | None) -> None:
    """The bill or purchase returned against must be posted, and not dated after the return."""
    if document is None:
        raise InvalidDocument(fields={noun: [f"Choose the {noun} the goods came on."]})
    if document.status != DocumentStatus.POSTED:
        raise InvalidDocument(
            fields={
                noun: [
                    f"{document} is {document.get_status_display().lower()}: "
                    f"only a posted {noun} takes returns."
                ]
            }
        )
    if when is not None and when < document.date:
        raise InvalidDocument(
            fields={"date": [f"A return cannot be dated before its {noun} ({document.date:%d %b %Y})."]}
        )


def _check_within(lines: Sequence, *, line_of, returned: dict[int, int], verb: str, lead: str) -> None:
    """Refuse lines that would take back more than the line held less what posted returns took."""
    errors: dict[int, dict[str, list[str]]] = {}
    facts = []
    asked: dict[int, int] = {}
    for index, line in enumerate(lines):
        source = line_of(line)
        asked[source.pk] = asked.get(source.pk, 0) + line.quantity
        already = returned.get(source.pk, 0)
        if asked[source.pk] + already > source.quantity:
            fact = (
                f"{source.item.sku}: {source.quantity} {verb}, {already} already returned, "
                f"{line.quantity} requested"
            )
            errors[index] = {"quantity": [fact + "."]}
            facts.append(fact)
    if errors:
        raise InvalidDocument(f"{lead} — " + "; ".join(facts) + ".", lines=errors)


def _check_lines(document, lines: Sequence, *, field: str, model: type, noun: str, more=None) -> None:
    """At least one line; each names a line of ``document`` (in ``field``, a ``model``) once, a
    whole quantity and a reason. ``more(line)`` adds the problems only one kind has."""
    if not lines:
        raise InvalidDocument("Add at least one line.", fields={"lines": ["Add at least one line."]})
    errors: dict[int, dict[str, list[str]]] = {}
    seen: dict[int, int] = {}
    for index, line in enumerate(lines):
        problems: dict[str, list[str]] = {}
        source = getattr(line, field)
        if not isinstance(source, model) or getattr(source, f"{document._meta.model_name}_id") != document.pk:
            problems[field] = [f"Choose a line of {document}."]
        elif source.pk in seen:
            problems[field] = [f"This {noun} line is already on line {seen[source.pk] + 1}."]
        else:
            seen[source.pk] = index
        quantity_problem = _quantity_problem(line.quantity)
        if quantity_problem:
            problems["quantity"] = [quantity_problem]
        if line.reason not in ReturnReason.values:
            problems["reason"] = ["Choose a reason."]
        if more is not None:
            problems.update(more(line))
        if problems:
            errors[index] = problems
    if errors:
        raise InvalidDocument(lines=errors)


# Sales returns --------------------------------------------------------------------------------


def _disposition_problems(line: SalesReturnLineInput) -> dict[str, list[str]]:
    """Where a returned bill line goes: back into stock, or scrapped to a scrap item or to nothing."""
    problems: dict[str, list[str]] = {}
    if line.disposition not in Disposition.values:
        problems["disposition"] = ["Choose back into stock or scrap."]
    value_problem = money_problem(line.scrap_value)
    if value_problem:
        problems["scrap_value"] = [value_problem]
    if line.disposition == Disposition.RESTOCK and (
        line.scrap_item is not None or not value_problem and money(line.scrap_value)
    ):
        problems["scrap_item"] = ["Only scrapped goods go to a scrap item; choose scrap or clear it."]
    elif line.scrap_item is not None and (
        line.scrap_item.kind != ItemKind.SCRAP or not line.scrap_item.is_active
    ):
        problems["scrap_item"] = [f"{line.scrap_item.sku} is not an active scrap item."]
    elif line.scrap_item is None and not value_problem and money(line.scrap_value):
        problems["scrap_item"] = ["Choose the scrap item that carries this scrap value."]
    return problems


def _check_sales_lines(sale: Sale, lines: Sequence[SalesReturnLineInput]) -> None:
    _check_lines(sale, lines, field="sale_line", model=SaleLine, noun="bill", more=_disposition_problems)


def _check_settlement(settlement: str, refund_method: str) -> None:
    if settlement not in Settlement.values:
        raise InvalidDocument(fields={"settlement": ["Choose a refund or a credit on account."]})
    if settlement == Settlement.REFUND and refund_method not in REFUND_METHODS:
        raise InvalidDocument(fields={"refund_method": ["Choose how the refund is paid: cash, bank or UPI."]})
    if settlement == Settlement.CREDIT and refund_method:
        raise InvalidDocument(
            fields={"refund_method": ["A credit on account is not paid out; leave the method empty."]}
        )


def _sale_lines_of(lines: Sequence[SalesReturnLineInput]) -> None:
    prefetch_related_objects([line.sale_line for line in lines], "item")


def _check_sales_within(sale: Sale, lines: Sequence) -> None:
    _check_within(
        lines,
        line_of=lambda line: line.sale_line,
        returned=selectors.returned_quantities(sale),
        verb="sold",
        lead=f"Cannot return more than {sale} sold",
    )


def _apply_tax(line, source, taken: selectors.Taken, units: int) -> None:
    for name, value in tax_shares(source, units=units, already=taken.tax).items():
        setattr(line, name, value)


def _note_totals(note, lines: Sequence) -> None:
    """The note's value: taxable value + tax, as a tax invoice's total is."""
    note.taxable_total = sum((line.taxable_value for line in lines), ZERO)
    note.tax_total = sum((line.tax_amount for line in lines), ZERO)
    note.total = note.taxable_total + note.tax_total


def _sale_line_figures(sales_return: SalesReturn, lines: Sequence[SalesReturnLine]) -> None:
    """Fix each line's credit, discount, cost and tax as its share of the bill line, and the totals.

    The credit note's total is the taxable value + the tax it reverses: the refund, the credit on
    account and what the customer owes use it. The bill's round-off to the rupee is not shared.
    """
    taken = selectors.posted_returned(SalesReturnLine, "sale_line", [line.sale_line_id for line in lines])
    for line in lines:
        sold = line.sale_line
        before = taken.get(sold.pk, selectors.Taken())
        units = before.quantity + line.quantity
        line.amount = share(sold.amount, units=units, of=sold.quantity, already=before.amount)
        line.discount = share(sold.discount, units=units, of=sold.quantity, already=before.discount)
        line.cost = share(sold.cost or ZERO, units=units, of=sold.quantity, already=before.cost)
        _apply_tax(line, sold, before, units)
    _note_totals(sales_return, lines)
    sales_return.cost = sum((line.cost for line in lines), ZERO)
    sales_return.refund = sales_return.total if sales_return.settlement == Settlement.REFUND else ZERO


def _sales_rows(sales_return: SalesReturn, lines: Sequence[SalesReturnLineInput]) -> list[SalesReturnLine]:
    return [
        SalesReturnLine(
            sales_return=sales_return,
            sale_line=line.sale_line,
            item_id=line.sale_line.item_id,
            quantity=line.quantity,
            disposition=line.disposition,
            reason=line.reason,
            scrap_item=line.scrap_item if line.disposition == Disposition.SCRAP else None,
            scrap_value=money(line.scrap_value) if line.scrap_item is not None else ZERO,
        )
        for line in lines
    ]


def _write_sales_return(
    sales_return: SalesReturn, lines: Sequence[SalesReturnLineInput], by: User
) -> SalesReturn:
    rows = _sales_rows(sales_return, lines)
    for row in rows:
        row.sale_line = next(line.sale_line for line in lines if line.sale_line.pk == row.sale_line_id)
    _sale_line_figures(sales_return, rows)
    fresh = sales_return.pk is None
    lifecycle.save_as(sales_return, by)
    replace_lines(sales_return.lines, SalesReturnLine, rows, by, fresh=fresh)
    return sales_return


def _check_sales_return(sale: Sale, lines, settlement: str, refund_method: str, when: date | None) -> None:
    _check_against(sale, "sale", when)
    _check_settlement(settlement, refund_method)
    _check_sales_lines(sale, lines)
    _sale_lines_of(lines)
    _check_sales_within(sale, lines)


def create_sales_return(
    *,
    by: User,
    sale: Sale,
    lines: Sequence[SalesReturnLineInput],
    settlement: str = Settlement.CREDIT,
    refund_method: str = "",
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> SalesReturn:
    """Write a sales return as a draft, or submit it at once; a refused one writes nothing."""
    lifecycle.require_may_enter(SalesReturn, by)
    check_date(date, model=SalesReturn, optional=True)
    _check_sales_return(sale, lines, settlement, refund_method, date)

    def create() -> SalesReturn:
        sales_return = SalesReturn(
            sale=sale,
            customer_id=sale.customer_id,
            settlement=settlement,
            refund_method=refund_method or "",
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        if date is not None:
            sales_return.date = date
        _write_sales_return(sales_return, lines, by)
        # Created moments ago in this transaction: a refused submit takes the draft away with it.
        return lifecycle.submit(document=sales_return, by=by, locked=True) if submit else sales_return

    return lifecycle.create_once(SalesReturn, request_key, create)


@transaction.atomic
def update_sales_return(
    *,
    sales_return: SalesReturn,
    by: User,
    lines: Sequence[SalesReturnLineInput],
    settlement: str,
    refund_method: str = "",
    date: date,
    notes: str = "",
    submit: bool = False,
) -> SalesReturn:
    """Change a draft sales return; ``submit`` then submits it in the same transaction, so a
    refused submit leaves the draft as it was."""
    sales_return = lifecycle.edit_draft(document=sales_return, by=by)
    check_date(date, model=SalesReturn)
    _check_sales_return(sales_return.sale, lines, settlement, refund_method, date)
    sales_return.settlement, sales_return.refund_method = settlement, refund_method or ""
    sales_return.date, sales_return.notes = date, notes
    _write_sales_return(sales_return, lines, by)
    return lifecycle.submit(document=sales_return, by=by, locked=True) if submit else sales_return


def _return_lines(sales_return: SalesReturn) -> list[SalesReturnLine]:
    """The lines a posting works on (read once per submit: ``PostingContext.lines``)."""
    return list(sales_return.lines.select_related("sale_line", "sale_line__item").order_by("id"))


def _stock_changes(lines: Sequence[SalesReturnLine]) -> list[ledger.StockChange]:
    """Restocked goods come back at the cost they left with; scrap enters at its scrap value."""
    changes = []
    for line in lines:
        if line.disposition == Disposition.RESTOCK:
            changes.append(ledger.StockChange(item_id=line.item_id, quantity=line.quantity, value=line.cost))
        elif line.scrap_item_id is not None:
            changes.append(
                ledger.StockChange(item_id=line.scrap_item_id, quantity=line.quantity, value=line.scrap_value)
            )
    return changes


def _touched_by_sales_return(posting: lifecycle.PostingContext) -> list[int]:
    return [
        line.item_id if line.disposition == Disposition.RESTOCK else line.scrap_item_id
        for line in posting.lines
        if line.disposition == Disposition.RESTOCK or line.scrap_item_id is not None
    ]


def _lock_sale(posting: lifecycle.PostingContext) -> None:
    """Lock the bill (before any stock: the lock order of bills) and check the return still fits.

    Every return against one bill posts one at a time, each seeing what the previous one took.
    """
    sale = Sale.objects.select_for_update().get(pk=posting.document.sale_id)
    _check_against(sale, "sale", None)
    _check_sales_within(sale, posting.lines)


def _post_sales_return(posting: lifecycle.PostingContext) -> None:
    sales_return, lines, by = posting.document, posting.lines, posting.by
    _sale_line_figures(sales_return, lines)  # again, under the bill's lock: earlier returns may have posted
    update_with_history(SalesReturnLine, lines, ["amount", "discount", "cost", *LINE_TAX_FIELDS], by)
    changes = _stock_changes(lines)
    if changes:
        ledger.post(
            changes=changes,
            kind=MovementKind.SALES_RETURN,
            date=sales_return.date,
            source=ledger.Source.of(sales_return),
            by=by,
            balances=posting.balances,
        )


def _before_pending_sales_return(posting: lifecycle.PostingContext) -> None:
    _check_sales_within(posting.document.sale, posting.lines)


def _expected_sales_return_quantities():
    rows = SalesReturnLine.objects.filter(sales_return__status=DocumentStatus.POSTED)
    for return_id, item_id, scrap_item_id, disposition, quantity in rows.values_list(
        "sales_return_id", "item_id", "scrap_item_id", "disposition", "quantity"
    ):
        if disposition == Disposition.RESTOCK:
            yield return_id, item_id, quantity
        elif scrap_item_id is not None:
            yield return_id, scrap_item_id, quantity


def _sales_return_breaches() -> list[str]:
    problems = [
        f"{number}: {sku} returned {returned}, but only {sold} were sold"
        for number, sku, sold, returned in selectors.over_returned_sale_lines()
    ]
    problems += [
        f"{number} is posted against a bill or purchase that is not"
        for number in selectors.returns_against_unposted()
    ]
    problems += [
        f"{number}: {sku} credit notes reverse {reversed_} {head}, but the bill line carries only {billed}"
        for number, sku, head, billed, reversed_ in selectors.over_reversed_sale_lines()
    ]
    return problems


lifecycle.register(
    SalesReturn,
    lifecycle.DocumentRules(
        verbose="sales return",
        post=_post_sales_return,
        lines=_return_lines,
        touched_items=_touched_by_sales_return,
        before_post=_lock_sale,
        before_pending=_before_pending_sales_return,
        expected_quantities=_expected_sales_return_quantities,
        breaches=_sales_return_breaches,
    ),
)

# The customer's balance: a credit note lowers what was billed, a refund paid out lowers what was
# paid (so owed = bills − payments − credit notes + refunds).
sales_selectors.count_in_balance(SalesReturn, "total", taken_from="billed")
sales_selectors.count_in_balance(SalesReturn, "refund", taken_from="paid")


def _sale_has_returns(sale: Sale) -> str | None:
    numbers = list(selectors.posted_sales_returns(sale).values_list("number", flat=True))
    if numbers:
        return f"{sale} has returns against it ({', '.join(numbers)}); cancel those returns first."
    return None


lifecycle.guard_cancel(Sale, _sale_has_returns)


# Purchase returns -----------------------------------------------------------------------------


def _check_purchase_lines(purchase: Purchase, lines: Sequence[PurchaseReturnLineInput]) -> None:
    _check_lines(purchase, lines, field="purchase_line", model=PurchaseLine, noun="purchase")


def _check_purchase_within(purchase: Purchase, lines: Sequence) -> None:
    _check_within(
        lines,
        line_of=lambda line: line.purchase_line,
        returned=selectors.bought_back_quantities(purchase),
        verb="bought",
        lead=f"Cannot send back more than {purchase} brought in",
    )


def _purchase_line_figures(purchase_return: PurchaseReturn, lines: Sequence[PurchaseReturnLine]) -> None:
    """Each line's share of the purchase line: its amount, its taxable value (the value leaving
    stock, at the price bought) and the input tax it reverses; the debit note is taxable + tax."""
    taken = selectors.posted_returned(
        PurchaseReturnLine, "purchase_line", [line.purchase_line_id for line in lines]
    )
    for line in lines:
        bought = line.purchase_line
        before = taken.get(bought.pk, selectors.Taken())
        units = before.quantity + line.quantity
        line.amount = share(bought.amount, units=units, of=bought.quantity, already=before.amount)
        _apply_tax(line, bought, before, units)
    _note_totals(purchase_return, lines)


def _write_purchase_return(
    purchase_return: PurchaseReturn, lines: Sequence[PurchaseReturnLineInput], by: User
) -> PurchaseReturn:
    rows = [
        PurchaseReturnLine(
            purchase_return=purchase_return,
            purchase_line=line.purchase_line,
            item_id=line.purchase_line.item_id,
            quantity=line.quantity,
            reason=line.reason,
        )
        for line in lines
    ]
    _purchase_line_figures(purchase_return, rows)
    fresh = purchase_return.pk is None
    lifecycle.save_as(purchase_return, by)
    replace_lines(purchase_return.lines, PurchaseReturnLine, rows, by, fresh=fresh)
    return purchase_return


def _check_purchase_return(purchase: Purchase, lines, when: date | None) -> None:
    _check_against(purchase, "purchase", when)
    _check_purchase_lines(purchase, lines)
    prefetch_related_objects([line.purchase_line for line in lines], "item")
    _check_purchase_within(purchase, lines)


def _outflows(lines: Sequence[PurchaseReturnLine]) -> list[ledger.StockChange]:
    # An explicit value: the goods leave at the price bought (the taxable value they entered at:
    # input tax never entered stock), not at today's average.
    return [
        ledger.StockChange(item_id=line.item_id, quantity=-line.quantity, value=-line.taxable_value)
        for line in lines
    ]


def create_purchase_return(
    *,
    by: User,
    purchase: Purchase,
    lines: Sequence[PurchaseReturnLineInput],
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
    submit: bool = False,
) -> PurchaseReturn:
    """Write a purchase return as a draft, or submit it at once; a refused one writes nothing."""
    lifecycle.require_may_enter(PurchaseReturn, by)
    check_date(date, model=PurchaseReturn, optional=True)
    _check_purchase_return(purchase, lines, date)

    def create() -> PurchaseReturn:
        purchase_return = PurchaseReturn(
            purchase=purchase,
            supplier_id=purchase.supplier_id,
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        if date is not None:
            purchase_return.date = date
        _write_purchase_return(purchase_return, lines, by)
        # Created moments ago in this transaction: a refused submit takes the draft away with it.
        return lifecycle.submit(document=purchase_return, by=by, locked=True) if submit else purchase_return

    return lifecycle.create_once(PurchaseReturn, request_key, create)


@transaction.atomic
def update_purchase_return(
    *,
    purchase_return: PurchaseReturn,
    by: User,
    lines: Sequence[PurchaseReturnLineInput],
    date: date,
    notes: str = "",
    submit: bool = False,
) -> PurchaseReturn:
    """Change a draft purchase return; ``submit`` then submits it in the same transaction."""
    purchase_return = lifecycle.edit_draft(document=purchase_return, by=by)
    check_date(date, model=PurchaseReturn)
    _check_purchase_return(purchase_return.purchase, lines, date)
    purchase_return.date, purchase_return.notes = date, notes
    _write_purchase_return(purchase_return, lines, by)
    return lifecycle.submit(document=purchase_return, by=by, locked=True) if submit else purchase_return


def _purchase_return_lines(purchase_return: PurchaseReturn) -> list[PurchaseReturnLine]:
    """The lines a posting works on (read once per submit: ``PostingContext.lines``)."""
    return list(purchase_return.lines.select_related("purchase_line", "purchase_line__item").order_by("id"))


def _lock_purchase(posting: lifecycle.PostingContext) -> None:
    purchase = Purchase.objects.select_for_update().get(pk=posting.document.purchase_id)
    _check_against(purchase, "purchase", None)
    _check_purchase_within(purchase, posting.lines)


def _refused_by_stock(purchase_return: PurchaseReturn, short: InsufficientStock) -> InsufficientStock:
    return InsufficientStock(
        short.shortages,
        lead=f"Cannot send these back to {purchase_return.supplier}: the goods are no longer in stock",
        wanted="to send back",
    )


def _post_purchase_return(posting: lifecycle.PostingContext) -> None:
    purchase_return, lines, by = posting.document, posting.lines, posting.by
    _purchase_line_figures(purchase_return, lines)
    update_with_history(PurchaseReturnLine, lines, ["amount", *LINE_TAX_FIELDS], by)
    try:
        # The ledger's own rule for an exact undo (as when cancelling the purchase) refuses a
        # value that would go negative or be left on an empty item.
        ledger.post(
            changes=_outflows(lines),
            kind=MovementKind.PURCHASE_RETURN,
            date=purchase_return.date,
            source=ledger.Source.of(purchase_return),
            by=by,
            balances=posting.balances,
        )
    except InsufficientStock as short:
        raise _refused_by_stock(purchase_return, short) from None
    except LedgerConflict as conflict:
        raise LedgerConflict(
            f"Cannot send these back at the price they were bought at — {conflict}"
        ) from None


def _before_pending_purchase_return(posting: lifecycle.PostingContext) -> None:
    purchase_return, lines = posting.document, posting.lines
    _check_purchase_within(purchase_return.purchase, lines)
    try:
        ledger.check_available(_outflows(lines))
    except InsufficientStock as short:
        raise _refused_by_stock(purchase_return, short) from None


def _purchase_return_breaches() -> list[str]:
    return [
        f"{number}: {sku} sent back {returned}, but only {bought} were bought"
        for number, sku, bought, returned in selectors.over_returned_purchase_lines()
    ] + [
        f"{number}: {sku} debit notes reverse {reversed_} {head}, but the purchase line carries only {bought}"
        for number, sku, head, bought, reversed_ in selectors.over_reversed_purchase_lines()
    ]


lifecycle.register(
    PurchaseReturn,
    lifecycle.DocumentRules(
        verbose="purchase return",
        post=_post_purchase_return,
        lines=_purchase_return_lines,
        touched_items=lambda posting: [line.item_id for line in posting.lines],
        before_post=_lock_purchase,
        before_pending=_before_pending_purchase_return,
        expected_quantities=lambda: (
            (return_id, item_id, -quantity)
            for return_id, item_id, quantity in PurchaseReturnLine.objects.filter(
                purchase_return__status=DocumentStatus.POSTED
            ).values_list("purchase_return_id", "item_id", "quantity")
        ),
        breaches=_purchase_return_breaches,
    ),
)


def _purchase_has_returns(purchase: Purchase) -> str | None:
    numbers = list(selectors.posted_purchase_returns(purchase).values_list("number", flat=True))
    if numbers:
        return f"{purchase} has returns against it ({', '.join(numbers)}); cancel those returns first."
    return None


lifecycle.guard_cancel(Purchase, _purchase_has_returns)
