"""Both kinds of return check their lines alike: at least one, each a line of the document returned
against, named once, with a whole quantity and a reason; a sales return also checks where it goes."""

import pytest

from core.errors import InvalidDocument
from returns.models import PurchaseReturn, SalesReturn
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)

pytestmark = pytest.mark.django_db

# kind: (its line input, the service that enters it, what it writes, what a line of it is called)
KINDS = {
    "sale": (SalesReturnLineInput, create_sales_return, SalesReturn, "bill"),
    "purchase": (PurchaseReturnLineInput, create_purchase_return, PurchaseReturn, "purchase"),
}


def _documents(plant, by, kind: str):
    """A posted document of ``kind`` to return against, and another one."""
    plant.buy(by, (plant.bottle, 100, "3.00"))
    make = plant.sell if kind == "sale" else plant.buy
    return make(by, (plant.bottle, 10, "5.00")), make(by, (plant.bottle, 1, "5.00"))


def _enter(kind: str, by, document, lines):
    line_input, create, _, _ = KINDS[kind]
    return create(
        by=by,
        **{kind: document},
        lines=[line_input(source, quantity, reason=reason) for source, quantity, reason in lines],
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_line_is_a_line_of_the_document_named_once_with_a_quantity_and_a_reason(plant, staff_user, kind):
    document, other = _documents(plant, staff_user, kind)
    mine, foreign = document.lines.get(), other.lines.get()
    with pytest.raises(InvalidDocument) as refused:
        _enter(
            kind,
            staff_user,
            document,
            [(mine, 1, "damaged"), (mine, 0, "no such reason"), (foreign, 1, "damaged")],
        )
    field, noun = f"{kind}_line", KINDS[kind][3]
    assert refused.value.lines == {
        1: {
            field: [f"This {noun} line is already on line 1."],
            "quantity": ["Enter a whole number above zero."],
            "reason": ["Choose a reason."],
        },
        2: {field: [f"Choose a line of {document}."]},
    }
    assert not KINDS[kind][2].objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_return_without_lines_is_refused(plant, staff_user, kind):
    document, _ = _documents(plant, staff_user, kind)
    with pytest.raises(InvalidDocument) as refused:
        _enter(kind, staff_user, document, [])
    assert refused.value.fields == {"lines": ["Add at least one line."]}
