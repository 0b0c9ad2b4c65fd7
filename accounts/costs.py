"""The one list of figures that are costs, and who may see them (DESIGN §6, "Who sees costs").

Staff type the prices on purchases and bills, so those are theirs to see. What the plant works out
from them is not: average cost, stock value, COGS, margin, profit, a run's value and unit cost.
API answers, ordering and filters, history, exports and the dashboard read this list, and hide what
is on it from anyone ``may_see`` refuses. A test walks the list (and every model field whose name
looks like money) so a new cost field is hidden, or classified, the day it is added.

Models are named by label (``app_label.modelname``), so this module imports no domain app.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist

from accounts import roles

# label → the names of its cost figures: model fields, or the property / annotation an answer shows
# under that name (a balance's average cost).
COST_FIELDS: dict[str, frozenset[str]] = {
    "inventory.stockbalance": frozenset({"value", "average_cost"}),
    "inventory.stockmovement": frozenset({"value", "unit_cost"}),
    "inventory.stockcount": frozenset({"total"}),  # the variance's value, at average cost
    "inventory.stockcountline": frozenset({"variance_value"}),
    "inventory.openingstock": frozenset({"unit_cost", "value"}),
    # A run's cost figures, including the conversion cost and scrap credit they are made of.
    "production.productionrun": frozenset(
        {"total", "conversion_cost", "scrap_value", "input_value", "unit_cost"}
    ),
    "production.runinput": frozenset({"value"}),
    "sales.sale": frozenset({"cost"}),
    "sales.saleline": frozenset({"unit_cost", "cost"}),
    # What the returned goods left stock at (COGS taken back), and scrap received at its value.
    "returns.salesreturn": frozenset({"cost"}),
    "returns.salesreturnline": frozenset({"cost", "scrap_value"}),
    "reporting.stockday": frozenset({"value"}),
    "reporting.salesitemday": frozenset({"cogs"}),
    "reporting.salescustomerday": frozenset({"cogs"}),
    "reporting.salescustomermonth": frozenset({"cogs"}),
    # A month's runs at cost: what their inputs and each input item consumed were worth.
    "reporting.productionmonth": frozenset({"input_value", "conversion", "scrap"}),
    "reporting.productioninputmonth": frozenset({"value"}),
    # A run's conversion cost (labour and power), as the run carries it.
    "reporting.runoutcome": frozenset({"conversion"}),
}

# Tax on a document is not a cost (DESIGN §4): whoever enters the document sees it.
_LINE_TAX = {
    name: "tax on the line, printed on the invoice"
    for name in ("taxable_value", "cgst_amount", "sgst_amount", "igst_amount", "tax_amount", "line_total")
}
_DOCUMENT_TAX = {
    name: "the document's tax figures, printed on the invoice"
    for name in ("taxable_total", "tax_total", "grand_total")
}
# A credit or debit note's tax: what it reverses of the invoice's (total = taxable + tax + round-off).
_NOTE_TAX = {
    name: "the tax the note reverses, printed on it" for name in ("taxable_total", "tax_total", "round_off")
}

# Fields whose names look like money but are not costs, and why: prices someone types and the
# amounts of documents that everyone who enters them sees.
NOT_COSTS: dict[str, dict[str, str]] = {
    "inventory.item": {"default_price": "the selling price a bill starts from"},
    "purchasing.purchase": {
        "total": "the supplier's bill, typed line by line by whoever enters it",
        **_DOCUMENT_TAX,
    },
    "purchasing.purchaseline": {
        "unit_price": "the price on the supplier's bill, typed by whoever enters it",
        "amount": "quantity × the typed price",
        **_LINE_TAX,
    },
    "sales.saleline": {
        "unit_price": "the selling price",
        "amount": "what the line bills",
        **_LINE_TAX,
        "list_price": "the customer's price-list price the line was checked against",
    },
    "sales.sale": {"total": "what the customer is billed", **_DOCUMENT_TAX},
    "sales.pricelistentry": {
        "price": "a selling price every role bills at",
        "price_list": "not a figure: the list the price is on",
    },
    "sales.customer": {"price_list": "not a figure: the list the customer is billed from"},
    "sales.payment": {"total": "the money received", "amount": "the money received"},
    "purchasing.supplierpayment": {"total": "the money paid", "amount": "the money paid"},
    "purchasing.supplierpaymentline": {"amount": "the part of the money paid that settles a bill"},
    "expenses.expense": {"total": "the money spent, typed by whoever enters it", "amount": "the money spent"},
    "cashbook.cashclosing": {"total": "the cash counted, typed by whoever counts it"},
    "cashbook.flowday": {"amount": "Σ a day's money in or out of an account: payments and expenses"},
    "reporting.expenseday": {"amount": "Σ a day's expenses of a category, as entered"},
    "reporting.splitbandday": {"total": "Σ the bills' grand totals, as printed on them"},
    "reporting.splitcustomerday": {"total": "Σ the bills' grand totals, as printed on them"},
    "reporting.splitcreatorday": {"total": "Σ the bills' grand totals, as printed on them"},
    **{
        f"reporting.outwardparty{span}": {
            "taxable_total": "Σ the bills' taxable value: what the customers were billed before tax",
            "tax_total": "Σ the bills' tax",
            "total": "Σ the bills' grand totals, as printed on them",
        }
        for span in ("day", "month")
    },
    "sales.customeropeningdue": {"amount": "what the customer owed on the go-live date"},
    "purchasing.supplieropeningdue": {"amount": "what the plant owed the supplier on the go-live date"},
    "returns.salesreturn": {
        "total": "the credit note the customer is given",
        "refund": "the money paid back",
        **_NOTE_TAX,
    },
    "returns.salesreturnline": {"amount": "what the line credits: its share of the bill line", **_LINE_TAX},
    "returns.purchasereturn": {
        "total": "the debit note: the purchase's own prices, sent back",
        **_NOTE_TAX,
    },
    "returns.purchasereturnline": {
        "amount": "its share of the purchase line, at the price typed",
        **_LINE_TAX,
    },
}

# A field whose name holds one of these words must be in COST_FIELDS or NOT_COSTS.
MONEY_WORDS = ("value", "cost", "cogs", "margin", "profit", "price", "total", "amount")


def may_see(user: Any) -> bool:
    """Whether ``user`` may see the figures on this list."""
    return roles.can_see_costs(user)


def label_of(model: Any) -> str:
    """A model's label; a history table answers for the model it records."""
    model = getattr(model, "instance_type", model)
    return model._meta.label_lower


def of(model: Any) -> frozenset[str]:
    """The names of ``model``'s cost figures."""
    return COST_FIELDS.get(label_of(model), frozenset())


def is_cost(model: Any, name: str) -> bool:
    return name in of(model)


def resolve(model: Any, path: str) -> tuple[Any, str]:
    """The model and name a path ends at: ``item__balance__value`` and ``item.balance.value`` on a
    movement both end at (StockBalance, "value"). A name that is not a relation ends the walk."""
    parts = path.replace(".", "__").split("__")
    for index, part in enumerate(parts):
        if index == len(parts) - 1:
            return model, part
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return model, part
        if not field.is_relation or field.related_model is None:
            return model, part  # a lookup such as value__gte: the field itself is what is read
        model = field.related_model
    return model, parts[-1]


def is_cost_path(model: Any, path: str) -> bool:
    """Whether following ``path`` from ``model`` reads a cost figure."""
    return is_cost(*resolve(model, path))
