"""Invoice totals in words, Indian numbering: lakh and crore, paise after "and"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sales.amount_in_words import amount_in_words, number_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.50", "Paise Fifty Only"),
        ("100000.00", "Rupees One Lakh Only"),
        (
            "123456789.99",
            "Rupees Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine"
            " and Paise Ninety-Nine Only",
        ),
        (
            "123456.50",
            "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Paise Fifty Only",
        ),
        ("0", "Rupees Zero Only"),
        ("1.01", "Rupees One and Paise One Only"),
        ("10000000000", "Rupees One Thousand Crore Only"),
    ],
)
def test_an_amount_reads_in_indian_numbering(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_every_group_boundary_has_its_name():
    assert number_in_words(19) == "Nineteen"
    assert number_in_words(20) == "Twenty"
    assert number_in_words(101) == "One Hundred One"
    assert number_in_words(1000) == "One Thousand"
    assert number_in_words(99999) == "Ninety-Nine Thousand Nine Hundred Ninety-Nine"
    assert number_in_words(10000000) == "One Crore"


def test_another_currency_keeps_its_code_and_a_negative_amount_is_refused():
    assert amount_in_words(Decimal("2.05"), "USD") == "USD Two and Cents Five Only"
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))
