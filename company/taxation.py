"""Tax on a document's lines: the seller's state against the party's decides the split.

Sales take each item's HSN code and rate; purchases carry the rate the supplier's bill states.
Both set the same fields on their lines and their header (tax.compute does the arithmetic).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Subquery, Sum

from company.models import SellerProfile
from inventory.models import Item
from tax import compute
from tax.gstin import gstin_problem, state_of

LINE_TAX_FIELDS = (
    "hsn_code",
    "tax_rate",
    "taxable_value",
    "cgst_amount",
    "sgst_amount",
    "igst_amount",
    "tax_amount",
    "line_total",
)
DOCUMENT_TAX_FIELDS = (
    "place_of_supply",
    "party_gstin",
    "is_inter_state",
    "taxable_total",
    "tax_total",
    "round_off",
    "grand_total",
)


def party_state(party: Any, seller_state: str) -> str:
    """Where the supply goes: the party's state, else its GSTIN's, else the seller's own (a walk-in
    buyer with no address is local)."""
    if party.state_code:
        return party.state_code
    if party.gstin and gstin_problem(party.gstin) is None:
        return state_of(party.gstin)
    return seller_state


def item_rates(item_ids: Iterable[int]) -> dict[int, tuple[str, Decimal]]:
    """Each item's HSN code and current tax rate (0 when it has none), in one query."""
    rows = Item.objects.filter(pk__in=set(item_ids)).values_list("pk", "hsn_code", "tax_rate__rate")
    return {pk: (hsn or "", rate or Decimal("0")) for pk, hsn, rate in rows}


def seller_state_and_item_rates(item_ids: Iterable[int]) -> tuple[str, dict[int, tuple[str, Decimal]]]:
    """The seller's state (as ``SellerProfile.current()`` has it) and ``item_rates``, in one query:
    a bill needs both, and read apart they were two round trips on every bill."""
    ids = set(item_ids)
    state = SellerProfile.objects.order_by("pk").values("state_code")[:1]
    rows = list(
        Item.objects.filter(pk__in=ids)
        .annotate(seller_state=Subquery(state))
        .values_list("pk", "hsn_code", "tax_rate__rate", "seller_state")
    )
    if not rows:
        return SellerProfile.current().state_code, {}
    return rows[0][3] or "", {pk: (hsn or "", rate or Decimal("0")) for pk, hsn, rate, _ in rows}


def apply(
    document: Any,
    lines: Sequence[Any],
    party: Any,
    *,
    from_items: bool,
    seller_state: str | None = None,
    rates: dict[int, tuple[str, Decimal]] | None = None,
) -> None:
    """Fix the tax of ``lines`` (each with ``amount`` set) and the document's totals, in memory.

    ``from_items``: take HSN and rate from the items now (a bill); else keep the rate on each
    line (a purchase: the supplier's figure) and fill in an empty HSN or rate from the item.
    ``seller_state`` and ``rates`` (``item_rates``) may be given by a caller taxing many documents.
    """
    if seller_state is None and rates is None:
        seller_state, rates = seller_state_and_item_rates(line.item_id for line in lines)
    elif seller_state is None:
        seller_state = SellerProfile.current().state_code
    document.place_of_supply = party_state(party, seller_state) if party is not None else seller_state
    document.is_inter_state = compute.is_inter_state(seller_state, document.place_of_supply)
    # The party's GSTIN as it is now: a B2B bill stays B2B in the tax returns if it changes later.
    document.party_gstin = getattr(party, "gstin", "") or ""
    if rates is None:
        rates = item_rates(line.item_id for line in lines)
    figures = []
    for line in lines:
        hsn, rate = rates.get(line.item_id, ("", Decimal("0")))
        if from_items or line.tax_rate is None:
            line.tax_rate = rate
        if from_items or not line.hsn_code:
            line.hsn_code = hsn
        tax = compute.line_tax(amount=line.amount, rate=line.tax_rate, inter_state=document.is_inter_state)
        line.tax_rate = tax.rate
        line.taxable_value = tax.taxable_value
        line.cgst_amount, line.sgst_amount, line.igst_amount = tax.cgst, tax.sgst, tax.igst
        line.tax_amount, line.line_total = tax.tax, tax.line_total
        figures.append(tax)
    sums = compute.totals(figures)
    document.taxable_total = sums.taxable_total
    document.tax_total = sums.tax_total
    document.round_off = sums.round_off
    document.grand_total = sums.grand_total
    # What the party owes (or is owed): receivables, payments and credit limits read ``total``.
    document.total = sums.grand_total


def tax_summary(lines: QuerySet) -> list[dict[str, Decimal]]:
    """A document's tax by rate, as a tax invoice prints it: rate, taxable, cgst, sgst, igst, tax."""
    rows = (
        lines.values("tax_rate")
        .annotate(
            taxable=Sum("taxable_value"),
            cgst=Sum("cgst_amount"),
            sgst=Sum("sgst_amount"),
            igst=Sum("igst_amount"),
            tax=Sum("tax_amount"),
        )
        .order_by("tax_rate")
    )
    return [{"rate": row.pop("tax_rate"), **row} for row in rows]
