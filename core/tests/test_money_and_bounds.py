"""One definition of CENT, money() and the document bounds, read by forms, API and services alike."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework import serializers

from core.bounds import MAX_DOCUMENT_TOTAL, MAX_LINE_QUANTITY
from core.money import CENT, money

PROJECT = Path(__file__).resolve().parents[2]
# Being rewritten to post through the real services; it keeps its own copy until then.
NOT_YET = {"reporting/demo_plant.py"}


def _sources():
    for path in PROJECT.rglob("*.py"):
        relative = path.relative_to(PROJECT).as_posix()
        if relative.split("/")[0] in {".venv", "bench"} or "/tests/" in f"/{relative}" or relative in NOT_YET:
            continue
        yield relative, path.read_text()


def test_cent_and_money_are_defined_once():
    twins = [
        relative
        for relative, text in _sources()
        if relative != "core/money.py"
        and (re.search(r"^CENT\s*=", text, re.M) or re.search(r"^def money\(", text, re.M))
    ]
    assert twins == []


def test_money_rounds_half_up_to_the_cent():
    assert money(Decimal("2.345")) == Decimal("2.35")
    assert money(Decimal("-2.345")) == Decimal("-2.35")
    assert money(None) == Decimal("0.00") and money(0).as_tuple().exponent == CENT.as_tuple().exponent


def _max_of(field):
    return next(v.limit_value for v in field.validators if type(v).__name__ == "MaxValueValidator")


@pytest.mark.parametrize(
    "form_path",
    [
        "sales.forms:SaleLineForm",
        "purchasing.forms:PurchaseLineForm",
        "production.forms:InputLineForm",
        "production.forms:RejectLineForm",
    ],
)
def test_every_line_form_bounds_the_quantity_as_the_services_do(form_path):
    from importlib import import_module

    module, name = form_path.split(":")
    form = getattr(import_module(module), name)
    assert _max_of(form.base_fields["quantity"]) == MAX_LINE_QUANTITY


def test_the_api_bounds_line_quantities_and_amounts_as_the_services_do():
    from documents.api import check_amount_fits
    from sales.api import SaleLineInSerializer

    assert SaleLineInSerializer().fields["quantity"].max_value == MAX_LINE_QUANTITY
    check_amount_fits(MAX_DOCUMENT_TOTAL - CENT)
    with pytest.raises(serializers.ValidationError):
        check_amount_fits(MAX_DOCUMENT_TOTAL)


@pytest.mark.django_db
def test_the_services_refuse_a_line_or_a_total_beyond_the_bounds(plant, staff_user):
    from core.errors import InvalidDocument
    from sales.services import SaleLineInput, create_sale

    def sell(quantity, price):
        return create_sale(
            by=staff_user,
            customer=plant.customer,
            lines=[SaleLineInput(plant.bottle, quantity, Decimal(price))],
        )

    with pytest.raises(InvalidDocument) as too_many:
        sell(MAX_LINE_QUANTITY + 1, "0.01")
    assert too_many.value.lines == {0: {"quantity": [f"Enter at most {MAX_LINE_QUANTITY:,} per line."]}}
    with pytest.raises(InvalidDocument) as too_much:
        sell(MAX_LINE_QUANTITY, "100.00")
    assert too_much.value.fields == {"lines": [f"The total must stay below {MAX_DOCUMENT_TOTAL:,}."]}
    assert sell(MAX_LINE_QUANTITY, "0.01").total == Decimal("1000000.00")
