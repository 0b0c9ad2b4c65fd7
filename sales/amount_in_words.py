"""An invoice total in words, Indian numbering (thousand, lakh, crore), as GST invoices write it:
"Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Paise Fifty Only".

A small pure function rather than a library: num2words' en_IN puts commas and "and" inside the
number ("one lakh, twenty-three thousand, four hundred and fifty-six"), which is not how the
invoice reads.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONES = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
]
TENS = ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]
# Indian grouping from the top: a crore is 100 lakh, a lakh is 100 thousand. A number of crores
# above 99 is itself written in words ("One Thousand Crore"), as Indian accounts do.
GROUPS = ((10**7, "Crore"), (10**5, "Lakh"), (10**3, "Thousand"), (100, "Hundred"))
# The units a currency's amount is spoken in; others fall back to the code and "Cents".
UNITS = {"INR": ("Rupees", "Paise")}


def _below_hundred(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def number_in_words(n: int) -> str:
    """A whole number ≥ 0 in words with Indian grouping: 12345678 → "One Crore Twenty-Three Lakh
    Forty-Five Thousand Six Hundred Seventy-Eight"."""
    if n < 0:
        raise ValueError("a negative number has no invoice wording")
    if n < 100:
        return _below_hundred(n)
    words = []
    for size, name in GROUPS:
        count, n = divmod(n, size)
        if count:
            words.append(f"{number_in_words(count)} {name}")
    if n:
        words.append(_below_hundred(n))
    return " ".join(words)


def amount_in_words(amount: Decimal, currency: str = "INR") -> str:
    """A money amount (rounded to the paisa) in words: Decimal("0.50") → "Paise Fifty Only"."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("a negative amount has no invoice wording")
    major_name, minor_name = UNITS.get(currency, (currency, "Cents"))
    whole = int(amount)
    fraction = int((amount - whole) * 100)
    parts = []
    if whole or not fraction:
        parts.append(f"{major_name} {number_in_words(whole)}")
    if fraction:
        parts.append(f"{minor_name} {number_in_words(fraction)}")
    return " and ".join(parts) + " Only"
